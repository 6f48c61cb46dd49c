import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/platform/index.ts';
import { runExperiment } from '../../src/run/index.ts';
import { createWorkload, exportPageTrace, findWorkload } from '../../src/workloads/index.ts';
import { collectStream } from '../../src/workloads/testing.ts';
import { buildNative, findCompiler } from './build.ts';
import { type ReplayRequest, runReplay } from './replay.ts';
import { MECHANISMS, type Mechanism, nativeRun, type RawReplay } from './results.ts';

// A small uniform trace: 256 pages, 10 000 accesses, 30 % writes; a checkpoint every 2 500 accesses.
const PAGES = 256;
const ACCESSES = 10_000;
const INTERVAL = 2_500;
const common = { pages: PAGES, accesses: ACCESSES, writeRatio: 0.3, computeCycles: 0 };

const dir = mkdtempSync(join(tmpdir(), 'dirtybench-native-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const trace = join(dir, 'uniform.pgtrace');

/** Distinct pages written in each interval [k·INTERVAL, (k+1)·INTERVAL): what a write-protect tracker faults on. */
function firstWritesPerInterval(): number[] {
  const { pages, writes } = collectStream(createWorkload(findWorkload('uniform')!, common, {}, 3));
  const out: number[] = [];
  for (let start = 0; start < ACCESSES; start += INTERVAL) {
    const written = new Set<number>();
    for (let i = start; i < Math.min(start + INTERVAL, ACCESSES); i++)
      if (writes[i] === 1) written.add(pages[i]!);
    out.push(written.size);
  }
  return out;
}

describe('a simulated run with an interval in accesses', () => {
  it('checkpoints where the native replayer does: after each INTERVAL accesses, the final one apart', () => {
    const expected = firstWritesPerInterval();
    const r = runExperiment({
      profile: loadProfile('fiasco-oc-x86_64'),
      strategy: 'fault-notify',
      strategyParams: {},
      workload: 'uniform',
      workloadParams: {},
      common,
      intervalCycles: 0,
      intervalAccesses: INTERVAL,
      seed: 3,
    });
    expect(r.ok, r.failures.join('; ')).toBe(true);
    // The positions replay.c takes: 2500, 5000, 7500, and the end.
    expect(r.checkpoints).toBe(4);
    expect(r.metrics.faults).toBe(expected.reduce((a, b) => a + b, 0));
    const regular = expected.slice(0, -1);
    expect(r.metrics.checkpointPages.mean).toBe(regular.reduce((a, b) => a + b, 0) / regular.length);
    expect(r.metrics.finalCheckpoint.pages).toBe(expected.at(-1));
    expect([r.intervalCycles, r.intervalAccesses, r.intervalFrom, r.skippedSlots]).toEqual([
      0,
      INTERVAL,
      null,
      0,
    ]);
  });
});

const compiler = findCompiler();

if (compiler === null) {
  it.skip('native replay: skipped, no C compiler (install gcc)', () => {});
} else {
  describe('native replay of a page trace', () => {
    let expected: number[];
    let baseline: RawReplay;
    beforeAll(() => {
      buildNative('replay');
      exportPageTrace(createWorkload(findWorkload('uniform')!, common, {}, 3), trace);
      expected = firstWritesPerInterval();
      const none = runReplay({ trace, mechanism: 'none', interval: INTERVAL });
      if (none.kind !== 'measured') throw new Error(`the baseline cannot run: ${none.reason}`);
      baseline = none.raw;
    });

    const cases: { mechanism: Mechanism; handlerCpu?: 'same' | 'other' }[] = [
      ...MECHANISMS.filter((m) => m !== 'none' && m !== 'uffd-wp').map((mechanism) => ({ mechanism })),
      { mechanism: 'uffd-wp', handlerCpu: 'same' },
      { mechanism: 'uffd-wp', handlerCpu: 'other' },
    ];
    for (const c of cases) {
      const label = `${c.mechanism}${c.handlerCpu ? ` (handler on the ${c.handlerCpu} CPU)` : ''}`;
      it(`${label}: takes one fault per first write per interval, copies them, and restores`, (ctx) => {
        const outcome = runReplay({ trace, interval: INTERVAL, ...c } as ReplayRequest);
        if (outcome.kind === 'unavailable') return ctx.skip(`${label} unavailable here: ${outcome.reason}`);
        const raw = outcome.raw;
        const total = expected.reduce((a, b) => a + b, 0);
        const tracking = c.mechanism !== 'full';
        expect(raw.faults).toBe(tracking ? total : 0);
        expect(raw.expectedFaults).toBe(tracking ? total : 0);
        expect(raw.untimedFaults).toBe(0);
        expect(raw.faultNs).toHaveLength(tracking ? total : 0);
        expect(raw.checkpoints.map((k) => k.position)).toEqual([2500, 5000, 7500, 10000]);
        expect(raw.checkpoints.map((k) => k.written)).toEqual(expected);
        expect(raw.checkpoints.map((k) => k.copied)).toEqual(tracking ? expected : expected.map(() => PAGES));
        expect(raw.checkpoints.map((k) => k.missed)).toEqual([0, 0, 0, 0]);
        expect(raw.checkpoints.every((k) => k.restoreOk)).toBe(true);
        const run = nativeRun(raw, baseline, 2_000_000_000, INTERVAL);
        expect(run.ok).toBe(true);
        expect(run.metrics.stallHistogram.fault.reduce((n, [, count]) => n + count, 0)).toBe(raw.faults);
        expect(run.metrics.precision).toBe(tracking ? 1 : total / (4 * PAGES));
        // As a simulated run: the final checkpoint apart from the means.
        expect(run.metrics.finalCheckpoint.pages).toBe(raw.checkpoints.at(-1)!.copied);
        expect(run.metrics.checkpointPages.mean).toBe(
          raw.checkpoints.slice(0, -1).reduce((a, k) => a + k.copied, 0) / (raw.checkpoints.length - 1),
        );
      });
    }

    it('checkpoints at the positions of a file as at the same interval', () => {
      const positions = join(dir, 'positions.txt');
      writeFileSync(positions, '7500\n2500 5000\n');
      const a = runReplay({ trace, mechanism: 'mprotect', interval: 0, checkpoints: positions });
      if (a.kind !== 'measured') throw new Error(a.reason);
      expect(a.raw.checkpoints.map((k) => [k.position, k.written])).toEqual(
        expected.map((w, k) => [(k + 1) * INTERVAL, w]),
      );
      expect(a.raw.faults).toBe(expected.reduce((x, y) => x + y, 0));
    });

    it('fails a run whose faults are not the first writes per interval, or that missed a page', () => {
      const r = runReplay({ trace, mechanism: 'full', interval: INTERVAL });
      if (r.kind !== 'measured') throw new Error(r.reason);
      const miscounted = nativeRun({ ...r.raw, faults: 5, expectedFaults: 4 }, baseline, 2e9, INTERVAL);
      expect(miscounted.ok).toBe(false);
      expect(miscounted.failures).toEqual([
        '5 tracking faults, the trace implies 4 (first writes per interval)',
      ]);
      const missed = {
        ...r.raw,
        checkpoints: r.raw.checkpoints.map((k, i) => ({ ...k, missed: i === 0 ? 2 : 0 })),
      };
      expect(nativeRun(missed, baseline, 2e9, INTERVAL).failures).toEqual([
        'missed 2 written pages: a checkpoint did not copy them',
      ]);
    });
  });
}
