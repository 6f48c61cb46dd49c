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
