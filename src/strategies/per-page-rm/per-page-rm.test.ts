/** `per-page-rm` on small, hand-countable workloads: exact counts and memory from the profile. */
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../platform/index.ts';
import { literalWorkload, runStrategy, sequentialPass, sequentialWrites } from '../../run/testing.ts';
import { faultWithoutWalk } from '../testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 256;

describe('per-page-rm', () => {
  it('takes one tracking fault per page on a sequential pass and copies every page once', () => {
    expect(sequentialPass(x86, 'per-page-rm').metrics.faults).toBe(P);
  });

  it('costs 64 KiB of RM-session quota per page, holding its region map and region, and says what 16.05 would not need', () => {
    const r = sequentialPass(x86, 'per-page-rm');
    const mem = x86.memory;
    expect(r.metrics.memory.quotaBytes).toBe(P * mem.rmSessionQuotaBytes);
    // Each session's metadata is inside its quota, counted once: metadata is B's regions, the dataspaces, the bitmap.
    const inSession = mem.regionMapMetadataBytes + mem.attachmentMetadataBytes;
    expect(r.metrics.memory.byKind['rm-session-metadata-peak']).toBe(P * inSession);
    expect(r.metrics.memory.metadataBytes).toBe(
      P * (mem.attachmentMetadataBytes + mem.dataspaceMetadataBytes) + P / 8,
    );
    // One 16.05 RM session holding every region map would need 64 KiB and 8 of rtcr's upgrades.
    const upgrades = Math.ceil((P * inSession - mem.rmSessionQuotaBytes) / mem.rmSessionUpgradeBytes);
    expect(upgrades).toBe(8);
    expect(r.metrics.memory.byKind['rm-session-quota-unneeded']).toBe(
      P * mem.rmSessionQuotaBytes - (mem.rmSessionQuotaBytes + upgrades * mem.rmSessionUpgradeBytes),
    );
  });

  it("differs from managed-dataspace in its fault: Genode's signal walks over a context per page, against rtcr's find_by_addr", () => {
    const w = () => literalWorkload(P, [0], [true]);
    const perPage = runStrategy(x86, 'per-page-rm', {}, w()).metrics.stallHistogram.fault;
    const managed = runStrategy(x86, 'managed-dataspace', {}, w()).metrics.stallHistogram.fault;
    // Page 0's context is the oldest of P: pending_signal and the registry pass every one.
    expect(perPage).toEqual([[faultWithoutWalk(x86, 1, P), 1]]);
    // One context; rtcr asks state() twice and passes all P designated dataspaces.
    expect(managed).toEqual([[faultWithoutWalk(x86, 2, 1) + P * x86.checkpointer.listNodeVisit, 1]]);
    expect(perPage[0]![0]).not.toBe(managed[0]![0]);
  });

  it('is refused on Linux, which has no managed dataspaces', () => {
    expect(() => runStrategy(loadProfile('linux-x86_64'), 'per-page-rm', {}, sequentialWrites(P))).toThrow(
      /managedDataspaces/,
    );
  });
});
