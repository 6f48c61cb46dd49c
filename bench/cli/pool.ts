/**
 * Runs configurations, in-process or spread over worker threads. A run is a
 * pure function of its plain-data `RunConfig`, so where it runs does not
 * change its result; results come back in the order of the configurations.
 * Workers take the next run when they finish one, so long and short runs
 * balance out.
 *
 * Runs on one workload share its baseline (src/run/baseline.ts). A worker
 * sends back the baseline it replayed, and the pool hands it with every later
 * run that shares it; and while a worker replays a baseline, the others are
 * given runs of other baselines first, so a baseline is replayed once, not
 * once per worker, wherever the plan allows. The costliest run of a baseline
 * does not replay it when other runs share it: the next of them given out
 * does, and writes it to memory the workers share (SharedBaseline), where the
 * costliest reads it at its end (replaying it only if it is not there yet).
 * The longest run of a sweep, which bounds its wall time with two workers or
 * more, then does not carry the baseline's replay too.
 *
 * Workers take the runs expected to take longest first (`expectedHostCost`),
 * so that a long run does not start last and leave the other workers idle
 * while it finishes; only the order runs are given out changes, never the
 * order of the results.
 */
import { Worker } from 'node:worker_threads';
import {
  prepareRun,
  type ReplayOutcome,
  type RunConfig,
  type RunResult,
  runExperiment,
  SharedBaseline,
  sharedBaselineKey,
  strategyBounds,
} from '../../src/run/index.ts';
import type { Reply, Task } from './worker.ts';

/**
 * Called after every finished run, as it finishes, with the number done so
 * far, the run's index among the configurations and its result. What it
 * throws stops the runs and is thrown by {@link runAll}.
 */
export type OnRunDone = (done: number, index: number, result: RunResult) => void;

/**
 * A worker thread. Compiled (dist/, `npm run bench`), it starts worker.js
 * directly. Run as TypeScript (tests, tsx): workers inherit
 * `process.execArgv`, but on Node 20 the `--import` loader tsx installs there
 * does not take effect in a worker (tsx issue #354: "Unknown file extension
 * .ts"), so the worker registers tsx's ESM loader itself before importing
 * worker.ts.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  const source = `import { register } from ${JSON.stringify(tsx)};\nregister();\nawait import(${JSON.stringify(entry)});\n`;
  return new Worker(source, { eval: true });
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

function runInWorkers(
  configs: readonly RunConfig[],
  threads: number,
  onDone?: OnRunDone,
): Promise<RunResult[]> {
  return new Promise((resolve, reject) => {
    const results: (RunResult | undefined)[] = new Array(configs.length);
    const workers: Worker[] = [];
    const retired = new Set<Worker>();
    const baselines = new BaselineBoard(configs);
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
      const index = baselines.next();
      if (index === undefined) {
        retired.add(w);
        void w.terminate();
        return;
      }
      const task: Task = {
        index,
        config: configs[index]!,
        baseline: baselines.known(index),
        shared: baselines.shared(index),
        replay: baselines.replays(index),
      };
      w.postMessage(task);
    };
    for (let i = 0; i < threads; i++) {
      const w = startWorker();
      workers.push(w);
      w.on('message', (reply: Reply) => {
        if (settled) return;
        if ('error' in reply) return stop(reviveError(reply.error));
        baselines.finished(reply.index, reply.baseline);
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

/**
 * What a run is expected to cost in host time, relative to the others of a
 * plan, derived from its strategy's analytic bounds rather than declared:
 * accesses × faultsPerPage × maxFaultStallCycles. Host time goes to the
 * modelled work (every RPC, region-map walk, unmap and re-arm a fault
 * resolution runs), which the simulated cycles of the costliest fault stall
 * measure, and a run has more faults the more accesses it makes and the more
 * often its strategy lets a page fault per interval. Strategies without
 * tracking faults get 0 and keep the plan's order after the others: their
 * host time is the MMU's fast path and the checkpoints' copies, small beside
 * a tracking fault's (in an all-strategies sweep of uniform at 64 Ki pages,
 * `per-page-rm` and `managed-dataspace` were ~90 % of the CPU). A run whose
 * configuration cannot be prepared is expected to cost the most, so that its
 * error comes first.
 */
export function expectedHostCost(config: RunConfig): number {
  try {
    const p = prepareRun(config);
    const pages = config.common.pages;
    const b = strategyBounds(p, pages, pages);
    return config.common.accesses * b.faultsPerPage * b.maxFaultStallCycles;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Which run a free worker takes next, and the baselines known so far: of the
 * runs not yet given out, in descending expected host cost (`cost`; ties in
 * the plan's order), the first whose baseline is known or not being replayed
 * by another worker, else the first. And which of them replays its baseline
 * beside its own run: none whose baseline is known or being replayed, nor the
 * first given out of a baseline other waiting runs share (the costliest:
 * the next given out replays it); any other.
 */
export class BaselineBoard {
  private readonly keys: string[];
  private readonly waiting: number[];
  private readonly replaying = new Set<string>();
  /** Baselines whose first run was given out without replaying it. */
  private readonly deferred = new Set<string>();
  /** Runs given out that replay their baseline. */
  private readonly replayers = new Set<number>();
  private readonly baselines = new Map<string, ReplayOutcome>();
  private readonly slots = new Map<string, SharedBaseline>();

  constructor(configs: readonly RunConfig[], cost: (config: RunConfig) => number = expectedHostCost) {
    this.keys = configs.map(sharedBaselineKey);
    const costs = configs.map(cost);
    // Array.prototype.sort is stable: equal costs keep the plan's order.
    this.waiting = configs.map((_, i) => i).sort((x, y) => costs[y]! - costs[x]! || x - y);
  }

  /** The run to give out next (then counted as running), or undefined when all are given out. */
  next(): number | undefined {
    if (this.waiting.length === 0) return undefined;
    let at = this.waiting.findIndex((i) => {
      const key = this.keys[i]!;
      return this.baselines.has(key) || !this.replaying.has(key);
    });
    if (at < 0) at = 0;
    const index = this.waiting.splice(at, 1)[0]!;
    const key = this.keys[index]!;
    if (this.baselines.has(key) || this.replaying.has(key)) return index;
    if (!this.deferred.has(key) && this.waiting.some((i) => this.keys[i] === key)) {
      this.deferred.add(key);
      return index;
    }
    this.replaying.add(key);
    this.replayers.add(index);
    return index;
  }

  /** Whether run `index`, given out, replays its baseline beside its own run (else it reads it at its end). */
  replays(index: number): boolean {
    return this.replayers.has(index);
  }

  /** The shared slot of run `index`'s baseline, where the run that replays it writes it. */
  shared(index: number): SharedArrayBuffer {
    const key = this.keys[index]!;
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = new SharedBaseline();
      this.slots.set(key, slot);
    }
    return slot.buffer;
  }

  /** The baseline to send with run `index`, if known. */
  known(index: number): ReplayOutcome | undefined {
    return this.baselines.get(this.keys[index]!);
  }

  /** Run `index` finished with `baseline`. */
  finished(index: number, baseline: ReplayOutcome | undefined): void {
    const key = this.keys[index]!;
    if (baseline !== undefined) this.baselines.set(key, baseline);
    this.replaying.delete(key);
  }
}
