/** The runner: the only surface the CLI, benchmarks and scripts import. */
export { ConfigError, type PreparedRun, prepareRun, type RunOverrides, runExperiment } from './runner.ts';
export { summarizeStalls } from './stats.ts';
export { CheckpointStore } from './store.ts';
export type { RunConfig, RunMetrics, RunResult, StallSummary } from './types.ts';
