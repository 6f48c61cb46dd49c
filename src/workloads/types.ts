/**
 * The workload interface: what the target component B does, as a stream of
 * page accesses with compute cycles between them.
 *
 * A workload imports nothing of the platform, the strategies or the runner
 * (docs/design.md §7). It fills caller-provided typed arrays in batches; there is no
 * object per access (docs/design.md §8).
 */
import type { ParamSpecs, ParamValues } from '../params/params.ts';

/** Parameters every workload takes (docs/design.md §4). */
export interface CommonWorkloadParams {
  /** Size of B's memory in 4 KiB pages. Ignored by `trace`, whose memory is its touched pages. */
  pages: number;
  /** Number of accesses to generate. For `trace`, 0 means the whole trace. */
  accesses: number;
  /** Probability that an access is a write, in [0, 1]. Ignored by `trace` (the trace says). */
  writeRatio: number;
  /** Compute cycles B spends between two accesses. */
  computeCycles: number;
}

/**
 * Real-time job structure of a periodic workload: job k (k = 0, 1, …) consists
 * of accesses [k·accessesPerJob, (k+1)·accessesPerJob) and is released at
 * cycle k·periodCycles of target time; its deadline is the next release.
 */
export interface JobStructure {
  /** Period and relative deadline of every job, in cycles. */
  periodCycles: number;
  /** Accesses per job (the job's WCET expressed in accesses). */
  accessesPerJob: number;
  /**
   * The most distinct pages a job touches (the task's page set); absent: any
   * of B's. The response-time bound counts a job's faults per page.
   */
  pages?: number;
}

/** An instantiated workload: a deterministic, single-pass stream of accesses. */
export interface WorkloadStream {
  /** Pages of B's memory this stream addresses: every page index is in [0, pages). */
  readonly pages: number;
  /** Total accesses the stream produces before it ends. */
  readonly accesses: number;
  /** Compute cycles between consecutive accesses. */
  readonly computeCycles: number;
  /** Job structure for real-time workloads (`periodic`), null otherwise. */
  readonly jobs: JobStructure | null;
  /**
   * Fills `pages[0..n)` with page indices and `writes[0..n)` with 1 for a
   * write, 0 for a read, where n ≤ min(pages.length, writes.length).
   * Returns n; returns 0 once the stream has produced all its accesses.
   */
  fill(pages: Int32Array, writes: Uint8Array): number;
  /** Releases files or other resources (a no-op for generators). */
  close(): void;
}

/**
 * A registered workload: a plain object with its name as typed on the command
 * line, a one-line doc, its own parameter declarations (in addition to the
 * common ones), and a factory.
 */
export interface WorkloadDef<S extends ParamSpecs = ParamSpecs> {
  /** Name as typed after `--workload`. */
  readonly name: string;
  /** One line shown in `list`. */
  readonly doc: string;
  /** The workload's own parameters (not the common ones). */
  readonly params: S;
  /**
   * Creates the stream. Must be a pure function of its arguments: the same
   * arguments give the identical stream.
   * @throws WorkloadError (or ParamError) on bad parameters or unreadable input.
   */
  create(common: CommonWorkloadParams, params: ParamValues<S>, seed: number): WorkloadStream;
  /**
   * Optional one-time preparation, for workloads whose input needs I/O that
   * cannot be synchronous (e.g. `trace` imports a gzip'd lackey file through
   * zlib streams into its cache on disk). The runner never calls it: the CLI
   * awaits it once per workload before any run (bench/cli/validate.ts), with
   * the resolved parameters, and the runs then call `create` with the
   * parameters as given, so `create` must find what `prepare` left (on disk),
   * or refuse input that needs it with a message saying so. It may do I/O and
   * cache results; it must not change what the stream will contain. It
   * returns the parameters pointing at the prepared input (e.g. the cached
   * page trace), for a caller that wants to name it; the CLI does not.
   * @throws WorkloadError (or ParamError) on bad parameters or unreadable input.
   */
  prepare?(params: ParamValues<S>): Promise<ParamValues<S>>;
}

/** Raised for a bad workload configuration or input; the message is one clear line. */
export class WorkloadError extends Error {
  override name = 'WorkloadError';
}
