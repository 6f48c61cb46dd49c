/**
 * What A sees of core's objects: integer handles, as Genode's capabilities
 * are (a dataspace, a region map, an attachment, an RM session, a signal
 * context), and the few plain records core's RPCs exchange.
 *
 * A RAM dataspace handle is even and a region map handle odd, so an
 * attachment records either kind of dataspace in one word.
 */

/** Bytes per page of the emulated platform. */
export const PAGE_SIZE = 4096;

/** Where B's memory starts in its virtual address space (for reported fault addresses). */
export const TARGET_VIRT_BASE = 0x1000_0000;

/** A RAM dataspace (`Ram_dataspace_capability`): physically contiguous frames. An even handle. */
export type RamDataspace = number & { readonly __brand: 'RamDataspace' };
/** A region map (Region_map_component); nested, it is a managed dataspace. An odd handle. */
export type RegionMap = number & { readonly __brand: 'RegionMap' };
/** Anything `attach` accepts: a RAM dataspace or a region map used as managed dataspace. */
export type Dataspace = RamDataspace | RegionMap;
/** A region of a region map, as `attach` created it (its slot is reused after `detach`). */
export type Attachment = number & { readonly __brand: 'Attachment' };
/** An RM session; since 16.05 it can create many region maps (managed dataspaces). */
export type RmSession = number & { readonly __brand: 'RmSession' };
/** A signal receiver: the handler function of A's signal handler thread. */
export type SignalReceiver = number & { readonly __brand: 'SignalReceiver' };
/** A Genode signal context: its receiver and its imprint. */
export type SignalContext = number & { readonly __brand: 'SignalContext' };

/** Whether `ds` is a region map (a managed dataspace) rather than a RAM dataspace. */
export function isRegionMap(ds: Dataspace): ds is RegionMap {
  return (ds & 1) === 1;
}

/** Fault state of a region map, as `Region_map::state()` returns it; `state()` fills one in place. */
export class RegionMapState {
  type: 'READY' | 'READ_FAULT' | 'WRITE_FAULT' = 'READY';
  /** Fault address in bytes, relative to the region map (0 when READY). */
  addr = 0;
}

/** Numbers of objects to make room for at once (`Core.reserve`); each counts on top of what exists. */
export interface CoreReservation {
  ramDataspaces?: number;
  regionMaps?: number;
  /** Pages of all those region maps together (each has a page → attachment table). */
  regionMapPages?: number;
  /** Attachments alive at the same time. */
  attachments?: number;
  rmSessions?: number;
  signalContexts?: number;
}
