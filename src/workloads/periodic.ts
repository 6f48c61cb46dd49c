/**
 * `periodic`: a real-time task in the sense of Liu & Layland ("Scheduling
 * algorithms for multiprogramming in a hard-real-time environment", JACM
 * 1973): job k is released at cycle k·periodCycles, does `accessesPerJob`
 * accesses (its WCET, expressed in accesses), and must finish by the next
 * release (implicit deadline = period).
 *
 * Job k is accesses [k·accessesPerJob, (k+1)·accessesPerJob) of the stream;
 * the stream's `jobs` field carries this structure so the runner can hold B
 * until each release and compute response times and deadline misses. Every
 * job draws its accesses uniformly from the task's page set — the contiguous
 * block [0, jobPages) of B's memory, the buffers a control loop reads and
 * writes every period — with the common write ratio. The rest of B's memory
 * exists (it is checkpointed) but is not touched.
 *
 * Refused configurations, each with a message saying what to change:
 * - pure compute per job (accessesPerJob × computeCycles) longer than the
 *   period: every job would miss its deadline before any tracking cost;
 * - `accesses` not a whole number of jobs: a partial last job has no
 *   meaningful response time;
 * - `jobPages` larger than `pages`.
 */
import type { ParamSpecs } from '../params/params.ts';
import { checkCommon, checkSeed, generatorStream } from './common.ts';
import { Prng, PrngStream } from './prng.ts';
import type { JobStructure, WorkloadDef } from './types.ts';
import { WorkloadError } from './types.ts';

const params = {
  periodCycles: {
    type: 'integer',
    default: 2_000_000,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    unit: 'cycles',
    doc: 'Period and relative deadline of the task (job k is released at k·periodCycles).',
  },
  accessesPerJob: {
    type: 'integer',
    default: 1000,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    unit: 'accesses',
    doc: 'Accesses per job: the WCET of a job in accesses.',
  },
  jobPages: {
    type: 'integer',
    default: 64,
    min: 1,
    max: 2 ** 30,
    unit: 'pages',
    doc: "Pages of the task's page set, [0, jobPages), that every job touches.",
  },
} as const satisfies ParamSpecs;

/** The `periodic` workload. */
export const periodic: WorkloadDef<typeof params> = {
  name: 'periodic',
  doc: 'Real-time task: a job of accessesPerJob accesses on jobPages pages released every periodCycles.',
  params,
  create(common, p, seed) {
    checkCommon('periodic', common);
    checkSeed('periodic', seed);
    if (p.jobPages > common.pages) {
      throw new WorkloadError(
        `periodic: parameter 'jobPages' must be <= pages (${common.pages}), got ${p.jobPages}`,
      );
    }
    const computePerJob = p.accessesPerJob * common.computeCycles;
    if (computePerJob > p.periodCycles) {
      throw new WorkloadError(
        `periodic: pure compute per job, accessesPerJob × computeCycles = ${p.accessesPerJob} × ${common.computeCycles} = ${computePerJob} cycles, exceeds periodCycles = ${p.periodCycles}; every job would miss its deadline (raise periodCycles or lower accessesPerJob or computeCycles)`,
      );
    }
    if (common.accesses % p.accessesPerJob !== 0) {
      const jobs = Math.max(1, Math.round(common.accesses / p.accessesPerJob));
      throw new WorkloadError(
        `periodic: accesses (${common.accesses}) must be a whole number of jobs of accessesPerJob = ${p.accessesPerJob} accesses, e.g. ${jobs * p.accessesPerJob}`,
      );
    }
    const rng = Prng.seeded(seed, PrngStream.pages);
    const jobPages = p.jobPages;
    return generatorStream(common, seed, (pages, n) => rng.fillBelow(pages, 0, n, jobPages), {
      periodCycles: p.periodCycles,
      accessesPerJob: p.accessesPerJob,
      pages: jobPages,
    });
  },
};

/** Where job k of a periodic stream lies, in accesses and in cycles. */
export interface JobWindow {
  /** Index of the job's first access in the stream. */
  firstAccess: number;
  /** Index one past the job's last access. */
  endAccess: number;
  /** Cycle at which the job is released: k · periodCycles. */
  releaseCycle: number;
  /** Cycle by which it must complete: the next release. */
  deadlineCycle: number;
}

/** Job k's accesses, release and deadline, as the job structure defines them. */
export function jobWindow(jobs: JobStructure, k: number): JobWindow {
  return {
    firstAccess: k * jobs.accessesPerJob,
    endAccess: (k + 1) * jobs.accessesPerJob,
    releaseCycle: k * jobs.periodCycles,
    deadlineCycle: (k + 1) * jobs.periodCycles,
  };
}
