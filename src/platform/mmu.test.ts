import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cat } from './clock.ts';
import { ModelError } from './errors.ts';
import { MAX_EXACT } from './exact.ts';
import { FpageRights, Revoke } from './kernel.ts';
import { PTE_DIRTY, PTE_LARGE, PTE_PRESENT, PTE_WRITABLE } from './mmu.ts';
import { loadProfile } from './profile.ts';
import { plainPlatform, profileWith } from './testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');

describe('MMU and TLB', () => {
  it('charges nothing but compute on a TLB hit with sufficient rights', () => {
    const pf = plainPlatform(x86, 64);
    pf.mmu.access(5, true); // cached writable and dirty
    const t = pf.clock.now;
    const pages = Int32Array.of(5, 5, 5);
    const writes = Uint8Array.of(1, 0, 1);
    expect(pf.mmu.run(pages, writes, 0, 3, 10, Number.POSITIVE_INFINITY)).toBe(3);
    expect(pf.clock.now - t).toBe(30);
    expect(pf.clock.byCategory[Cat.compute]).toBe(30);
  });

  it('walks the page table on a TLB miss, setting D directly for a write', () => {
    const pf = plainPlatform(x86, 64);
    pf.mmu.flushAll();
    const walks = pf.mmu.counters.tlbMisses;
    const t = pf.clock.now;
    pf.mmu.access(7, true);
    expect(pf.clock.now - t).toBe(x86.mmu.pageWalk);
    expect(pf.mmu.counters.tlbMisses - walks).toBe(1);
    expect(pf.mmu.counters.dirtyAssists).toBe(0);
    expect(pf.space.flags(7) & PTE_DIRTY).toBe(PTE_DIRTY);
  });

  it('takes exactly one dirty assist on the first write through an entry cached clean', () => {
    const pf = plainPlatform(x86, 64);
    // Clear D on page 3 (and invalidate), then cache it clean by a read.
    pf.kernel.unmap(3, 0, Revoke.none);
    pf.mmu.access(3, false);
    expect(pf.mmu.cachedWritableDirty(3)).toBe(false);
    const t = pf.clock.now;
    pf.mmu.access(3, true);
    expect(pf.clock.now - t).toBe(x86.mmu.dirtyAssist);
    expect(pf.mmu.counters.dirtyAssists).toBe(1);
    expect(pf.space.flags(3) & PTE_DIRTY).toBe(PTE_DIRTY);
    const t2 = pf.clock.now;
    pf.mmu.access(3, true);
    expect(pf.clock.now - t2).toBe(0);
    expect(pf.mmu.counters.dirtyAssists).toBe(1);
  });

  it('has no dirty bit and no assist on ARMv7', () => {
    const arm = loadProfile('fiasco-oc-armv7');
    const pf = plainPlatform(arm, 16);
    pf.mmu.flushAll();
    pf.mmu.access(2, false);
    const t = pf.clock.now;
    pf.mmu.access(2, true);
    expect(pf.clock.now - t).toBe(0);
    expect(pf.space.flags(2) & PTE_DIRTY).toBe(0);
  });

  it('evicts round-robin within a set, so a set holds exactly `ways` pages', () => {
    const p = profileWith('fiasco-oc-x86_64', { mmu: { tlbEntries: 8, tlbWays: 2 } });
    const pf = plainPlatform(p, 64);
    pf.mmu.flushAll();
    // pages 0, 4, 8 map to set 0 of 4 sets
    for (const v of [0, 4]) pf.mmu.access(v, false);
    const walks = pf.mmu.counters.tlbMisses;
    pf.mmu.access(0, false);
    pf.mmu.access(4, false);
    expect(pf.mmu.counters.tlbMisses).toBe(walks);
    pf.mmu.access(8, false); // evicts 0
    pf.mmu.access(0, false);
    expect(pf.mmu.counters.tlbMisses - walks).toBe(2);
  });

  it('stops a batch before the first access at or after the deadline', () => {
    const pf = plainPlatform(x86, 8);
    const start = pf.clock.now;
    const pages = new Int32Array(10);
    const writes = new Uint8Array(10);
    const stopped = pf.mmu.run(pages, writes, 0, 10, 100, start + 350);
    expect(stopped).toBe(4); // starts at +0, +100, +200, +300; the fifth would start at +400
  });

  it('lets a write bypass the page table through a stale dirty entry when the kernel forgets to invalidate', () => {
    for (const skip of [false, true]) {
      const pf = plainPlatform(x86, 64);
      pf.kernel.debugSkipTlbInvalidation = skip;
      pf.kernel.unmap(0, 6, Revoke.none); // query and clear all dirty bits
      pf.memory.markCheckpoint();
      pf.mmu.access(9, true); // with a stale W+D entry this never reaches the page table
      const status = pf.kernel.unmap(8, 0, Revoke.none);
      const oracle = new Int32Array(64);
      const written = pf.memory.collectWritten(oracle);
      expect(written).toBe(1);
      if (skip)
        expect(status).toBe(0); // the missed page the verification reports
      else expect(status).toBe(0); // page 8 was not written
      expect(pf.kernel.unmap(9, 0, Revoke.none) & FpageRights.W).toBe(skip ? 0 : FpageRights.W);
    }
  });

  it('raises a ModelError (a model bug, exit 1), not a plain crash, when an access keeps faulting', () => {
    const pf = plainPlatform(x86, 8);
    pf.kernel.unmap(0, 3, Revoke.all);
    // A broken pager: it wakes B without a mapping, so every retry faults again.
    pf.kernel.pager = {
      handleFault(thread) {
        thread.blocked = false;
      },
    };
    expect(() => pf.mmu.access(2, false)).toThrow(ModelError);
    expect(() => pf.mmu.access(2, false)).toThrow('read of page 2 still faults after 8 resolutions');
  });

  it('keeps the mapping read-only after an unmap revoking W only, so reads hit and writes fault', () => {
    const pf = plainPlatform(x86, 16);
    pf.kernel.unmap(4, 2, Revoke.write);
    for (let p = 4; p < 8; p++) expect(pf.space.flags(p) & (PTE_PRESENT | PTE_WRITABLE)).toBe(PTE_PRESENT);
    const before = pf.mmu.counters.pageFaultExceptions;
    pf.mmu.access(5, false);
    expect(pf.mmu.counters.pageFaultExceptions - before).toBe(0);
    // core's pager re-maps the page writable (the attachment is writable)
    pf.mmu.access(5, true);
    expect(pf.mmu.counters.pageFaultExceptions - before).toBe(1);
  });

  it.each([
    ['4 KiB pages, Fiasco.OC', 'fiasco-oc-x86_64', false],
    ['superpages of 4 pages, Fiasco.OC', 'fiasco-oc-x86_64', true],
    ['superpages of 4 pages, Linux page-by-page invalidation', 'linux-x86_64', true],
  ])(
    "gives exactly the per-access path's cycles, walks, assists, faults and TLB state in its batched loop (%s)",
    (_, name, superpages) => {
      // `run` handles hits and walk-resolved misses inline and keeps a per-page
      // slot hint; `access` goes through lookup/translate one access at a time.
      // A small TLB (4 sets of 2 ways) forces evictions that leave stale hints,
      // and unmaps that clear D or revoke W force assists and faults; with
      // superpages, an unmap of one page takes its whole superpage, and the
      // refault maps it again.
      const p = profileWith(name, { mmu: { tlbEntries: 8, tlbWays: 2, superpageOrder: 2 } });
      // Pages 0–3 fit the TLB together, so runs of hits long enough to leave the miss loop occur.
      const op = fc.record({
        page: fc.oneof({ arbitrary: fc.nat(3), weight: 9 }, { arbitrary: fc.nat(31), weight: 1 }),
        write: fc.boolean(),
        unmap: fc.oneof(
          { arbitrary: fc.constant(null), weight: 28 },
          { arbitrary: fc.constant(Revoke.none), weight: 1 },
          { arbitrary: fc.constant(Revoke.write), weight: 1 },
          { arbitrary: fc.constant(Revoke.all), weight: 1 },
        ),
      });
      fc.assert(
        fc.property(fc.array(op, { minLength: 1, maxLength: 400, size: 'max' }), (ops) => {
          const batched = plainPlatform(p, 32, { superpages });
          const single = plainPlatform(p, 32, { superpages });
          expect(batched.kernel.counters.superpagesMapped).toBe(superpages ? 8 : 0);
          // The batched platform runs the accesses between two unmaps as one batch.
          let pending: { page: number; write: boolean }[] = [];
          const flush = () => {
            const pages = Int32Array.from(pending, (a) => a.page);
            const writes = Uint8Array.from(pending, (a) => (a.write ? 1 : 0));
            expect(batched.mmu.run(pages, writes, 0, pages.length, 0, Number.POSITIVE_INFINITY)).toBe(
              pages.length,
            );
            pending = [];
          };
          for (const o of ops) {
            if (o.unmap !== null) {
              flush();
              for (const pf of [batched, single]) pf.kernel.unmap(o.page ^ 1, 0, o.unmap!);
            }
            pending.push(o);
            single.mmu.access(o.page, o.write);
          }
          flush();
          const state = (pf: typeof batched) => ({
            now: pf.clock.now,
            walks: pf.mmu.counters.tlbMisses,
            assists: pf.mmu.counters.dirtyAssists,
            exceptions: pf.mmu.counters.pageFaultExceptions,
            tag: Array.from(pf.mmu.tag),
            pte: Array.from({ length: pf.pages }, (_, p) => pf.space.flags(p)),
            fingerprints: Array.from(pf.memory.fingerprints()),
          });
          expect(state(batched)).toEqual(state(single));
        }),
      );
    },
  );

  it('caches a superpage as one TLB entry for its 512 pages, with one W and one D bit', () => {
    const pf = plainPlatform(x86, 1024, { superpages: true, touch: false });
    expect(pf.kernel.counters.superpagesMapped).toBe(0);
    const never = Number.POSITIVE_INFINITY;
    const all = Int32Array.from({ length: 512 }, (_, i) => i);
    pf.mmu.run(all, new Uint8Array(512), 0, 512, 0, never); // the first read faults the superpage in
    expect(pf.kernel.counters.superpagesMapped).toBe(1);
    expect(pf.kernel.counters.pagesMapped).toBe(1);
    pf.mmu.flushAll();
    const walks = pf.mmu.counters.tlbMisses;
    pf.mmu.run(all, new Uint8Array(512), 0, 512, 0, never);
    expect(pf.mmu.counters.tlbMisses - walks).toBe(1); // one walk for 512 pages
    expect(Array.from(pf.mmu.tag).filter((t) => t !== -1)).toHaveLength(1); // one TLB entry
    // The entry was filled by a read, clean: the first write to any of its pages takes the one assist, and sets the one D bit.
    pf.mmu.run(Int32Array.of(300, 7, 511), Uint8Array.of(1, 1, 1), 0, 3, 0, never);
    expect(pf.mmu.counters.dirtyAssists).toBe(1);
    expect(pf.space.flags(0) & PTE_DIRTY).toBe(PTE_DIRTY);
    expect(pf.space.flags(300)).toBe(PTE_LARGE); // the entry is the first page's
    // One D bit: an unmap-with-status of any one page of it reports (and clears) the superpage's.
    expect(pf.kernel.unmap(40, 0, Revoke.none)).toBe(FpageRights.RW);
    expect(pf.kernel.unmap(300, 0, Revoke.none)).toBe(0); // access_flags() cleared D and A
    pf.mmu.access(5, false);
    expect(pf.kernel.unmap(500, 0, Revoke.none)).toBe(FpageRights.RO); // read since: referenced
  });

  it('takes a TLB entry per page where core maps the same memory in 4 KiB pages', () => {
    const pf = plainPlatform(x86, 1024, { touch: false });
    const never = Number.POSITIVE_INFINITY;
    const all = Int32Array.from({ length: 512 }, (_, i) => i);
    pf.mmu.run(all, new Uint8Array(512), 0, 512, 0, never);
    expect(pf.kernel.counters.superpagesMapped).toBe(0);
    pf.mmu.flushAll();
    const walks = pf.mmu.counters.tlbMisses;
    pf.mmu.run(all, new Uint8Array(512), 0, 512, 0, never);
    expect(pf.mmu.counters.tlbMisses - walks).toBe(512);
    expect(Array.from(pf.mmu.tag).filter((t) => t !== -1)).toHaveLength(512);
  });

  it('misses again on a page evicted from its set, although the page still hints at its old slot', () => {
    const p = profileWith('fiasco-oc-x86_64', { mmu: { tlbEntries: 8, tlbWays: 2 } });
    const pf = plainPlatform(p, 64);
    pf.mmu.flushAll();
    const never = Number.POSITIVE_INFINITY;
    const reads = (...pages: number[]) =>
      pf.mmu.run(Int32Array.from(pages), new Uint8Array(pages.length), 0, pages.length, 0, never);
    reads(0, 4); // set 0 holds 0 and 4
    const walks = pf.mmu.counters.tlbMisses;
    reads(0, 4, 0, 4);
    expect(pf.mmu.counters.tlbMisses).toBe(walks);
    reads(8); // evicts 0 (round robin), whose hint still names the slot 8 now occupies
    expect(pf.mmu.lookup(0)).toBe(-1);
    reads(0); // evicts 4
    expect(pf.mmu.counters.tlbMisses - walks).toBe(2);
    expect(pf.mmu.lookup(4)).toBe(-1);
    expect(pf.mmu.lookup(8)).toBeGreaterThanOrEqual(0);
  });

  it('refuses a batch whose accesses at their dearest could take the clock past 2^53 − 1, before running any', () => {
    const pf = plainPlatform(x86, 64);
    const pages = Int32Array.of(1, 2, 3);
    const writes = Uint8Array.of(1, 0, 1);
    const dearest = 3 * (10 + x86.mmu.pageWalk);
    pf.clock.now = MAX_EXACT - dearest + 1;
    const before = { now: pf.clock.now, fingerprints: Array.from(pf.memory.fingerprints()) };
    expect(() => pf.mmu.run(pages, writes, 0, 3, 10, Number.POSITIVE_INFINITY)).toThrow(ModelError);
    expect(() => pf.mmu.run(pages, writes, 0, 3, 10, Number.POSITIVE_INFINITY)).toThrow(
      /the next 3 accesses could take simulated time to 9007199254740992 cycles, past 2\^53 − 1/,
    );
    expect({ now: pf.clock.now, fingerprints: Array.from(pf.memory.fingerprints()) }).toEqual(before);
    // With the margin exactly there, the batch runs and every addition stays exact.
    pf.clock.now = MAX_EXACT - dearest;
    expect(pf.mmu.run(pages, writes, 0, 3, 10, Number.POSITIVE_INFINITY)).toBe(3);
    expect(pf.clock.now).toBe(MAX_EXACT - dearest + 30);
  });

  it('refuses a charge that would take the clock past 2^53 − 1, leaving the clock as it was', () => {
    const pf = plainPlatform(x86, 4);
    pf.clock.now = MAX_EXACT - 5;
    pf.clock.chargeCategory(Cat.idle, 5);
    expect(pf.clock.now).toBe(MAX_EXACT);
    expect(() => pf.clock.chargeCategory(Cat.idle, 1)).toThrow(ModelError);
    expect(() => pf.clock.chargeCategory(Cat.idle, 1)).toThrow(
      /charging 1 cycles of idle at cycle 9007199254740991 would take simulated time past 2\^53 − 1/,
    );
    expect(() => pf.clock.charge(0, Number.NaN)).toThrow(ModelError);
    expect(pf.clock.now).toBe(MAX_EXACT);
  });
});

