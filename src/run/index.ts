/** The runner: the only surface the CLI, benchmarks and scripts import. */
export { knownBaseline, rememberBaseline, sharedBaselineKey } from './baseline.ts';
export { buildMetrics, CheckpointLedger } from './metrics.ts';
export { ConfigError, type PreparedRun, prepareRun, type RunOverrides } from './prepare.ts';
export type { ReplayOutcome } from './replay.ts';
export { runExperiment } from './runner.ts';
export { summarizeStalls } from './stats.ts';
export { CheckpointStore } from './store.ts';
export type { RunConfig, RunMetrics, RunResult, StallSummary } from './types.ts';
