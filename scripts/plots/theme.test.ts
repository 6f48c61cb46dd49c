/**
 * One order and one look per strategy across every figure: each encoding of
 * the strategy field, in every chart the fixture makes, lists strategies in
 * the house order with the theme's colour, shape or dash for each.
 */
import { describe, expect, it } from 'vitest';
import { strategies as registered } from '../../src/strategies/registry.ts';
import { buildFigures } from './index.ts';
import { loadFixture } from './testing.ts';
import { STRATEGY_STYLES, strategyOrder, strategyStyles } from './theme.ts';

interface Encoding {
  field: string;
  sort: string[];
  scale: { domain: string[]; range: unknown[] };
}

/** Every encoding in `spec` of a field in `fields` with a scale, wherever it sits. */
function encodingsOf(spec: unknown, fields: string[]): Encoding[] {
  const out: Encoding[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (fields.includes(o['field'] as string) && o['scale']) out.push(o as unknown as Encoding);
      Object.values(o).forEach(walk);
    }
  };
  walk(spec);
  return out;
}

describe('the theme', () => {
  it('has a style for every registered strategy, each colour, shape and dash its own', () => {
    for (const s of registered) expect(STRATEGY_STYLES.has(s.name), s.name).toBe(true);
    const styles = [...STRATEGY_STYLES.values()];
    for (const key of ['color', 'shape'] as const)
      expect(new Set(styles.map((s) => s[key])).size).toBe(styles.length);
    expect(new Set(styles.map((s) => JSON.stringify(s.dash))).size).toBe(styles.length);
  });

  it('orders strategies the house way whatever order they come in, unknown ones last', () => {
    expect(strategyOrder(['kernel-log', 'new-one', 'full-copy', 'oracle'])).toEqual([
      'full-copy',
      'oracle',
      'kernel-log',
      'new-one',
    ]);
    expect(strategyStyles(['new-one'])[0]!.color).not.toBe(STRATEGY_STYLES.get('full-copy')!.color);
  });

  it('gives every strategy encoding of every figure the house order and look', () => {
    const order = [...STRATEGY_STYLES.keys()];
    let checked = 0;
    for (const c of buildFigures([loadFixture()]).charts) {
      for (const enc of encodingsOf(c.spec, ['strategy', 'strategyUnlisted'])) {
        const { domain, range } = enc.scale;
        expect(domain, c.name).toEqual(order.filter((s) => domain.includes(s)));
        expect(enc.sort, c.name).toEqual(domain);
        domain.forEach((s, i) => {
          const style = STRATEGY_STYLES.get(s)!;
          expect([style.color, style.shape, style.dash], `${c.name} ${s}`).toContainEqual(range[i]);
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
