/** The runner: the only surface the CLI, benchmarks and scripts import. */
export { knownBaseline, rememberBaseline, SharedBaseline, sharedBaselineKey } from './baseline.ts';
export {
  COPIER_PRIORITIES,
  COPY_MODES,
  COW_OVERRUNS,
  type CopierSettings,
  type CopyMode,
  type CowMetrics,
  defaultSliceCycles,
} from './cow.ts';
export { checkExactResult, strategyBounds } from './exact.ts';
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
