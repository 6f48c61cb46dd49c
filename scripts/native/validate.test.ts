import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfileFile, parseProfile } from '../../src/platform/index.ts';
import { createWorkload, exportPageTrace, findWorkload } from '../../src/workloads/index.ts';
import { buildNative, findCompiler } from './build.ts';
import { type CalibrationInput, calibratedProfile, HERE_PROFILE } from './profile.ts';
import { distribution } from './quantiles.ts';
import { runReplay } from './replay.ts';
import { modelRun, SHIPPED_HERE_PROFILE, VALIDATED_MECHANISMS } from './validate.ts';

/** A calibration of made-up samples: every benchmark calibratedProfile reads, in ns. */
function syntheticCalibration(): CalibrationInput {
  const constant = (ns: number) => distribution([ns, ns, ns]);
  const spread = (lo: number, hi: number) =>
    distribution(Array.from({ length: 101 }, (_, i) => lo + ((hi - lo) * i) / 100));
  const one = (name: string, d: ReturnType<typeof distribution>, params = {}) => ({
    distributions: { [name]: d },
    params,
  });
  const benchmarks: CalibrationInput['benchmarks'] = {
    clock: one('clock', constant(30)),
    syscall: one('syscall', spread(130, 230)),
    'store.untracked': one('store', constant(100)),
    'read.random': one('read', spread(80, 180)),
    'copy.cold': one('copy-cold', spread(530, 1030)),
    'fault.mprotect': { distributions: { outsideHandler: constant(1100) }, params: {} },
    'fault.uffd-wp.same-cpu': {
      distributions: { fault: spread(5000, 50_000), outsideHandler: constant(3000) },
      params: {},
    },
    'fault.uffd-async': one('fault', spread(2000, 20_000)),
    'scan.uffd-async.0': one('scan', constant(4096), { pages: 4096 }),
  };
  // protect.uffd.K: 1000 ns + 300 ns a page up to 33 pages, 20 000 ns + 50 ns a page above.
  for (const k of [1, 2, 4, 8, 16, 32, 33, 34, 64, 128]) {
    const ns = k <= 33 ? 1000 + 300 * k : 20_000 + 50 * k;
    benchmarks[`protect.uffd.${k}`] = {
      distributions: { protect: constant(ns), unprotect: constant(k === 1 ? 700 : ns) },
      params: {},
    };
  }
  return {
    command: 'npm run calibrate --',
    createdAt: '2026-12-01T12:00:00.000Z',
    machine: {
      cpuModel: 'Test CPU',
      cpus: 2,
      hypervisor: false,
      pcid: true,
      kernel: '6.8.0',
      nominalCpuHz: 1e9,
    },
    benchmarks,
  };
}

