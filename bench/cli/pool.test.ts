/**
 * The pool's order of runs across workers: a baseline one worker replayed
 * goes with every later run sharing it, and while one is being replayed,
 * free workers take runs of other baselines first.
 */
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/platform/index.ts';
import type { ReplayOutcome, RunConfig } from '../../src/run/index.ts';
import { BaselineBoard, expectedHostCost } from './pool.ts';

const profile = loadProfile('fiasco-oc-x86_64');

function config(strategy: string, workload: string): RunConfig {
  return {
    profile,
    strategy,
    strategyParams: {},
    workload,
    workloadParams: {},
    common: { pages: 64, accesses: 100, writeRatio: 0.5, computeCycles: 100 },
    intervalCycles: 1000,
    seed: 1,
  };
}

const outcome = (cycles: number): ReplayOutcome => ({
  cycles,
  accesses: 100,
  wcrtCycles: 0,
  deadlineMisses: 0,
  jobs: 0,
  idleCycles: 0,
  skippedSlots: 0,
});

describe('the pool’s baseline board', () => {
  it('gives a second worker a run of another baseline while the first replays one', () => {
    const board = new BaselineBoard([
      config('oracle', 'uniform'),
      config('full-copy', 'uniform'),
      config('oracle', 'zipf'),
      config('full-copy', 'zipf'),
    ]);
    expect(board.next()).toBe(0);
    expect(board.next()).toBe(2); // uniform's baseline is being replayed
    expect(board.known(1)).toBeUndefined();
    board.finished(0, outcome(7));
    expect(board.next()).toBe(1);
    expect(board.known(1)).toEqual(outcome(7));
    expect(board.next()).toBe(3); // only run left, though zipf's baseline is still being replayed
    expect(board.known(3)).toBeUndefined();
    expect(board.next()).toBeUndefined();
  });

  it('takes the plan’s order when every waiting run shares a baseline being replayed', () => {
    const board = new BaselineBoard([config('oracle', 'uniform'), config('full-copy', 'uniform')]);
    expect([board.next(), board.next()]).toEqual([0, 1]);
  });

  it('gives out the runs of strategies that declare faults first, costliest first, fault-free ones in the plan’s order', () => {
    const plan = [
      'full-copy',
      'oracle',
      'managed-dataspace',
      'per-page-rm',
      'dirty-bit-scan',
      'fault-notify',
    ].map((s) => config(s, 'uniform'));
    const board = new BaselineBoard(plan);
    const order = plan.map(() => board.next());
    const names = order.map((i) => plan[i!]!.strategy);
    expect(names).toEqual([
      'per-page-rm',
      'managed-dataspace',
      'fault-notify',
      'full-copy',
      'oracle',
      'dirty-bit-scan',
    ]);
    expect(board.next()).toBeUndefined();
  });

  it('expects a run to cost in proportion to its accesses, and a run that cannot be prepared to cost the most', () => {
    const short = config('per-page-rm', 'uniform');
    const long = { ...short, common: { ...short.common, accesses: 300 } };
    expect(expectedHostCost(long)).toBe(3 * expectedHostCost(short));
    expect(expectedHostCost(config('oracle', 'uniform'))).toBe(0);
    expect(expectedHostCost(config('no-such-strategy', 'uniform'))).toBe(Number.POSITIVE_INFINITY);
  });
});
