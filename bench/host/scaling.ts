/**
 * Host-speed figures of issue 16: whether host time follows the work done
 * rather than B's size. In-process: the host time of a checkpoint with a
 * fixed dirty set at a small and a large memory, and managed-dataspace's
 * simulated faults per host second. In child processes, as a user starts
 * them: the start-up of a trivial run, and a sweep with one worker thread
 * against two. These measure the host, never the model: no timed tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfile } from '../../src/platform/index.ts';
import { type RunConfig, runExperiment } from '../../src/run/index.ts';
import { strategies } from '../../src/strategies/index.ts';
import { parseInterval } from '../cli/numbers.ts';
import { REPO_ROOT } from '../cli/paths.ts';

/** The scenario: fault-notify, 64 hot pages taking every access, a checkpoint every 200 µs. */
export const CHECKPOINT_SETUP = {
  strategy: 'fault-notify',
  hotPages: 64,
  accesses: 2_000_000,
  interval: '200us',
  /** The memories compared: 4 Ki and 1 Mi pages. */
  pages: [4096, 1 << 20],
  /** Repetitions of each (alternating), the median kept. */
  repeats: 3,
} as const;

/** managed-dataspace's faults per host second on uniform. */
export const FAULT_SETUP = { pages: 65536, accesses: 2_000_000, repeats: 3 } as const;

/** The sweep timed with one and two worker threads (issue 16: uniform, 64 Ki pages, 10 M accesses). */
export const SWEEP_SETUP = { pages: 65536, accesses: 10_000_000 } as const;

/** What a trivial run is: one strategy, one access, no worker threads. */
export const TRIVIAL_RUN = ['--strategy=oracle', '--workload=uniform', '--accesses=1', '--jobs=1', '--quiet'];

/** Host time of the fixed-dirty-set scenario at one memory size. */
export interface CheckpointFigure {
  pages: number;
  checkpoints: number;
  /** Mean pages copied per checkpoint (the fixed dirty set: 64). */
  pagesPerCheckpoint: number | null;
  /** Wall seconds of `npm run bench -- …` for the scenario (start-up, set-up and baseline included), median. */
  cliSeconds: number;
  /**
   * Host CPU milliseconds a checkpoint adds, with the faults its re-arming
   * causes: (the run − the same run checkpointed only at its end) /
   * (checkpoints − 1), in-process, median.
   */
  msPerCheckpoint: number;
}

/** managed-dataspace's simulated faults per second of host time. */
export interface FaultFigure {
  pages: number;
  accesses: number;
  faults: number;
  /** Host CPU seconds of the run (baseline included), median. */
  seconds: number;
  faultsPerSecond: number;
  /**
   * Charged operations (Clock.charge and chargeCategory calls) per simulated
   * fault in the same run, counted by charge-probe.ts, and host nanoseconds
   * per charged operation: how fine the model is, beside how fast the host
   * runs it. Null when the probe failed.
   */
  chargesPerFault: number | null;
  nsPerCharge: number | null;
}

/** Start-up of a trivial run, as npm starts it and underneath npm. */
export interface StartupFigure {
  /** The arguments after `npm run bench --`. */
  args: string[];
  /** `node bench/start.mjs cli …` (what npm runs with exec), wall seconds, median. */
  seconds: number;
  /** Its CPU seconds (all threads), median; null without /proc. */
  cpuSeconds: number | null;
  /** `node -e 0` on this machine just then: Node's own start-up, median. */
  nodeSeconds: number;
  nodeCpuSeconds: number | null;
  /** `npm run --silent bench -- …`, wall seconds, median: adds npm's own start-up. */
  npmSeconds: number;
  repeats: number;
}

