/** The runner: the only surface the CLI, benchmarks and scripts import. */
export { knownBaseline, rememberBaseline, sharedBaselineKey } from './baseline.ts';
export { buildMetrics, CheckpointLedger, percentOver } from './metrics.ts';
export { ConfigError, type PreparedRun, prepareRun, type RunOverrides } from './prepare.ts';
export type { CheckpointTimer, ReplayOutcome } from './replay.ts';
export { runExperiment } from './runner.ts';
export {
  differenceInterval,
  halfWidth,
  type SeedSummary,
  studentT975,
  summarizeSeeds,
} from './seeds.ts';
export { nearestRank, summarizeStalls } from './stats.ts';
export { CheckpointStore } from './store.ts';
export type {
  FinalCheckpoint,
  IntervalFrom,
  RunConfig,
  RunMetrics,
  RunResult,
  StallSummary,
} from './types.ts';
