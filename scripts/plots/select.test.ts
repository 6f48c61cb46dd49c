import { describe, expect, it } from 'vitest';
import { parseResults, type Run } from './results.ts';
import { groupBySeeds, select } from './select.ts';
import { loadFixture } from './testing.ts';

/** Runs with just a configuration, as `parseResults` reads them. */
function runs(configs: Partial<Record<string, unknown>>[]): Run[] {
  const doc = {
    schema: 'dirtybench/results@1',
    env: {},
    runs: configs.map((c) => ({
      strategy: 'fault-notify',
      workload: 'zipf',
      profile: 'fiasco-oc-x86_64',
      params: { strategy: {}, workload: {} },
      seed: 1,
      pages: 256,
      accesses: 1000,
      intervalCycles: 10,
      cpuHz: 1e9,
      ...c,
    })),
  };
  return parseResults(doc, 'test.json').runs;
}

const keys = (sel: ReturnType<typeof select>) =>
  sel.configs.map((c) => `${c.first.strategy}/${c.first.workload}/${c.first.intervalCycles}`);

describe('select holds what a figure does not draw at its most common value', () => {
  it('counts configurations, not seeds', () => {
    const rs = runs([
      { strategy: 'oracle', intervalCycles: 10 },
      { strategy: 'kernel-log', intervalCycles: 10 },
      ...[1, 2, 3, 4, 5].map((seed) => ({ strategy: 'oracle', intervalCycles: 20, seed })),
    ]);
    const sel = select(rs, { free: ['strategy'] });
    expect(keys(sel)).toEqual(['oracle/zipf/10', 'kernel-log/zipf/10']);
    expect(sel.held.find((h) => h.setting === 'intervalCycles')).toMatchObject({ value: '10', among: 2 });
  });

  it('gives a tie to the value seen first', () => {
    const rs = runs([{ intervalCycles: 20 }, { intervalCycles: 10 }]);
    expect(keys(select(rs, { free: ['strategy'] }))).toEqual(['fault-notify/zipf/20']);
  });

  it('holds pages and workload parameters per workload, so a trace keeps its own size', () => {
    const rs = runs([
      { workload: 'zipf', pages: 256, params: { strategy: {}, workload: { theta: 0.99 } } },
      { workload: 'zipf', pages: 512, params: { strategy: {}, workload: { theta: 0.99 } } },
      {
        workload: 'zipf',
        pages: 256,
        strategy: 'oracle',
        params: { strategy: {}, workload: { theta: 0.99 } },
      },
      { workload: 'trace', pages: 139, params: { strategy: {}, workload: { file: 't' } } },
    ]);
    const sel = select(rs, { free: ['strategy', 'workload'] });
    expect(sel.configs.map((c) => `${c.first.workload}:${c.first.pages}`)).toEqual([
      'zipf:256',
      'zipf:256',
      'trace:139',
    ]);
  });

  it('holds strategy parameters per strategy', () => {
    const md = (g: number, workload: string) => ({
      strategy: 'managed-dataspace',
      workload,
      params: { strategy: { granularity: g }, workload: {} },
    });
    const rs = runs([md(1, 'zipf'), md(1, 'uniform'), md(16, 'zipf'), { strategy: 'oracle' }]);
    const sel = select(rs, { free: ['strategy', 'workload'] });
    expect(
      sel.configs.map((c) => `${c.first.strategy}:${c.first.params.strategy['granularity'] ?? '-'}`),
    ).toEqual(['managed-dataspace:1', 'managed-dataspace:1', 'oracle:-']);
  });

  it('leaves out the workloads where the swept setting takes one value', () => {
    const rs = runs([
      { workload: 'zipf', intervalCycles: 10 },
      { workload: 'zipf', intervalCycles: 20 },
      { workload: 'uniform', intervalCycles: 10 },
    ]);
    const sel = select(rs, { free: ['strategy', 'workload'], sweep: 'intervalCycles' });
    expect(keys(sel)).toEqual(['fault-notify/zipf/10', 'fault-notify/zipf/20']);
    expect(
      select(runs([{ intervalCycles: 10 }]), { free: ['strategy'], sweep: 'intervalCycles' }).configs,
    ).toEqual([]);
  });
});

describe('groupBySeeds', () => {
  it('makes one configuration of runs that differ only in seed, seeds ascending, a repeated seed once', () => {
    const rs = runs([{ seed: 3 }, { seed: 1 }, { seed: 3 }, { seed: 2, strategy: 'oracle' }]);
    const configs = groupBySeeds(rs);
    expect(configs.map((c) => c.runs.map((r) => r.seed))).toEqual([[1, 3], [2]]);
  });
});

describe('on the fixture', () => {
  it('the comparison figures draw the runs at the common interval and size, default parameters', () => {
    const { runs: all } = loadFixture();
    const sel = select(all, { free: ['strategy', 'workload'] });
    expect(sel.configs).toHaveLength(14);
    expect(new Set(sel.configs.map((c) => c.first.intervalCycles))).toEqual(new Set([340_000]));
    expect(new Set(sel.configs.map((c) => c.first.pages))).toEqual(new Set([256]));
    const md = sel.configs.filter((c) => c.first.strategy === 'managed-dataspace');
    expect(md.map((c) => c.first.params.strategy['granularity'])).toEqual([1, 1]);
    expect(md.map((c) => c.runs.length)).toEqual([3, 1]);
  });
});
