/**
 * Runs configurations, in-process or spread over worker threads. A run is a
 * pure function of its plain-data `RunConfig`, so where it runs does not
 * change its result; results come back in the order of the configurations.
 * Workers take the next run when they finish one, so long and short runs
 * balance out.
 */
import { Worker } from 'node:worker_threads';
import { type RunConfig, type RunResult, runExperiment } from '../../src/run/index.ts';
import type { Reply, Task } from './worker.ts';

/**
 * Called after every finished run, as it finishes, with the number done so
 * far, the run's index among the configurations and its result. What it
 * throws stops the runs and is thrown by {@link runAll}.
 */
export type OnRunDone = (done: number, index: number, result: RunResult) => void;

/**
 * The worker's entry. Workers inherit `process.execArgv`, but on Node 20 the
 * `--import` loader tsx installs there does not take effect in a worker
 * (tsx issue #354: "Unknown file extension .ts"), so the worker registers
 * tsx's ESM loader itself before importing worker.ts.
 */
function workerSource(): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  return `import { register } from ${JSON.stringify(tsx)};\nregister();\nawait import(${JSON.stringify(entry)});\n`;
}

/** Rebuilds a worker's error with its name, so exit codes can tell bad input from model bugs. */
function reviveError(e: { name: string; message: string; stack: string | undefined }): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

/**
 * Runs every configuration with up to `jobs` worker threads (in-process when 1).
 * @throws the first error a run raised (its name kept); the other workers are stopped.
 */
export async function runAll(
  configs: readonly RunConfig[],
  jobs: number,
  onDone?: OnRunDone,
): Promise<RunResult[]> {
  const threads = Math.min(jobs, configs.length);
  if (threads <= 1) return runInProcess(configs, onDone);
  return runInWorkers(configs, threads, onDone);
}

async function runInProcess(configs: readonly RunConfig[], onDone?: OnRunDone): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const config of configs) {
    const result = runExperiment(config);
    results.push(result);
    onDone?.(results.length, results.length - 1, result);
    // Let timers (the progress bar) and signals in between runs.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return results;
}

/**
 * Runs that share a baseline (src/run/baseline.ts: the same workload and
 * parameters, sizes, profile and seed), which a worker replays once and keeps.
 */
function baselineGroup(c: RunConfig): string {
  return JSON.stringify([c.profile.name, c.workload, c.workloadParams, c.common, c.seed]);
}

/**
 * Which run a worker takes next: the next run of the baseline group it is on,
 * else the first run of a group no other worker is on, else the first run
 * left. So each group's baseline is replayed by one worker, not by every
 * worker that happens to take one of its runs (with runs in plan order, two
 * workers taking turns would each replay every baseline). Only where runs go
 * changes, never what they give.
 */
export class Dispatcher {
  private readonly started: boolean[];
  /** Runs before this index have all started. */
  private first = 0;
  /** The group each worker is on. */
  private readonly on = new Map<unknown, string>();

  constructor(private readonly groups: readonly string[]) {
    this.started = groups.map(() => false);
  }

  /** The index of the run `worker` takes next, or undefined when every run has started. */
  next(worker: unknown): number | undefined {
    while (this.first < this.groups.length && this.started[this.first]) this.first++;
    if (this.first >= this.groups.length) return undefined;
    const mine = this.on.get(worker);
    const busy = new Set([...this.on].filter(([w]) => w !== worker).map(([, g]) => g));
    let fresh: number | undefined;
    let pick: number | undefined;
    for (let i = this.first; i < this.groups.length; i++) {
      if (this.started[i]) continue;
      if (this.groups[i] === mine) {
        pick = i;
        break;
      }
      if (fresh === undefined && !busy.has(this.groups[i]!)) fresh = i;
    }
    const index = pick ?? fresh ?? this.first;
    this.started[index] = true;
    this.on.set(worker, this.groups[index]!);
    return index;
  }
}

function runInWorkers(
  configs: readonly RunConfig[],
  threads: number,
  onDone?: OnRunDone,
): Promise<RunResult[]> {
  return new Promise((resolve, reject) => {
    const results: (RunResult | undefined)[] = new Array(configs.length);
    const workers: Worker[] = [];
    const retired = new Set<Worker>();
    const dispatch = new Dispatcher(configs.map(baselineGroup));
    let done = 0;
    let settled = false;
    const stop = (err: Error | undefined) => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve(results as RunResult[]);
    };
    const feed = (w: Worker) => {
      const index = dispatch.next(w);
      if (index === undefined) {
        retired.add(w);
        void w.terminate();
        return;
      }
      const task: Task = { index, config: configs[index]! };
      w.postMessage(task);
    };
    const source = workerSource();
    for (let i = 0; i < threads; i++) {
      const w = new Worker(source, { eval: true });
      workers.push(w);
      w.on('message', (reply: Reply) => {
        if (settled) return;
        if ('error' in reply) return stop(reviveError(reply.error));
        results[reply.index] = reply.result;
        done++;
        try {
          onDone?.(done, reply.index, reply.result);
        } catch (e) {
          return stop(e as Error);
        }
        if (done === configs.length) stop(undefined);
        else feed(w);
      });
      w.on('error', (e) => stop(e));
      w.on('exit', (code) => {
        if (!settled && !retired.has(w) && code !== 0)
          stop(new Error(`a worker thread exited with code ${code}`));
      });
      feed(w);
    }
  });
}
