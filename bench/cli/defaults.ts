/**
 * What `npm run bench` runs when not told otherwise. The workloads' own
 * parameter defaults live with their declarations; these are only the CLI's
 * choices of what to compare.
 */
import type { CommonWorkloadParams } from '../../src/workloads/index.ts';

/** The profile of the default comparison: the platform the thesis is about. */
export const DEFAULT_PROFILE = 'fiasco-oc-x86_64';

/**
 * Workloads of the default comparison, chosen to show the strategies apart:
 * a sweep (every page written once per pass: the per-fault cost), uniform
 * (large working set), zipf (skewed, small hot set: where precise tracking
 * pays) and periodic (a real-time task: worst-case response time).
 */
export const DEFAULT_WORKLOADS: readonly string[] = ['sequential', 'uniform', 'zipf', 'periodic'];

/** Checkpoint interval when `--interval` is not given. */
export const DEFAULT_INTERVAL = '10ms';

/**
 * Common workload parameters the default comparison uses instead of the
 * workloads' own defaults, when the option is not given. Empty: the
 * workloads' defaults finish the default comparison in time.
 */
export const DEFAULT_COMPARISON: Partial<CommonWorkloadParams> = {};
