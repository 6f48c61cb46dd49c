/**
 * RM sessions (`Rm_session_component`, repos/base/src/core/include/
 * rm_session_component.h): each carries the RAM quota its client donates in
 * an `Allocator_guard`, from which the region maps it creates and their
 * regions are allocated (quota.ts), and creates region maps usable as
 * managed dataspaces.
 *
 * Before Genode 16.05 every managed dataspace needs its own RM session
 * (profile capability `rmSessionPerManagedDataspace`); since 16.05 one RM
 * session can create many.
 */
import { ModelError } from '../errors.ts';
import type { CostProfile } from '../profile.ts';
import type { CoreAccount } from './quota.ts';
import type { RegionMaps } from './region-map-component.ts';
import { capacityFor, resized } from './tables.ts';
import type { RegionMap, RmSession } from './types.ts';

export class RmSessions {
  private count = 0;
  /** How many region maps each session created. */
  private regionMaps = new Int32Array(16);

  constructor(
    private readonly profile: CostProfile,
    private readonly account: CoreAccount,
    private readonly maps: RegionMaps,
  ) {}

  /** Makes room for `extra` more sessions (exactly, or by doubling). */
  grow(extra: number, exact: boolean): void {
    const need = this.count + extra;
    if (need <= this.regionMaps.length) return;
    this.regionMaps = resized(this.regionMaps, capacityFor(this.regionMaps.length, need, exact));
  }

  /** Opens an RM session (A donates its quota). */
  create(): RmSession {
    this.grow(1, false);
    const s = this.count++;
    if (this.account.openSession() !== s) throw new ModelError('core: RM session numbering diverged');
    this.regionMaps[s] = 0;
    return s as RmSession;
  }

  /** `Rm_session::create(size)`: a new region map of `session`, usable as a managed dataspace. */
  createRegionMap(session: RmSession, pages: number): RegionMap {
    if (!Number.isInteger(session) || session < 0 || session >= this.count)
      throw new ModelError(`no RM session ${session}`);
    if (this.profile.capabilities.rmSessionPerManagedDataspace && this.regionMaps[session]! > 0) {
      throw new ModelError(
        `RM session ${session} already has a region map; profile ${this.profile.name} needs one RM session per managed dataspace`,
      );
    }
    const rm = this.maps.create(pages, session);
    this.regionMaps[session] = this.regionMaps[session]! + 1;
    return rm;
  }

  /** Number of region maps `session` created. */
  regionMapsOf(session: RmSession): number {
    return this.regionMaps[session] ?? 0;
  }
}
