/**
 * A worker thread of the pool: runs the configurations it is sent, one at a
 * time, and posts each result (or the error's name and message) back, with
 * the run's baseline, so the pool can hand it to runs sharing it.
 */
import { parentPort } from 'node:worker_threads';
import {
  knownBaseline,
  type ReplayOutcome,
  type RunConfig,
  type RunResult,
  rememberBaseline,
  runExperiment,
  SharedBaseline,
} from '../../src/run/index.ts';

/**
 * A run to do: its index in the plan, its configuration, and its baseline
 * when another run replayed it. Else `shared`, its baseline's shared slot
 * (SharedBaseline), and `replay`: whether this run replays the baseline
 * beside its own (and writes it to the slot), or reads it from the slot at
 * its end, replaying it then only if no other worker has written it.
 */
export interface Task {
  index: number;
  config: RunConfig;
  baseline: ReplayOutcome | undefined;
  shared: SharedArrayBuffer;
  replay: boolean;
}

/** What a worker posts back for a task. */
export type Reply =
  | { index: number; result: RunResult; baseline: ReplayOutcome | undefined }
  | { index: number; error: { name: string; message: string; stack: string | undefined } };

const port = parentPort;
if (port) {
  port.on('message', (task: Task) => {
    let reply: Reply;
    try {
      if (task.baseline !== undefined) rememberBaseline(task.config, task.baseline);
      const shared = new SharedBaseline(task.shared);
      const result = runExperiment(task.config, task.replay ? {} : { baselineLater: () => shared.read() });
      const baseline = knownBaseline(task.config);
      if (baseline !== undefined) shared.write(baseline);
      reply = { index: task.index, result, baseline };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      reply = { index: task.index, error: { name: err.name, message: err.message, stack: err.stack } };
    }
    port.postMessage(reply);
  });
}
