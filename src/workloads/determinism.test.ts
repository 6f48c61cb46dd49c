import { describe, expect, it } from 'vitest';
import { createWorkload, workloads } from './registry.ts';
import { collectStream } from './testing.ts';
import type { CommonWorkloadParams } from './types.ts';

const common: CommonWorkloadParams = { pages: 4096, accesses: 20_000, writeRatio: 0.3, computeCycles: 10 };
const generators = workloads.filter((w) => w.name !== 'trace');

function run(name: string, seed: number, batch = 4096, change: Partial<CommonWorkloadParams> = {}) {
  const def = generators.find((w) => w.name === name)!;
  return collectStream(createWorkload(def, { ...common, ...change }, {}, seed), batch);
}

describe.each(generators.map((w) => w.name))('%s', (name) => {
  it('gives the identical stream for the same seed, whatever the batch size', () => {
    const a = run(name, 7, 4096);
    const b = run(name, 7, 333);
    expect(b.pages).toEqual(a.pages);
    expect(b.writes).toEqual(a.writes);
  });

  it('gives a different stream for a different seed', () => {
    const a = run(name, 7);
    const b = run(name, 8);
    // sequential and stride visit pages in a fixed order by design; the seed changes which accesses write.
    const pagesDiffer = !a.pages.every((p, i) => p === b.pages[i]);
    const writesDiffer = !a.writes.every((w, i) => w === b.writes[i]);
    expect(pagesDiffer || writesDiffer).toBe(true);
    if (name !== 'sequential' && name !== 'stride') expect(pagesDiffer).toBe(true);
  });

  it('makes writes with the requested probability', () => {
    for (const writeRatio of [0, 0.05, 0.3, 0.9, 1]) {
      const { writes } = run(name, 3, 4096, { writeRatio, accesses: 200_000 });
      const share = writes.reduce((s, w) => s + w, 0) / writes.length;
      const sigma = Math.sqrt((writeRatio * (1 - writeRatio)) / writes.length);
      expect(Math.abs(share - writeRatio)).toBeLessThanOrEqual(5 * sigma);
    }
  });

  it('chooses the same pages at any write ratio, and nests the writes', () => {
    const low = run(name, 11, 4096, { writeRatio: 0.2 });
    const high = run(name, 11, 4096, { writeRatio: 0.6 });
    expect(high.pages).toEqual(low.pages);
    expect(low.writes.every((w, i) => w <= high.writes[i]!)).toBe(true);
  });
});
