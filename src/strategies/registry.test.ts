/**
 * The registry against the source tree: a strategy is its folder, and a
 * folder is a strategy once registered. Adding one (folder and registry line)
 * changes no test.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findStrategy, registerStrategy, strategies } from './registry.ts';
import { stubStrategy } from './testing.ts';

const folders = readdirSync(new URL('.', import.meta.url), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

describe('the strategy registry', () => {
  it('registers every strategy folder under its folder name, and nothing else, each name once', () => {
    const names = strategies.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...folders].sort());
  });

  it('finds a strategy by the name typed after --strategy', () => {
    for (const s of strategies) expect(findStrategy(s.name)).toBe(s);
    expect(findStrategy('no-such-strategy')).toBeUndefined();
  });

  it('refuses to register a second strategy under a name in use', () => {
    expect(() => registerStrategy(stubStrategy({ name: 'full-copy' }))).toThrow(
      "a strategy named 'full-copy' is registered already",
    );
  });
});
