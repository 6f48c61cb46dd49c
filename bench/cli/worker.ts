/**
 * A worker thread of the pool: runs the configurations it is sent, one at a
 * time, and posts each result (or the error's name and message) back.
 */
import { parentPort } from 'node:worker_threads';
import { type RunConfig, type RunResult, runExperiment } from '../../src/run/index.ts';

/** A run to do: its index in the plan and its configuration. */
export interface Task {
  index: number;
  config: RunConfig;
}

/** What a worker posts back for a task. */
export type Reply =
  | { index: number; result: RunResult }
  | { index: number; error: { name: string; message: string; stack: string | undefined } };

const port = parentPort;
if (port) {
  port.on('message', (task: Task) => {
    let reply: Reply;
    try {
      reply = { index: task.index, result: runExperiment(task.config) };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      reply = { index: task.index, error: { name: err.name, message: err.message, stack: err.stack } };
    }
    port.postMessage(reply);
  });
}
