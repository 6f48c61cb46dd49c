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
  it('leaves the replay of a shared baseline to its second run, and gives a third worker a run of another baseline meanwhile', () => {
    const board = new BaselineBoard([
      config('oracle', 'uniform'),
      config('full-copy', 'uniform'),
      config('oracle', 'zipf'),
      config('full-copy', 'zipf'),
    ]);
    expect(board.next()).toBe(0);
    expect(board.replays(0)).toBe(false); // run 1 shares its baseline and replays it
    expect(board.next()).toBe(1);
    expect(board.replays(1)).toBe(true);
    expect(board.shared(1)).toBe(board.shared(0));
    expect(board.next()).toBe(2); // uniform's baseline is being replayed
    expect(board.replays(2)).toBe(false);
    expect(board.shared(2)).not.toBe(board.shared(0));
    expect(board.known(3)).toBeUndefined();
    board.finished(1, outcome(7));
    expect(board.known(0)).toEqual(outcome(7));
    expect(board.next()).toBe(3);
    expect(board.replays(3)).toBe(true);
    expect(board.next()).toBeUndefined();
  });

  it('takes the plan’s order when every waiting run shares a baseline being replayed, and replays it once', () => {
    const board = new BaselineBoard([
      config('oracle', 'uniform'),
      config('full-copy', 'uniform'),
      config('dirty-bit-scan', 'uniform'),
    ]);
    expect([board.next(), board.next(), board.next()]).toEqual([0, 1, 2]);
    expect([0, 1, 2].map((i) => board.replays(i))).toEqual([false, true, false]);
  });

  it('has a run replay a baseline no other run shares, or one known when it is given out', () => {
    const board = new BaselineBoard([config('oracle', 'uniform'), config('oracle', 'zipf')]);
    expect(board.next()).toBe(0);
    expect(board.replays(0)).toBe(true);
    const shared = new BaselineBoard([config('oracle', 'uniform'), config('full-copy', 'uniform')]);
    expect(shared.next()).toBe(0);
    shared.finished(0, outcome(3));
    expect(shared.next()).toBe(1);
    expect([shared.replays(1), shared.known(1)]).toEqual([false, outcome(3)]);
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
