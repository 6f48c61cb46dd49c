/**
 * Bounds per stall kind (issue 13): a fault path made slower by work its
 * bound does not declare fails the fault-stall bound, while the pause bound,
 * checked on its own, still holds — where one bound over all stalls (the
 * longest pause) let a fault path 50 times slower pass.
 */
import { describe, expect, it } from 'vitest';
import { Actor, loadProfile, TrackingMode } from '../platform/index.ts';
import {
  findStrategy,
  STALL_BOUND_FIELDS,
  type TrackerContext,
  type TrackerDef,
} from '../strategies/index.ts';
import { runBounds, runExperiment } from './runner.ts';
import { literalConfig, literalWorkload } from './testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');

/**
 * `name`'s strategy with `inject` applied to its context before it is
 * created: the same code paths and the same declared bounds, plus whatever
 * the injection charges.
 */
function slowed(name: string, inject: (ctx: TrackerContext) => void): TrackerDef {
  const def = findStrategy(name) as TrackerDef;
  return {
    ...def,
    name: `${name}-slowed`,
    create(ctx, params) {
      inject(ctx);
      return def.create(ctx, params);
    },
  };
}

/** 200 writes over 100 of B's 4096 pages: faults on every first write, pauses bounded for every page. */
const writes = literalWorkload(
  4096,
  Array.from({ length: 200 }, (_, i) => (i * 41) % 100),
  Array.from({ length: 200 }, () => true),
);

describe('a slower fault path', () => {
  it.each([
    [
      'fault-notify',
      // The tracker's handler, run on every notification: 49 fault stalls' worth more.
      (ctx: TrackerContext, extra: number) => {
        const enable = ctx.kernel.enableTracking.bind(ctx.kernel);
        ctx.kernel.enableTracking = (mode, handler) =>
          enable(
            mode,
            mode === TrackingMode.notify && handler
              ? (vpn) => {
                  handler(vpn);
                  ctx.clock.charge(Actor.handler, extra);
                }
              : handler,
          );
      },
    ],
    [
      'managed-dataspace',
      // Core's state(), which rtcr's fault handler calls and no checkpoint does.
      (ctx: TrackerContext, extra: number) => {
        const state = ctx.core.state.bind(ctx.core);
        ctx.core.state = (rm, out) => {
          ctx.clock.charge(Actor.core, extra);
          return state(rm, out);
        };
      },
    ],
  ])('%s: fails its fault-stall bound, not its pause bound', (name, inject) => {
    // Without the injection the run passes, its longest fault stall exactly its path's bound.
    const config = literalConfig(x86, name, {}, 3_000_000);
    const plain = runExperiment(config, { workload: writes });
    expect(plain.failures).toEqual([]);
    const declared = plain.bounds.maxFaultStallCycles;
    expect(plain.metrics.stallsByKind['fault']!.maxCycles).toBe(declared);
    // 49 times the declared path on top of it: the fault path 50 times slower.
    const r = runExperiment(
      { ...config, strategy: `${name}-slowed` },
      { strategy: slowed(name, (ctx) => inject(ctx, 49 * declared)), workload: writes },
    );

    expect(r.ok).toBe(false);
    expect(r.metrics.verification.boundsOk).toBe(false);
    expect(r.failures, r.failures.join(' | ')).toHaveLength(1);
    expect(r.failures[0]).toMatch(
      /^observed fault stall \d+ cycles exceeds the analytic bound \d+ \(bounds\.maxFaultStallCycles\)$/,
    );
    const fault = r.metrics.stallsByKind['fault']!;
    expect(fault.maxCycles).toBeGreaterThanOrEqual(50 * declared);
    expect(r.metrics.boundSlackPct.fault).toBeLessThan(-4000);
    // The pause bound, on its own, still holds: the injection is on the fault path only.
    expect(r.metrics.pause.maxCycles).toBeLessThanOrEqual(r.bounds.maxPauseCycles);
    expect(r.metrics.boundSlackPct.checkpoint).toBeGreaterThan(0);
    // One bound over every stall, the longest pause's, would have let it pass.
    expect(fault.maxCycles).toBeLessThan(r.bounds.maxStallCycles);
  });
});

describe('the bounds of a run', () => {
  it('holds one bound per stall kind the platform records, and the largest as maxStallCycles', () => {
    const { bounds } = runBounds(
      {
        maxFaultStallCycles: 7,
        maxPauseCycles: 11,
        maxRingFullStallCycles: 17,
        maxCopiedPages: 1,
        faultsPerPage: 1,
        ringEntries: 4,
      },
      { pause: 2, fault: 3 },
    );
    // The copy adds to a fault and to a pause; a full ring is the kernel's and A's alone.
    expect(bounds).toEqual({
      maxFaultStallCycles: 10,
      maxPauseCycles: 13,
      maxRingFullStallCycles: 17,
      maxStallCycles: 17,
    });
    expect(Object.keys(STALL_BOUND_FIELDS).sort()).toEqual(['checkpoint', 'fault', 'ringFull']);
  });

  it("reports each kind's slack, and none for a kind whose bound is 0 and which never occurred", () => {
    const r = runExperiment(literalConfig(x86, 'oracle', {}, 3_000_000), { workload: writes });
    expect(r.bounds.maxFaultStallCycles).toBe(0);
    expect(r.metrics.boundSlackPct.fault).toBeNull();
    const pause = r.metrics.pause.maxCycles;
    expect(r.metrics.boundSlackPct.checkpoint).toBe(
      ((r.bounds.maxPauseCycles - pause) / r.bounds.maxPauseCycles) * 100,
    );
  });
});
