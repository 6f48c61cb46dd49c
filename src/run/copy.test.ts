/**
 * How A reaches B's memory (`--copy-via`, copy.ts): the defaults, the field
 * each run records, and what rtcr's attach-copy-detach does to a strategy
 * that keeps B's pages mapped across a checkpoint.
 */
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../platform/index.ts';
import { strategies } from '../strategies/index.ts';
import { prepareRun } from './prepare.ts';
import { runExperiment } from './runner.ts';
import { literalConfig, literalWorkload } from './testing.ts';
import type { RunConfig } from './types.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 64;
/** n writes alternating between pages 3 and 7, a checkpoint after each (a 1-cycle interval). */
const alternating = (n: number) =>
  literalWorkload(
    P,
    Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 3 : 7)),
    Array.from({ length: n }, () => true),
  );
const config = (strategy: string, copyVia?: 'attach' | 'mapped'): RunConfig => ({
  ...literalConfig(x86, strategy, {}, 1),
  ...(copyVia ? { copyVia } : {}),
});

describe('--copy-via', () => {
  it('defaults to attach for the region-map trackers (rtcr) and to mapped for the others, and records it', () => {
    for (const s of strategies) {
      const expected = s.name === 'managed-dataspace' || s.name === 'per-page-rm' ? 'attach' : 'mapped';
      expect(prepareRun(literalConfig(x86, s.name), { workload: alternating(2) }).copyVia).toBe(expected);
    }
    const r = runExperiment(config('oracle'), { workload: alternating(2) });
    expect(r.copyVia).toBe('mapped');
    expect(runExperiment(config('oracle', 'attach'), { workload: alternating(2) }).copyVia).toBe('attach');
    const bad = { ...literalConfig(x86, 'oracle'), copyVia: 'mmap' as 'mapped' };
    expect(() => prepareRun(bad, { workload: alternating(2) })).toThrow(
      "copy via 'mmap' is not one of attach, mapped",
    );
    // Attaching goes through Genode core's region maps: refused where there is no Genode.
    const linux = { ...literalConfig(loadProfile('linux-x86_64'), 'oracle'), copyVia: 'attach' as const };
    expect(() => prepareRun(linux, { workload: alternating(2) })).toThrow(/managedDataspaces/);
  });

  it("makes fault-notify's B fault through its pager after every checkpoint with attach (A's detach unmaps B's pages), never with mapped", () => {
    const n = 6;
    const attach = runExperiment(config('fault-notify', 'attach'), { workload: alternating(n) });
    const mapped = runExperiment(config('fault-notify', 'mapped'), { workload: alternating(n) });
    for (const r of [attach, mapped]) {
      expect(r.ok, r.failures.join('; ')).toBe(true);
      expect(r.checkpoints).toBe(n); // one before each access but the first, and the final one
      // Every write is a first write since the last checkpoint: tracked either way.
      expect(r.metrics.counters.notifications).toBe(n);
    }
    // After each checkpoint but the last, B's next access finds its page unmapped: the pager maps
    // the whole 64-page dataspace again (one flexpage), write-protected for tracking.
    expect(attach.metrics.counters.pagerMaps).toBe(n - 1);
    expect(attach.metrics.counters.pagesMapped).toBe((n - 1) * P);
    expect(attach.metrics.counters.copyDetaches).toBe(2 * n); // the dataspace and its copy, each checkpoint
    expect(mapped.metrics.counters.pagerMaps).toBe(0);
    expect(mapped.metrics.counters.copyFaults).toBe(0);
  });

  it('keeps dirty-bit scanning exact with attach: a page B maps anew after a checkpoint starts clean', () => {
    const r = runExperiment(config('dirty-bit-scan', 'attach'), { workload: alternating(6) });
    expect(r.ok, r.failures.join('; ')).toBe(true);
    expect(r.metrics.precision).toBe(1);
    expect(r.metrics.counters.pagerMaps).toBe(5);
  });
});
