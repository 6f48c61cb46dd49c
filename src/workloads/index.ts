/**
 * The workloads module's only export surface: the rest of dirtybench imports
 * from here, never from the files behind it.
 */

export { checkCommon, commonParamSpecs, MAX_COMPUTE_CYCLES, MAX_PAGES } from './common.ts';
export { exportPageTrace } from './export.ts';
export type { LackeyImportOptions, LackeyImportStats } from './lackey.ts';
export { importLackey, importLackeySync, isGzipFile } from './lackey.ts';
export type { PageTraceHeader } from './pagetrace.ts';
export { PAGE_SIZE, readPageMap, readPageTraceHeader } from './pagetrace.ts';
export type { JobWindow } from './periodic.ts';
export { jobWindow } from './periodic.ts';
export { Prng, PrngStream } from './prng.ts';
export { createWorkload, findWorkload, workloads } from './registry.ts';
export type { TraceStats } from './trace.ts';
export {
  cachedTracePath,
  openPageTrace,
  preparePageTrace,
  sourceDigest,
  TRACE_CACHE_ENV,
  traceCacheDir,
  traceStats,
} from './trace.ts';
export type { CommonWorkloadParams, JobStructure, WorkloadDef, WorkloadStream } from './types.ts';
export { WorkloadError } from './types.ts';
export { ZipfRankSampler } from './zipf.ts';
