/**
 * Quota and metadata accounting: what core's objects cost in memory, by kind.
 *
 * - Each RM session carries the RAM quota its client donates to core
 *   (`rm-session-quota`; profile `memory.rmSessionQuotaBytes`).
 * - Each region map, attachment and RAM dataspace costs core metadata
 *   (`region-map-metadata`: an allocator_avl block of the region map's
 *   regions; `attachment-metadata`; `dataspace-metadata`).
 *
 * Genode 16.05 allocates region maps and their regions from the RM session's
 * `Allocator_guard` (rm_session_component.h), i.e. inside the session quota;
 * this model counts the two apart (issue 11 point 4 revisits that).
 */

/** Core's metadata and quota, by kind, in bytes. */
export interface CoreMemory {
  /** RAM quota donated to core for sessions. */
  quotaBytes: number;
  /** Core's metadata: region maps, attachments, dataspaces. */
  metadataBytes: number;
  /** The most `metadataBytes` has been since core started (attachments come and go). */
  peakMetadataBytes: number;
  /** Both, by kind (e.g. `rm-session-quota`, `region-map-metadata`). */
  byKind: Record<string, number>;
}

/** The account every core service charges its objects' memory to. */
export class CoreAccount {
  private readonly memory: CoreMemory = { quotaBytes: 0, metadataBytes: 0, peakMetadataBytes: 0, byKind: {} };

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

  /** Quota and metadata of everything created so far (a copy). */
  memoryUse(): CoreMemory {
    return { ...this.memory, byKind: { ...this.memory.byKind } };
  }
}
