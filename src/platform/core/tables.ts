/**
 * Core's bookkeeping (docs/design.md §8): every object kind is a set of flat,
 * growable typed arrays indexed by the object's handle, so host memory per
 * emulated page stays a few words. `Core.reserve` sizes them ahead of a known
 * number of objects; otherwise they double.
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

/** The capacity for `need` elements: exact when reserved, else doubling. */
export function capacityFor(current: number, need: number, exact: boolean): number {
  if (need > MAX_OBJECTS) throw new ModelError(`core: more than ${MAX_OBJECTS} entries in one table`);
  return exact ? need : Math.min(MAX_OBJECTS, Math.max(need, current * 2));
}
