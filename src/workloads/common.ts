/**
 * What every workload shares: the declarations and validation of the common
 * parameters (docs/design.md §4), the write-ratio draw, and the batching shell that
 * turns a generator's page loop into a {@link WorkloadStream}.
 */
import { checkParam, type IntegerParam, type NumberParam } from '../params/params.ts';
import { bernoulliThreshold31, Prng, PrngStream } from './prng.ts';
import type { CommonWorkloadParams, JobStructure, WorkloadStream } from './types.ts';
import { WorkloadError } from './types.ts';

/**
 * Largest memory a workload may address, in 4 KiB pages: 2^29 pages = 2 TiB.
 * Page indices then fit an `Int32Array` with room to spare, the binary page
 * trace packs an index into 30 bits of a record word, and the emulated MMU
 * keeps a TLB tag (page << 2) in an int32. It equals the platform's MAX_PAGES
 * (src/platform/records.ts; a test in src/run checks they agree), restated
 * here because workloads import nothing of the platform.
 */
export const MAX_PAGES = 2 ** 29;

/**
 * Largest `computeCycles` per access: 2^32, the platform's bound on one cost
 * figure (src/platform/exact.ts, the exact-integer rule, rule 2), restated
 * here because workloads import nothing of the platform (src/run/exact.test.ts
 * checks they agree).
 */
export const MAX_COMPUTE_CYCLES = 2 ** 32;

/** Declarations of the common parameters, for validation messages and `list`. */
export const commonParamSpecs: {
  readonly pages: IntegerParam;
  readonly accesses: IntegerParam;
  readonly writeRatio: NumberParam;
  readonly computeCycles: IntegerParam;
} = {
  pages: {
    type: 'integer',
    default: 16384,
    min: 1,
    max: MAX_PAGES,
    unit: 'pages',
    doc: "Size of B's memory in 4 KiB pages (ignored by trace: its memory is its touched pages).",
  },
  accesses: {
    type: 'integer',
    default: 1_000_000,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    unit: 'accesses',
    doc: 'Number of accesses to generate (for trace, 0 replays the whole trace).',
  },
  writeRatio: {
    type: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    doc: 'Probability that an access is a write (ignored by trace: the trace says).',
  },
  computeCycles: {
    type: 'integer',
    default: 100,
    min: 0,
    max: MAX_COMPUTE_CYCLES,
    unit: 'cycles',
    doc: 'Compute cycles B spends between two accesses.',
  },
};

/**
 * Validates the common parameters for workload `owner` in one place.
 * Generators need at least one access; a trace accepts 0 (= the whole trace).
 * @throws ParamError naming the workload, the key and the accepted range.
 */
export function checkCommon(
  owner: string,
  common: CommonWorkloadParams,
  opts: { trace?: boolean } = {},
): void {
  checkParam(owner, 'pages', commonParamSpecs.pages, common.pages);
  const accessesSpec: IntegerParam = opts.trace
    ? { ...commonParamSpecs.accesses, min: 0 }
    : commonParamSpecs.accesses;
  checkParam(owner, 'accesses', accessesSpec, common.accesses);
  checkParam(owner, 'writeRatio', commonParamSpecs.writeRatio, common.writeRatio);
  checkParam(owner, 'computeCycles', commonParamSpecs.computeCycles, common.computeCycles);
  checkComputeTotal(owner, common.accesses, common.computeCycles);
}

/**
 * Refuses a stream whose compute alone, accesses × computeCycles, passes
 * 2^53 − 1 cycles: every run of it would pass the limit where cycle counts
 * stop being exact (src/platform/exact.ts, rule 3). A product that rounded
 * is at least 2^53, so the check is exact.
 * @throws WorkloadError naming both figures.
 */
export function checkComputeTotal(owner: string, accesses: number, computeCycles: number): void {
  if (accesses * computeCycles <= Number.MAX_SAFE_INTEGER) return;
  throw new WorkloadError(
    `${owner}: accesses × computeCycles = ${accesses} × ${computeCycles} cycles of compute alone pass 2^53 − 1 = ${Number.MAX_SAFE_INTEGER}, where cycle counts stop being exact (see src/platform/exact.ts); lower accesses or computeCycles`,
  );
}

/** Checks the seed the same way for every workload. */
export function checkSeed(owner: string, seed: number): void {
  if (!Number.isSafeInteger(seed))
    throw new WorkloadError(`${owner}: seed must be a safe integer, got ${seed}`);
}

/**
 * Fills `writes[0..n)` with write bits for `writeRatio`: an access is a write
 * when a draw's top 31 bits fall below round(writeRatio · 2^31) — one integer
 * compare, no float per access (see {@link Prng.fillBits}). Because the same
 * draw is compared against the threshold, the writes at ratio r are a subset
 * of the writes at any r' > r for the same seed. The constant ratios 0 and 1
 * draw nothing, which is one reason the decision has a PRNG stream of its
 * own: the pages chosen never depend on the ratio.
 */
export function fillWriteBits(writes: Uint8Array, n: number, rng: Prng, threshold31: number): void {
  if (threshold31 <= 0) writes.fill(0, 0, n);
  else if (threshold31 >= 2147483648) writes.fill(1, 0, n);
  else rng.fillBits(writes, n, threshold31);
}

/**
 * Fills `pages[0..n)` with the next n page indices of a generator. Called
 * once per batch (never per access); the generator keeps its state in the
 * closure, created once per stream.
 */
export type PageFiller = (pages: Int32Array, n: number) => void;

/**
 * Builds the stream shell shared by all generators: it counts the accesses
 * left, sizes each batch, asks the generator for page indices and draws the
 * write bits from their own stream. The content never depends on batch size.
 */
export function generatorStream(
  common: CommonWorkloadParams,
  seed: number,
  fillPages: PageFiller,
  jobs: JobStructure | null = null,
): WorkloadStream {
  const writeRng = Prng.seeded(seed, PrngStream.writes);
  const threshold = bernoulliThreshold31(common.writeRatio);
  let remaining = common.accesses;
  return {
    pages: common.pages,
    accesses: common.accesses,
    computeCycles: common.computeCycles,
    jobs,
    fill(pages: Int32Array, writes: Uint8Array): number {
      const n = Math.min(pages.length, writes.length, remaining);
      if (n <= 0) return 0;
      fillPages(pages, n);
      fillWriteBits(writes, n, writeRng, threshold);
      remaining -= n;
      return n;
    },
    close(): void {},
  };
}

/**
 * The number of pages a fraction of `pages` stands for: rounded to nearest,
 * at least 1 and at most `pages`, so a tiny memory still has a hot page.
 */
export function fractionOfPages(fraction: number, pages: number): number {
  return Math.min(pages, Math.max(1, Math.round(fraction * pages)));
}