/** One sweep timed with one worker thread and with two. */
export interface JobsFigure {
  pages: number;
  accesses: number;
  /** The arguments after `npm run bench --`, without --jobs and --out. */
  args: string[];
  runs: number;
  jobs1Seconds: number;
  jobs2Seconds: number;
  /** CPU seconds of each (all threads; null without /proc): what two workers cost beyond one. */
  jobs1CpuSeconds: number | null;
  jobs2CpuSeconds: number | null;
  /** jobs1Seconds / jobs2Seconds. */
  speedup: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function scenario(pages: number, checkpointed = true): RunConfig {
  const profile = loadProfile('fiasco-oc-x86_64');
  return {
    profile,
    strategy: CHECKPOINT_SETUP.strategy,
    strategyParams: {},
    workload: 'hotcold',
    workloadParams: { hotFraction: CHECKPOINT_SETUP.hotPages / pages, hotAccessFraction: 1 },
    common: { pages, accesses: CHECKPOINT_SETUP.accesses, writeRatio: 0.5, computeCycles: 100 },
    intervalCycles: checkpointed
      ? parseInterval(CHECKPOINT_SETUP.interval, profile)
      : Number.MAX_SAFE_INTEGER,
    seed: 1,
  };
}

/** The scenario's command line after `npm run bench --`. */
function scenarioArgs(pages: number): string[] {
  const c = scenario(pages);
  return [
    `--strategy=${c.strategy}`,
    `--workload=${c.workload}`,
    `--pages=${pages}`,
    `--set=hotFraction=${c.workloadParams['hotFraction']}`,
    '--set=hotAccessFraction=1',
    `--accesses=${c.common.accesses}`,
    `--interval=${CHECKPOINT_SETUP.interval}`,
    '--jobs=1',
    '--quiet',
  ];
}

/** CPU seconds of this process (all its threads: the garbage collector's too). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Host CPU seconds of one run, in-process. */
function cpuOfRun(config: RunConfig): { result: ReturnType<typeof runExperiment>; seconds: number } {
  const t0 = cpuSeconds();
  const result = runExperiment(config);
  return { result, seconds: cpuSeconds() - t0 };
}

/**
 * The fixed-dirty-set scenario at each memory size: the CLI's wall time (as a
 * user meets it), and the host time per checkpoint (in-process CPU time, the
 * run against the same run without its periodic checkpoints, so set-up and
 * replay cancel out). Sizes alternate between repetitions.
 */
export function checkpointFigures(log: (line: string) => void): CheckpointFigure[] {
  const { pages: sizes, repeats } = CHECKPOINT_SETUP;
  const wall = sizes.map(() => [] as number[]);
  const perCheckpoint = sizes.map(() => [] as number[]);
  const results = sizes.map(() => null as ReturnType<typeof runExperiment> | null);
  for (let k = 0; k < repeats; k++) {
    sizes.forEach((pages, i) => {
      log(
        `checkpoint host time: ${CHECKPOINT_SETUP.strategy}, 64 hot pages of ${pages}, round ${k + 1} of ${repeats}`,
      );
      wall[i]!.push(timeBench(scenarioArgs(pages)).wall);
      const periodic = cpuOfRun(scenario(pages));
      const once = cpuOfRun(scenario(pages, false));
      perCheckpoint[i]!.push(((periodic.seconds - once.seconds) / (periodic.result.checkpoints - 1)) * 1000);
      results[i] = periodic.result;
    });
  }
  return sizes.map((pages, i) => ({
    pages,
    checkpoints: results[i]!.checkpoints,
    pagesPerCheckpoint: results[i]!.metrics.checkpointPages.mean,
    cliSeconds: median(wall[i]!),
    msPerCheckpoint: median(perCheckpoint[i]!),
  }));
}

/** The run faultFigure times (and charge-probe.ts counts): managed-dataspace on uniform, FAULT_SETUP. */
export function faultConfig(): RunConfig {
  const { pages, accesses } = FAULT_SETUP;
  return {
    profile: loadProfile('fiasco-oc-x86_64'),
    strategy: 'managed-dataspace',
    strategyParams: {},
    workload: 'uniform',
    workloadParams: {},
    common: { pages, accesses, writeRatio: 0.5, computeCycles: 100 },
    intervalCycles: (accesses * 100) / 10,
    seed: 1,
  };
}

/** managed-dataspace on uniform: simulated faults per host second. */
export function faultFigure(
  log: (line: string) => void,
  countCharges: () => { faults: number; charges: number } | null,
): FaultFigure {
  const { pages, accesses } = FAULT_SETUP;
  const config = faultConfig();
  const times: number[] = [];
  let faults = 0;
  for (let k = 0; k < FAULT_SETUP.repeats; k++) {
    log(`managed faults: managed-dataspace, uniform, ${pages} pages, run ${k + 1}`);
    const { result, seconds } = cpuOfRun(config);
    times.push(seconds);
    faults = result.metrics.faults;
  }
  const seconds = median(times);
  log('managed faults: counting the charged operations of the same run (charge-probe)');
  const counted = countCharges();
  if (counted !== null && counted.faults !== faults) {
    throw new Error(`charge-probe counted ${counted.faults} faults, the timed run had ${faults}`);
  }
  return {
    pages,
    accesses,
    faults,
    seconds,
    faultsPerSecond: faults / seconds,
    chargesPerFault: counted && counted.charges / faults,
    nsPerCharge: counted && (seconds * 1e9) / counted.charges,
  };
}

/** Wall seconds of a command, and its CPU seconds (all its processes and threads; null without /proc). */
export interface Timed {
  wall: number;
  cpu: number | null;
}

/**
 * CPU seconds of this process's finished children (cutime + cstime of
 * /proc/self/stat, proc(5), in USER_HZ = 100 ticks per second), or null
 * without /proc. On a shared machine CPU time moves far less than wall time.
 */
function childrenCpuSeconds(): number | null {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ", field 3 (state) is fields[0]; cutime and cstime are fields 16 and 17.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

/** Runs a command to its end; its wall and CPU seconds. */
function timeCommand(command: string, args: readonly string[]): Timed {
  const c0 = childrenCpuSeconds();
  const t0 = performance.now();
  const r = spawnSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  const c1 = childrenCpuSeconds();
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return { wall, cpu: c0 === null || c1 === null ? null : c1 - c0 };
}

const medianOf = (xs: Timed[]): Timed => ({
  wall: median(xs.map((x) => x.wall)),
  cpu: xs.some((x) => x.cpu === null) ? null : median(xs.map((x) => x.cpu!)),
});

/** The CLI as npm starts it (compiled JavaScript, rebuilt first when stale). */
const START = join(REPO_ROOT, 'bench', 'start.mjs');

/** Times `npm run bench -- args` underneath npm, with a fresh --out. */
export function timeBench(args: readonly string[]): Timed {
  const out = mkdtempSync(join(tmpdir(), 'dirtybench-host-'));
  try {
    return timeCommand(process.execPath, [START, 'cli', ...args, '--out', join(out, 'set')]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Start-up of a trivial run: the CLI, Node alone, and npm around the CLI, alternating. */
export function startupFigure(log: (line: string) => void, repeats = 5): StartupFigure {
  log(`start-up: ${TRIVIAL_RUN.join(' ')}, ${repeats} times each`);
  timeBench(TRIVIAL_RUN); // builds dist/ if stale, and warms the file cache
  const cli: Timed[] = [];
  const node: Timed[] = [];
  const npm: Timed[] = [];
  for (let k = 0; k < repeats; k++) {
    cli.push(timeBench(TRIVIAL_RUN));
    node.push(timeCommand(process.execPath, ['-e', '0']));
    const out = mkdtempSync(join(tmpdir(), 'dirtybench-host-'));
    try {
      npm.push(
        timeCommand('npm', ['run', '--silent', 'bench', '--', ...TRIVIAL_RUN, '--out', join(out, 'set')]),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  const c = medianOf(cli);
  const n = medianOf(node);
  return {
    args: TRIVIAL_RUN,
    seconds: c.wall,
    cpuSeconds: c.cpu,
    nodeSeconds: n.wall,
    nodeCpuSeconds: n.cpu,
    npmSeconds: medianOf(npm).wall,
    repeats,
  };
}

/** The all-strategies sweep with --jobs 1 and --jobs 2 (once each; two then one). */
export function jobsFigure(log: (line: string) => void, accesses: number = SWEEP_SETUP.accesses): JobsFigure {
  const args = ['--workload=uniform', `--pages=${SWEEP_SETUP.pages}`, `--accesses=${accesses}`, '--quiet'];
  log(`sweep: every strategy, ${args.join(' ')}, with --jobs 2`);
  const jobs2 = timeBench([...args, '--jobs=2']);
  log(`sweep: the same with --jobs 1`);
  const jobs1 = timeBench([...args, '--jobs=1']);
  return {
    pages: SWEEP_SETUP.pages,
    accesses,
    args,
    runs: strategies.length,
    jobs1Seconds: jobs1.wall,
    jobs2Seconds: jobs2.wall,
    jobs1CpuSeconds: jobs1.cpu,
    jobs2CpuSeconds: jobs2.cpu,
    speedup: jobs1.wall / jobs2.wall,
  };
}