describe('the calibrated profile linux-x86_64-here', () => {
  it('carries each fault path’s measured round trip in one distribution, the rest as medians and slopes, each citing the measurement', () => {
    const json = calibratedProfile(syntheticCalibration());
    const p = parseProfile(json, 'synthetic');
    expect(p.name).toBe(HERE_PROFILE);
    expect(p.cpu.hz).toBe(1e9); // 1 ns = 1 cycle below
    const k = p.kernel;
    // trap = outsideHandler − store = 1000; ipc = (3000 − 1000 − 100) / 2 = 950; map = 700 − syscall p50 180 = 520.
    expect([k.pageFaultTrap, k.ipcOneWay, k.mapPerPage]).toEqual([1000, 950, 520]);
    // Slopes of the protect series: 50 a page above the ceiling, 300 − 50 below; the step 20 000 − 1000.
    expect([k.unmapPerPage, p.mmu.tlbInvalidatePage, p.mmu.tlbFlushAll]).toEqual([50, 250, 19_000]);
    expect(k.logScanPerPage).toBe(1);
    expect(p.mmu.superpageOrder).toBe(0);
    expect(p.mmu.tlbTagged).toBe(true);
    // The page walk: read.random less the clock's median, 50 … 150.
    const walk = p.distributions!['mmu.pageWalk']!;
    expect([walk.cycles[0], walk.cycles.at(-1)]).toEqual([50, 150]);
    // handlerWork: the uffd-wp fault less trap, two IPCs, map and the walk's median (100): 5000 − 3520 … 50 000 − 3520.
    const handler = p.distributions!['checkpointer.handlerWork']!;
    expect([handler.cycles[0], handler.cycles.at(-1)]).toEqual([5000 - 3520, 50_000 - 3520]);
    expect(p.checkpointer.handlerWork).toBe(50_000 - 3520); // the profile keeps the maximum, for bounds
    // So a drawn fault-notify round trip at a median walk spans the measured fault's quantiles exactly.
    const sum = k.pageFaultTrap + 2 * k.ipcOneWay + k.mapPerPage + 100;
    expect(handler.cycles.map((c) => c + sum)).toEqual(
      [
        'p0',
        'p1',
        'p5',
        'p10',
        'p25',
        'p50',
        'p75',
        'p90',
        'p95',
        'p99',
        'p99.9',
        'p99.99',
        'p99.999',
        'max',
      ].map((q) =>
        Math.round(syntheticCalibration().benchmarks['fault.uffd-wp.same-cpu']!.distributions['fault']![q]!),
      ),
    );
    for (const path of ['kernel.pageFaultTrap', 'kernel.logAppend', 'checkpointer.copyPage', 'cpu.hz']) {
      expect(p.sources[path]).toMatch(
        /^measured: npm run calibrate --, 2026-12-01, Test CPU, 2 CPUs, Linux 6\.8\.0: /,
      );
    }
  });

  it('ships a measured profile that loads, with the fault paths as distributions', () => {
    const p = loadProfileFile(SHIPPED_HERE_PROFILE);
    expect(p.name).toBe(HERE_PROFILE);
    expect(Object.keys(p.distributions ?? {})).toEqual(
      expect.arrayContaining(['checkpointer.handlerWork', 'kernel.logAppend', 'mmu.pageWalk']),
    );
    expect(p.sources['checkpointer.handlerWork']).toMatch(/^measured: npm run calibrate/);
  });
});

const compiler = findCompiler();

if (compiler === null) {
  it.skip('model against native fault counts: skipped, no C compiler (install gcc)', () => {});
} else {
  // The model's faults must equal the native replay's exactly: the same trace, a
  // checkpoint after the same accesses, and both fault on a page's first write
  // since the last checkpoint — no tolerance.
  describe('the model against the native replay of the same trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dirtybench-validate-test-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const INTERVAL = 2_000;
    const traces: Record<string, string> = {};
    beforeAll(() => {
      buildNative('replay');
      const common = { pages: 512, accesses: 10_000, writeRatio: 0.3, computeCycles: 0 };
      for (const [name, params] of [
        ['uniform', {}],
        ['zipf', {}],
      ] as const) {
        traces[name] = join(dir, `${name}.pgtrace`);
        exportPageTrace(createWorkload(findWorkload(name)!, common, params, 7), traces[name]!);
      }
    });
    const profile = loadProfileFile(SHIPPED_HERE_PROFILE);
    for (const name of ['uniform', 'zipf']) {
      for (const mechanism of VALIDATED_MECHANISMS) {
        it(`${name}, ${mechanism}: the model takes exactly the native faults and copies the same pages`, (ctx) => {
          const trace = traces[name]!;
          const outcome = runReplay({
            trace,
            mechanism,
            interval: INTERVAL,
            ...(mechanism === 'uffd-wp' ? { handlerCpu: 'same' as const } : {}),
          });
          if (outcome.kind === 'unavailable')
            return ctx.skip(`${mechanism} unavailable here: ${outcome.reason}`);
          const raw = outcome.raw;
          const sim = modelRun(profile, mechanism, trace, INTERVAL, 1);
          expect(sim.ok, sim.failures.join('; ')).toBe(true);
          expect(raw.faults).toBeGreaterThan(0);
          expect(sim.metrics.faults).toBe(raw.faults);
          expect(sim.checkpoints).toBe(raw.checkpoints.length);
          expect(sim.metrics.finalCheckpoint.pages).toBe(raw.checkpoints.at(-1)!.copied);
          const regular = raw.checkpoints.slice(0, -1);
          expect(sim.metrics.checkpointPages.mean).toBe(
            regular.reduce((a, k) => a + k.copied, 0) / regular.length,
          );
        });
      }
    }
  });
}