describe('a TLB flush', () => {
  it('leaves no entry cached, whether it empties the fills since the last flush or the whole TLB', () => {
    // flushAll empties only the entries filled since the last flush when they are few (host time);
    // mixed here with batches, single accesses, invalidations, checkpoints (the write log restarts) and superpages.
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('run' as const),
              pages: fc.array(fc.integer({ min: 0, max: 2047 }), { maxLength: 120, size: 'max' }),
              writes: fc.array(fc.boolean(), { minLength: 120, maxLength: 120, size: 'max' }),
            }),
            fc.record({
              op: fc.constant('access' as const),
              page: fc.integer({ min: 0, max: 2047 }),
              write: fc.boolean(),
            }),
            fc.record({ op: fc.constant('invalidate' as const), page: fc.integer({ min: 0, max: 2047 }) }),
            fc.record({
              op: fc.constant('unmap' as const),
              page: fc.integer({ min: 0, max: 2047 }),
              revoke: fc.constantFrom(Revoke.none, Revoke.write),
            }),
            fc.constant({ op: 'checkpoint' as const }),
            fc.constant({ op: 'flush' as const }),
          ),
          { maxLength: 40, size: 'max' },
        ),
        (superpages, ops) => {
          const pf = plainPlatform(x86, 2048, { superpages });
          const cachedPages = () => {
            const out: number[] = [];
            for (let p = 0; p < 2048; p++) if (pf.mmu.lookup(p) >= 0) out.push(p);
            return out;
          };
          for (const o of ops) {
            if (o.op === 'run') {
              const writes = Uint8Array.from(o.writes.slice(0, o.pages.length), Number);
              pf.mmu.run(Int32Array.from(o.pages), writes, 0, o.pages.length, 10, Number.POSITIVE_INFINITY);
            } else if (o.op === 'access') pf.mmu.access(o.page, o.write);
            else if (o.op === 'invalidate') pf.mmu.invalidatePage(o.page);
            else if (o.op === 'unmap') {
              // Revoking write leaves a read-only entry (a read-only superpage's fill logs no page).
              pf.kernel.unmap(o.page, 0, o.revoke);
              pf.mmu.access(o.page, false);
            } else if (o.op === 'checkpoint') pf.memory.markCheckpoint();
            else {
              pf.mmu.flushAll();
              expect(cachedPages()).toEqual([]);
            }
          }
          pf.mmu.flushAll();
          expect(cachedPages()).toEqual([]);
        },
      ),
      { seed: 16, numRuns: 150 },
    );
  });
});
