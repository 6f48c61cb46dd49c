/**
 * Blocked faulters (`Rm_faulter`, region_map_component.h): a thread whose
 * fault core reflected to a region map waits in the region map's faulter
 * queue until an `attach` covers its fault address
 * (`Rm_faulter::continue_after_resolved_fault` → `Pager_object::wake_up`).
 * `state()` reports the first queued fault.
 *
 * A wake-up is three one-way IPCs (fault-path.ts): `Pager_object::wake_up`
 * is an `l4_ipc_call` from core's entrypoint to the pager thread (base-foc
 * core/pager_object.cc), which acknowledges it (`Ipc_pager::acknowledge_wakeup`)
 * and resumes the faulter with its exception state
 * (`Ipc_pager::acknowledge_exception`, base-foc core/pager.cc, WAKE_UP).
 *
 * One queue holds the faulters of all region maps, in arrival order, as a few
 * typed arrays (B has one thread, so it stays short).
 */
import type { Kernel, Thread } from '../kernel.ts';
import { resized } from './tables.ts';
import { PAGE_SIZE, type RegionMapState } from './types.ts';

export class FaulterQueue {
  private count = 0;
  /** Region map (index) each faulter waits on, its fault page in that region map, and whether it wrote. */
  private rm = new Int32Array(4);
  private page = new Int32Array(4);
  private write = new Uint8Array(4);
  private readonly thread: Thread[] = [];

  /** Queues `thread`, faulting at `page` of region map `r`. */
  enqueue(r: number, thread: Thread, page: number, write: boolean): void {
    const i = this.count;
    if (i === this.rm.length) {
      this.rm = resized(this.rm, 2 * i);
      this.page = resized(this.page, 2 * i);
      this.write = resized(this.write, 2 * i);
    }
    this.rm[i] = r;
    this.page[i] = page;
    this.write[i] = write ? 1 : 0;
    this.thread[i] = thread;
    this.count = i + 1;
  }

  /** Faulters queued on region map `r`. */
  countOf(r: number): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.rm[i] === r) n++;
    return n;
  }

  /** Fills `out` with the first queued fault of region map `r` (READY when none). */
  firstOf(r: number, out: RegionMapState): void {
    out.type = 'READY';
    out.addr = 0;
    for (let i = 0; i < this.count; i++) {
      if (this.rm[i] !== r) continue;
      out.type = this.write[i] === 1 ? 'WRITE_FAULT' : 'READ_FAULT';
      out.addr = this.page[i]! * PAGE_SIZE;
      break;
    }
  }

  /** Wakes, in arrival order, the faulters of region map `r` whose fault page lies in [at, at + pages). */
  wakeIn(r: number, at: number, pages: number, kernel: Kernel): void {
    let kept = 0;
    for (let i = 0; i < this.count; i++) {
      const page = this.page[i]!;
      if (this.rm[i] === r && page >= at && page < at + pages) {
        kernel.ipc(); // Pager_object::wake_up: l4_ipc_call to the pager thread
        kernel.ipc(); // Ipc_pager::acknowledge_wakeup: the reply to that call
        kernel.wakeUp(this.thread[i]!); // Ipc_pager::acknowledge_exception resumes the faulter
        continue;
      }
      this.rm[kept] = this.rm[i]!;
      this.page[kept] = page;
      this.write[kept] = this.write[i]!;
      this.thread[kept] = this.thread[i]!;
      kept++;
    }
    this.count = kept;
  }
}
