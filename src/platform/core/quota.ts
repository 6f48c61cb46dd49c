/**
 * Quota and metadata accounting: what core's objects cost in memory, by kind,
 * and where Genode 16.05 keeps it.
 *
 * - Each RM session carries the RAM quota its client donates to core
 *   (`rm_session/connection.h`: `RAM_QUOTA = 64*1024`; profile
 *   `memory.rmSessionQuotaBytes`), kept by the session's `Allocator_guard`
 *   (`Rm_session_component::_md_alloc`, rm_session_component.h).
 * - Region maps an RM session creates (`new (_md_alloc) Region_map_component`)
 *   and their regions (`Allocator_avl_tpl<Rm_region> _map(&_md_alloc)`,
 *   region_map_component.h) are allocated from that guard: their metadata
 *   lives inside the session's quota and is not counted again. When the guard
 *   is exhausted, `create` or `attach` throws `Out_of_metadata`; rtcr then
 *   upgrades the session (`env.parent().upgrade(_parent_rm, "ram_quota=256K")`,
 *   rtcr intercept/ram_session.cc `Ram_session_component::alloc`; profile
 *   `memory.rmSessionUpgradeBytes`) and retries. rtcr wraps only `create` in
 *   that `retry<Out_of_metadata>`; its `attach_at` has none and would fail
 *   outright, so the model applies the same upgrade there too, as a
 *   checkpointer holding thousands of designated dataspaces must.
 *   An upgrade costs the failed call, `Parent::upgrade` (A → its parent),
 *   the parent's `Ram_session::transfer_quota` to core and its
 *   `Root::upgrade` to core's RM root (`Rm_root::_upgrade_session`,
 *   `Allocator_guard::upgrade`): four RPCs, the quota bookkeeping itself
 *   assumed free next to them. The session object itself, which
 *   `Root_component` also deducts from the donation, is not modelled.
 * - Regions of B's address space (the PD's region map, paid from B's PD
 *   session) and RAM dataspaces (`Dataspace_component`, paid from a RAM
 *   session) are metadata outside any RM session.
 *
 * What a run reports (byKind): quota kinds sum to `quotaBytes`
 * (`rm-session-quota`, `rm-session-quota-upgrades`), metadata kinds to
 * `metadataBytes` (`attachment-metadata`, `dataspace-metadata`); two kinds
 * only inform and are in neither sum: `rm-session-metadata-peak`, the most
 * metadata the RM sessions held at once (inside their quota), and
 * `rm-session-quota-unneeded`, where the platform lets one RM session create
 * many region maps (Genode 16.05) but several were opened: the quota beyond
 * what one session holding all of them would have needed with the same
 * upgrades.
 */
import type { Kernel } from '../kernel.ts';
import type { CostProfile } from '../profile.ts';
import { capacityFor, resized } from './tables.ts';

/** Core's metadata and quota, by kind, in bytes. */
export interface CoreMemory {
  /** RAM quota donated to core for sessions, upgrades included. */
  quotaBytes: number;
  /** Core's metadata outside RM-session quota: B's regions, dataspaces. */
  metadataBytes: number;
  /** The most `metadataBytes` has been since core started (attachments come and go). */
  peakMetadataBytes: number;
  /** By kind (e.g. `rm-session-quota`, `dataspace-metadata`); see quota.ts for which sum to what. */
  byKind: Record<string, number>;
}

/** The account every core service charges its objects' memory to, and every RM session's Allocator_guard. */
export class CoreAccount {
  private readonly memory: CoreMemory = { quotaBytes: 0, metadataBytes: 0, peakMetadataBytes: 0, byKind: {} };
  /**
   * One record per RM session (tables.ts), two doubles (byte counts may pass
   * 2^31): [0] its quota (donation plus upgrades), [1] the metadata it holds now.
   */
  private session = new Float64Array(2 * 16);
  private sessions = 0;
  /** Metadata all RM sessions hold now, and the most they held at once. */
  private usedAll = 0;
  private peakUsedAll = 0;

  constructor(
    private readonly profile: CostProfile,
    private readonly kernel: Kernel,
  ) {}

  /** Adds `bytes` (negative: frees them) of `kind`, as quota or as metadata. */
  account(kind: string, bytes: number, quota: boolean): void {
    const m = this.memory;
    if (quota) m.quotaBytes += bytes;
    else {
      m.metadataBytes += bytes;
      if (m.metadataBytes > m.peakMetadataBytes) m.peakMetadataBytes = m.metadataBytes;
    }
    this.memory.byKind[kind] = (this.memory.byKind[kind] ?? 0) + bytes;
  }

  /** Makes room for `extra` more sessions (exactly, or by doubling). */
  growSessions(extra: number, exact: boolean): void {
    const need = this.sessions + extra;
    const capacity = this.session.length >> 1;
    if (need <= capacity) return;
    this.session = resized(this.session, 2 * capacityFor(capacity, need, exact));
  }

  /** A new RM session's Allocator_guard, holding the client's donation; returns its index. */
  openSession(): number {
    this.growSessions(1, false);
    const s = this.sessions++;
    const q = this.profile.memory.rmSessionQuotaBytes;
    this.session[2 * s] = q;
    this.session[2 * s + 1] = 0;
    this.account('rm-session-quota', q, true);
    return s;
  }

  /**
   * Allocates `bytes` of metadata from session `s`'s guard. Where they do not
   * fit, the call throws Out_of_metadata and the checkpointer upgrades the
   * session and retries, as often as it takes: each time, the failed call (an
   * RPC with `callWork` of core's work) and the upgrade's RPCs are charged.
   */
  consume(s: number, bytes: number, callWork: number): void {
    const rec = this.session;
    const o = 2 * s;
    const used = rec[o + 1]! + bytes;
    const step = this.profile.memory.rmSessionUpgradeBytes;
    while (used > rec[o]!) {
      this.kernel.rpcCore(callWork); // the call that threw Out_of_metadata
      this.kernel.rpcCore(0); // Parent::upgrade, A to its parent
      this.kernel.rpcCore(0); // the parent's Ram_session::transfer_quota to core
      this.kernel.rpcCore(0); // the parent's Root::upgrade to core (Rm_root::_upgrade_session)
      rec[o]! += step;
      this.account('rm-session-quota-upgrades', step, true);
    }
    rec[o + 1] = used;
    this.usedAll += bytes;
    if (this.usedAll > this.peakUsedAll) this.peakUsedAll = this.usedAll;
  }

  /** Returns `bytes` of metadata to session `s`'s guard. */
  release(s: number, bytes: number): void {
    this.session[2 * s + 1]! -= bytes;
    this.usedAll -= bytes;
  }

  /** Quota and metadata of everything created so far (a copy), with the informational kinds. */
  memoryUse(): CoreMemory {
    const byKind = { ...this.memory.byKind };
    if (this.sessions > 0) byKind['rm-session-metadata-peak'] = this.peakUsedAll;
    const m = this.profile.memory;
    if (this.sessions > 1 && !this.profile.capabilities.rmSessionPerManagedDataspace) {
      const upgrades = Math.ceil(
        Math.max(0, this.peakUsedAll - m.rmSessionQuotaBytes) / m.rmSessionUpgradeBytes,
      );
      const unneeded = this.memory.quotaBytes - (m.rmSessionQuotaBytes + upgrades * m.rmSessionUpgradeBytes);
      if (unneeded > 0) byKind['rm-session-quota-unneeded'] = unneeded;
    }
    return { ...this.memory, byKind };
  }
}
