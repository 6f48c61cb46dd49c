/**
 * Core's bookkeeping (docs/design.md §8): every object kind is one growable
 * typed array of fixed-size records, one record per object, indexed by the
 * object's handle (the record of object i starts at i × stride), so host
 * memory per emulated page stays a few words. `Core.reserve` sizes them
 * ahead of a known number of objects; otherwise they double.
 *
 * Per object, not per field (issue 16): a fault reads a handful of fields of
 * each object it meets (a region map, an attachment, a RAM dataspace, an RM
 * session's quota account, a signal context), and those objects are picked at
 * random once B's pages run to tens of thousands. Laid out as one array per
 * field, each field read was its own cache miss (per-page-rm at 64 Ki pages:
 * ~1.65 µs of host time per fault against ~1.0 µs at 4 Ki); a record of 8, 16
 * or 32 bytes puts an object's fields in one cache line (the 32-byte
 * region-map record keeps what the pager reads in its first 16). Measured
 * with cachegrind (uniform, 64 Ki pages): D1 misses per fault fell from 96 to
 * 57 for per-page-rm, from 54 to 47 for managed-dataspace. Where a record
 * would be mostly padding, density wins instead: 64 Ki RAM dataspaces of 8
 * bytes fit 512 KiB. A record's fields are
 * read by literal offsets, named where the record is laid out: a module
 * constant would be re-read on every use (README "Host speed").
 */
import { ModelError } from '../errors.ts';

/** Object indexes stay below this so a tagged dataspace handle and a writable bit share an int32. */
export const MAX_OBJECTS = 2 ** 29;
/** "No object" in a table of handles. */
export const NONE = -1;

/** A copy of `a` with room for `capacity` elements. */
export function resized<T extends Int32Array | Uint16Array | Uint8Array | Float64Array>(
  a: T,
  capacity: number,
): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a);
  return b;
}

/** The capacity for `need` elements (or records): exact when reserved, else doubling. */
export function capacityFor(current: number, need: number, exact: boolean): number {
  if (need > MAX_OBJECTS) throw new ModelError(`core: more than ${MAX_OBJECTS} entries in one table`);
  return exact ? need : Math.min(MAX_OBJECTS, Math.max(need, current * 2));
}
