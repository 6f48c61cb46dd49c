/**
 * Every figure from the fixture (small real runs, test/fixtures/plots): its
 * spec is valid vega-lite, it draws one mark per datum (bars, points, lines
 * counted in the SVG against what the fixture holds), its PNG is a PNG at
 * twice the SVG's size, and it draws without a compiler or view warning.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltFigures, buildFigures, FIGURES, type RenderedChart, renderCharts } from './index.ts';
import { CHARTS, countMarks, loadFixture, pngSize, svgSize } from './testing.ts';

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('vega-lite/vega-lite-schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);

let built: BuiltFigures;
let rendered: Map<string, RenderedChart>;

beforeAll(async () => {
  built = buildFigures([loadFixture()]);
  rendered = new Map((await renderCharts(built.charts)).map((c) => [c.name, c]));
});

function chart(name: string): RenderedChart {
  const c = rendered.get(name);
  if (!c) throw new Error(`no chart ${name}`);
  return c;
}

function dataOf(name: string): Record<string, unknown>[] {
  return (chart(name).spec as unknown as { data: { values: Record<string, unknown>[] } }).data.values;
}

describe('the fixture', () => {
  it('makes every figure: none is skipped', () => {
    expect(built.skipped.map((s) => s.figure.name)).toEqual([]);
    expect(built.charts.map((c) => c.name)).toEqual(CHARTS);
    expect(FIGURES).toHaveLength(8);
  });
});

describe('every spec', () => {
  it('validates against the vega-lite JSON schema', () => {
    for (const c of built.charts) {
      const ok = validate(c.spec);
      expect(validate.errors?.slice(0, 3) ?? [], c.name).toEqual([]);
      expect(ok, c.name).toBe(true);
    }
  });

  it('is refused by the schema when it is not vega-lite (the validation can fail)', () => {
    const broken = { ...built.charts[0]!.spec, mark: 'barr' };
    expect(validate(broken)).toBe(false);
  });

  it('draws without a warning of the compiler or the view', () => {
    for (const c of rendered.values()) expect(c.warnings, c.name).toEqual([]);
  });

  it('renders a PNG with a valid signature, twice the SVG size and a non-trivial size', () => {
    for (const c of rendered.values()) {
      const png = pngSize(c.png);
      const svg = svgSize(c.svg);
      expect(png.width, c.name).toBe(Math.round(svg.width * 2));
      expect(png.height, c.name).toBe(Math.round(svg.height * 2));
      expect(c.png.length, c.name).toBeGreaterThan(20_000);
    }
  });
});

describe('marks match the data', () => {
  it('overhead: a bar and a shape per strategy and workload, error bars where seeds were averaged', () => {
    const svg = chart('overhead').svg;
    // 7 strategies × {zipf, periodic}; seeds 1–3 on zipf only.
    expect(dataOf('overhead')).toHaveLength(14);
    expect(countMarks(svg, 'bars')).toBe(14);
    expect(countMarks(svg, 'shapes')).toBe(14);
    expect(countMarks(svg, 'errorbars')).toBe(7);
    expect(dataOf('overhead').filter((d) => d['n'] === 3)).toHaveLength(7);
  });

  it('overhead: the subtitle names the settings held, and among how many values', () => {
    const title = (chart('overhead').spec as unknown as { title: { subtitle: string[] } }).title;
    expect(title.subtitle.join(' · ')).toContain(
      'profile fiasco-oc-x86_64 · checkpoint interval 100 µs (of 3) · pages 256 (of 3) · accesses 5000 · managed-dataspace granularity 1 (of 3)',
    );
  });

  it('overhead-breakdown: one stacked segment per strategy, workload and category that took time', () => {
    const segments = dataOf('overhead-breakdown');
    expect(countMarks(chart('overhead-breakdown').svg, 'segments')).toBe(segments.length);
    expect(segments.some((s) => s['category'] === 'compute' || s['category'] === 'idle')).toBe(false);
    expect(new Set(segments.map((s) => `${s['strategy']} ${s['workload']}`)).size).toBe(14);
  });

  it('worst-case: a bound for every strategy in both panels, a point where a strategy stalled', () => {
    const svg = chart('worst-case').svg;
    expect(countMarks(svg, 'bounds')).toBe(14);
    // Fault stalls only for the four strategies that fault; a pause for all seven.
    expect(countMarks(svg, 'points')).toBe(4 + 7);
  });

  it('stall-cdf: a step line per strategy, workload and stall kind, a point per distinct duration', () => {
    const svg = chart('stall-cdf').svg;
    const points = dataOf('stall-cdf');
    expect(countMarks(svg, 'steps')).toBe(4 * 2 + 7 * 2);
    expect(countMarks(svg, 'points')).toBe(points.filter((p) => (p['count'] as number) > 0).length);
    // Each step line starts at 0 and ends at 1.
    const ends = new Map<string, number>();
    for (const p of points)
      ends.set(`${p['strategy']} ${p['workload']} ${p['kind']}`, p['fraction'] as number);
    expect([...ends.values()].every((f) => f === 1)).toBe(true);
  });

  it('memory: metadata at three sizes for three strategies and one for the rest; quota only where donated', () => {
    const svg = chart('memory').svg;
    expect(countMarks(svg, 'points_r0_p0')).toBe(7 + 3 * 2);
    expect(countMarks(svg, 'lines_r0_p0')).toBe(7);
    // managed-dataspace at 0.5, 1, 2 MiB and per-page-rm at 1 MiB donate quota.
    expect(countMarks(svg, 'points_r0_p1')).toBe(4);
  });

  it('granularity: three granularities in each of the four panels', () => {
    const svg = chart('granularity').svg;
    expect(countMarks(svg, /^points_r0_p[0-3]$/)).toBe(12);
    expect(countMarks(svg, /^lines_r0_p[0-3]$/)).toBe(4);
    expect(dataOf('granularity').map((d) => d['x'])).toEqual(expect.arrayContaining([1, 4, 16]));
  });

  it('flexpage-order: three orders in each of the two panels', () => {
    const svg = chart('flexpage-order').svg;
    expect(countMarks(svg, /^points_r0_p[01]$/)).toBe(6);
    expect([...new Set(dataOf('flexpage-order').map((d) => d['x']))].sort()).toEqual([0, 4, 9]);
  });

  it('interval: per workload, three intervals for three strategies and one for the other four, in both panels', () => {
    const svg = chart('interval').svg;
    for (const row of [0, 1]) {
      for (const panel of [0, 1]) {
        expect(countMarks(svg, `points_r${row}_p${panel}`)).toBe(3 * 3 + 4);
        expect(countMarks(svg, `lines_r${row}_p${panel}`)).toBe(7);
      }
    }
    expect([...new Set(dataOf('interval').map((d) => d['x']))].sort()).toEqual([0.05, 0.1, 0.2]);
  });

  it('realtime: response time and misses of the periodic runs, with the deadline marked', () => {
    const svg = chart('realtime').svg;
    expect(countMarks(svg, 'points_r0_p0')).toBe(3 * 3 + 4);
    expect(countMarks(svg, 'points_r0_p1')).toBe(3 * 3 + 4);
    expect(countMarks(svg, 'deadline')).toBe(1);
    expect(dataOf('realtime').every((d) => d['workload'] === 'periodic')).toBe(true);
  });
});
