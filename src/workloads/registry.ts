/**
 * Every workload, by the name typed after `--workload`. Adding a workload is
 * one file exporting a {@link WorkloadDef} and one line here.
 */
import { resolveParams } from '../params/params.ts';
import { hotcold } from './hotcold.ts';
import { periodic } from './periodic.ts';
import { phases } from './phases.ts';
import { sequential } from './sequential.ts';
import { stride } from './stride.ts';
import { trace } from './trace.ts';
import type { CommonWorkloadParams, WorkloadDef, WorkloadStream } from './types.ts';
import { uniform } from './uniform.ts';
import { zipf } from './zipf.ts';

/** All registered workloads, in the order `list` shows them. */
export const workloads: readonly WorkloadDef[] = [
  sequential,
  uniform,
  zipf,
  hotcold,
  phases,
  stride,
  periodic,
  trace,
];

/** The workload registered under `name`, or undefined. */
export function findWorkload(name: string): WorkloadDef | undefined {
  return workloads.find((w) => w.name === name);
}

/**
 * Resolves `given` workload parameters against the declarations (defaults
 * filled, unknown keys refused) and creates the stream: the two-phase set-up
 * in one call, for the runner and for tests.
 * @throws ParamError or WorkloadError with one clear line.
 * @example createWorkload(findWorkload('zipf')!, common, { theta: 0.8 }, 1)
 */
export function createWorkload(
  def: WorkloadDef,
  common: CommonWorkloadParams,
  given: Readonly<Record<string, unknown>>,
  seed: number,
): WorkloadStream {
  return def.create(common, resolveParams(def.name, def.params, given), seed);
}
