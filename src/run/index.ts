/** The runner: the only surface the CLI, benchmarks and scripts import. */
export { buildMetrics, CheckpointLedger } from './metrics.ts';
export { ConfigError, type PreparedRun, prepareRun, type RunOverrides } from './prepare.ts';
export { runExperiment } from './runner.ts';
export { summarizeStalls } from './stats.ts';
export { CheckpointStore } from './store.ts';
export type { RunConfig, RunMetrics, RunResult, StallSummary } from './types.ts';
