/**
 * `npm run calibrate [-- --out FILE] [--profile-out FILE] [--from FILE] [--cpu C] [--quick]`:
 * runs the native microbenchmarks (calibrate.c) and writes a raw calibration file,
 * `dirtybench/calibration@1`: every benchmark as empirical distributions in
 * ns (quantiles p0 … max, n, mean), citing the command, the machine
 * (/proc/cpuinfo), the kernel and the date; then the cost profile
 * `linux-x86_64-here` made from it (profile.ts: distributions where the
 * fault path's spread lives, every measured figure citing the command, date
 * and machine). `PROFILE_MAPPING` below (also written into the file) says
 * which benchmark feeds which field. `--from FILE` makes the profile from an
 * existing calibration file without measuring.
 *
 * Default output: results/calibration/<UTC time>-calibration.json and
 * results/calibration/linux-x86_64-here.json (what `npm run validate` reads).
 * Exit codes (command.ts): 0 written; 1 a benchmark failed; 2 bad usage or no C compiler.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gitCommit, harnessVersion } from '../../bench/cli/document.ts';
import { checkFileTarget, makeDirs, timestampName } from '../../bench/cli/files.ts';
import { resultsRoot } from '../../bench/cli/paths.ts';
import { writeFileAtomic } from '../../src/io/index.ts';
import { ProfileError, parseProfile } from '../../src/platform/index.ts';
import { buildNative } from './build.ts';
import { NativeRunError, runIfMain, UsageError } from './command.ts';
import { describeMachine, type Machine, nominalCpuHz } from './machine.ts';
import { CalibrationError, type CalibrationInput, calibratedProfile, HERE_PROFILE } from './profile.ts';
import { type Distribution, distribution } from './quantiles.ts';
import { REPLAY_EXIT } from './replay.ts';

export const CALIBRATION_SCHEMA = 'dirtybench/calibration@1';

/** Pages either side of Linux's single-page flush ceiling (arch/x86/mm/tlb.c tlb_single_page_flush_ceiling = 33). */
export const PROTECT_PAGES = [1, 2, 4, 8, 16, 32, 33, 34, 64, 128, 256, 512, 1024] as const;

/** One microbenchmark: its key in the file, what it measures, and the calibrate.c arguments. */
interface Bench {
  key: string;
  doc: string;
  args: string[];
  /** Per-sample series derived from two of the series (same length, same order). */
  derive?: { name: string; doc: string; from: string; minus: string };
}

/** Sizes: the full set, or `quick` (a smoke run in seconds). */
function benches(quick: boolean): Bench[] {
  const n = (full: number) => String(quick ? Math.max(16, Math.round(full / 50)) : full);
  const region = quick ? '4096' : '16384'; // B's memory in the validation workloads: 16 Ki pages, 64 MiB
  const large = quick ? '16384' : '262144'; // 1 GiB: far beyond the caches and the TLB's reach
  const faultPages = quick ? '256' : '4096';
  const outsideHandler = {
    name: 'outsideHandler',
    doc: 'per fault: latency minus the handler time (trap, delivery, wake-up, return and the retried store)',
    from: 'fault',
    minus: 'handler',
  };
  const list: Bench[] = [
    {
      key: 'clock',
      doc: 'two back-to-back CLOCK_MONOTONIC reads: the timing cost inside every sample',
      args: ['clock', n(100000)],
    },
    { key: 'syscall', doc: 'getppid(2): a system call entry and exit', args: ['syscall', n(100000)] },
    {
      key: 'store.untracked',
      doc: `a timed 8-byte store to a random page of ${region} untracked pages: the non-fault part of a fault latency`,
      args: ['store', region, n(100000)],
    },
    {
      key: 'read.random',
      doc: `a timed 8-byte load from a random line of a random page of ${region} pages (B's memory in the validation)`,
      args: ['read', region, n(200000)],
    },
    {
      key: 'read.random.large',
      doc: `a timed 8-byte load from a random line of a random page of ${large} pages: TLB miss and cache misses`,
      args: ['read', large, n(200000)],
    },
    {
      key: 'copy.hot',
      doc: '4 KiB memcpy, source and destination in cache',
      args: ['copy', 'hot', n(100000)],
    },
    {
      key: 'copy.cold',
      doc: `4 KiB memcpy between random pages of two ${large === '262144' ? '131072' : '8192'}-page regions`,
      args: ['copy', 'cold', large === '262144' ? '131072' : '8192', n(50000)],
    },
    {
      key: 'fault.mprotect',
      doc: `first write to a write-protected page (mprotect + SIGSEGV handler that mprotects it writable), ${faultPages} pages in random order, 4 rounds`,
      args: ['fault', 'mprotect', faultPages, '4'],
      derive: outsideHandler,
    },
    {
      key: 'fault.uffd-wp.same-cpu',
      doc: 'first write to a userfaultfd-write-protected page, handler thread on the writer’s CPU (UFFDIO_WRITEPROTECT mode 0 wakes the writer)',
      args: ['fault', 'uffd-wp', faultPages, '4', 'same'],
      derive: outsideHandler,
    },
    {
      key: 'fault.uffd-wp.other-cpu',
      doc: 'as fault.uffd-wp.same-cpu with the handler thread on the other CPU',
      args: ['fault', 'uffd-wp', quick ? '64' : '1024', '2', 'other'],
      derive: outsideHandler,
    },
    {
      key: 'fault.uffd-async',
      doc: 'first write to a page write-protected with UFFD_FEATURE_WP_ASYNC: resolved in the kernel',
      args: ['fault', 'uffd-async', faultPages, '4'],
    },
    {
      key: 'fault.soft-dirty',
      doc: 'first write after clear_refs 4 (soft-dirty): resolved in the kernel',
      args: ['fault', 'soft-dirty', faultPages, '4'],
    },
  ];
  for (const kind of ['mprotect', 'uffd'] as const) {
    for (const k of PROTECT_PAGES) {
      list.push({
        key: `protect.${kind}.${k}`,
        doc: `${kind === 'mprotect' ? 'mprotect(PROT_READ) then mprotect(PROT_READ|PROT_WRITE)' : 'UFFDIO_WRITEPROTECT mode WP then mode 0'} of ${k} contiguous written pages`,
        args: ['protect', kind, String(k), n(200)],
      });
    }
  }
  for (const written of quick ? [0, 1024] : [0, 1024, 8192]) {
    list.push({
      key: `scan.uffd-async.${written}`,
      doc: `PAGEMAP_SCAN with PM_SCAN_WP_MATCHING over ${region} pages, ${written} random writes since the last scan (get and re-protect)`,
      args: ['scan', region, String(written), n(100)],
    });
  }
  return list;
}

/**
 * Which benchmark feeds which field of src/platform/profiles/linux-x86_64.json
 * (ns → cycles at the profile's cpu.hz). The model composes a fault-notify
 * fault as pageFaultTrap + 2·ipcOneWay + handlerWork + mapPerPage + pageWalk
 * (src/strategies/fault-notify) and a kernel-log fault as pageFaultTrap +
 * logAppend + pageWalk (src/strategies/kernel-log). "−" between series of the
 * same benchmark is per sample; between benchmarks it is of distributions
 * (quantile by quantile), which is an approximation the generator must state.
 */
export const PROFILE_MAPPING: Readonly<Record<string, string>> = {
  'cpu.hz': 'machine.nominalCpuHz (the kernel’s cpu MHz: a convention, not a measured core clock)',
  'kernel.pageFaultTrap':
    'fault.mprotect.outsideHandler − store.untracked: trap, signal delivery and sigreturn',
  'kernel.ipcOneWay':
    '(fault.uffd-wp.same-cpu.outsideHandler − kernel.pageFaultTrap − store.untracked) / 2: the two switches',
  'checkpointer.handlerWork': 'fault.uffd-wp.same-cpu.handler − kernel.mapPerPage',
  'kernel.mapPerPage': 'protect.uffd.1.unprotect − syscall: write-enabling one page',
  'kernel.logAppend':
    'fault.uffd-async.fault − store.untracked − kernel.pageFaultTrap: the in-kernel resolution',
  'kernel.syscall': 'syscall − clock',
  'kernel.unmapPerPage':
    'slope of protect.uffd.K.protect over K > 33 (per page, after the full flush); mprotect’s for a mprotect profile',
  'mmu.tlbInvalidatePage': 'slope of protect.uffd.K.protect over K ≤ 33 − kernel.unmapPerPage',
  'mmu.tlbFlushAll':
    'protect.uffd.34.protect − protect.uffd.33.protect + 33·mmu.tlbInvalidatePage − kernel.unmapPerPage (the step at the ceiling)',
  'kernel.logScanPerPage':
    '(scan.uffd-async.W − scan.uffd-async.0) / W for the re-protected pages; scan.uffd-async.0 / pages for the walk',
  'checkpointer.copyPage':
    'copy.cold − clock (B’s pages at a checkpoint are mostly not cached; copy.hot is the floor)',
  'mmu.pageWalk':
    'read.random.large − read.random at a TLB-resident size would isolate the walk; the model has no caches, so read.random − clock (walk plus cache misses) is what a TLB miss costs it',
  'fault-notify with the handler on the other CPU':
    'fault.uffd-wp.other-cpu (the model has one core: a profile variant)',
};

type Series = Record<string, Distribution>;

interface BenchResult {
  doc: string;
  command: string;
  distributions: Series;
  /** Parameters calibrate.c reported besides the samples (pages, mechanism, handler CPU…). */
  params: Record<string, unknown>;
}

interface Calibration {
  schema: typeof CALIBRATION_SCHEMA;
  command: string;
  createdAt: string;
  harness: string;
  gitCommit: string | null;
  machine: Machine & { nominalCpuHz: number | null };
  clock: string;
  unit: 'ns';
  note: string;
  benchmarks: Record<string, BenchResult>;
  /** Benchmarks this machine cannot run, with the reason. */
  skipped: Record<string, string>;
  profileMapping: Readonly<Record<string, string>>;
}

/** Runs one benchmark; the reason instead when its mechanism is unavailable here. */
function runBench(program: string, b: Bench, cpu: number): BenchResult | string {
  let stdout: string;
  try {
    stdout = execFileSync(program, [...b.args, '--cpu', String(cpu)], {
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const status = (e as { status?: number }).status;
    const stderr = ((e as { stderr?: string }).stderr ?? '').trim();
    if (status === REPLAY_EXIT.unavailable) return stderr.replace(/^calibrate: unavailable: /, '');
    throw new NativeRunError(
      `calibrate ${b.args.join(' ')} failed (${status}): ${stderr}`,
      status === 2 ? 2 : 1,
    );
  }
  const raw = JSON.parse(stdout) as { bench: string; series: Record<string, number[]> } & Record<
    string,
    unknown
  >;
  const distributions: Series = {};
  for (const [name, samples] of Object.entries(raw.series)) {
    if (samples.length > 0) distributions[name] = distribution(samples);
  }
  if (b.derive) {
    const from = raw.series[b.derive.from] ?? [];
    const minus = raw.series[b.derive.minus] ?? [];
    if (from.length === minus.length && from.length > 0) {
      distributions[b.derive.name] = distribution(from.map((v, i) => v - minus[i]!));
    }
  }
  const { bench: _bench, series: _series, ...params } = raw;
  return { doc: b.doc, command: `calibrate ${b.args.join(' ')}`, distributions, params };
}

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      'profile-out': { type: 'string' },
      from: { type: 'string' },
      cpu: { type: 'string', default: '0' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'Usage: npm run calibrate [-- --out FILE] [--profile-out FILE] [--from FILE] [--cpu C] [--quick]\n\nRuns the native microbenchmarks, writes their distributions (dirtybench/calibration@1) and the profile linux-x86_64-here made from them\n(default results/calibration/linux-x86_64-here.json). --from FILE: make the profile from that calibration file, measuring nothing.\n',
    );
    return 0;
  }
  const cpu = Number(values.cpu);
  if (!Number.isInteger(cpu) || cpu < 0)
    throw new UsageError(`--cpu must be a CPU number, got '${values.cpu}'`);
  const profileOut = resolve(values['profile-out'] ?? defaultHereProfile());
  if (values['profile-out'] === undefined) makeDirs(resolve(profileOut, '..'));
  checkFileTarget('--profile-out', profileOut);
  if (values.from !== undefined) {
    writeHereProfile(readCalibration(resolve(values.from)), profileOut);
    return 0;
  }
  const createdAt = new Date();
  const out = resolve(
    values.out ?? resolve(resultsRoot(), 'calibration', `${timestampName(createdAt)}-calibration.json`),
  );
  if (values.out === undefined) makeDirs(resolve(out, '..'));
  checkFileTarget('--out', out);
  const program = buildNative('calibrate');
  const machine = describeMachine();
  const calibration: Calibration = {
    schema: CALIBRATION_SCHEMA,
    command: ['npm run calibrate --', ...args].join(' '),
    createdAt: createdAt.toISOString(),
    harness: harnessVersion(),
    gitCommit: gitCommit(),
    machine: { ...machine, nominalCpuHz: nominalCpuHz(machine) },
    clock: 'CLOCK_MONOTONIC',
    unit: 'ns',
    note: 'Every sample is one region timed between two clock reads on the measuring thread, pinned to machine CPU --cpu; it includes about one clock read (benchmarks.clock). Quantiles: linear interpolation between order statistics (type 7).',
    benchmarks: {},
    skipped: {},
    profileMapping: PROFILE_MAPPING,
  };
  for (const b of benches(values.quick)) {
    process.stderr.write(`calibrate: ${b.key}\n`);
    const result = runBench(program, b, cpu);
    if (typeof result === 'string') {
      calibration.skipped[b.key] = result;
      process.stderr.write(`calibrate: skipped ${b.key}: ${result}\n`);
    } else {
      calibration.benchmarks[b.key] = result;
    }
  }
  writeFileAtomic(out, `${JSON.stringify(calibration, null, 2)}\n`);
  process.stderr.write(`calibration: ${out}\n`);
  writeHereProfile(calibration, profileOut);
  return 0;
}

/** Where calibrate writes `linux-x86_64-here`, and validate looks for it first. */
export function defaultHereProfile(): string {
  return resolve(resultsRoot(), 'calibration', `${HERE_PROFILE}.json`);
}

/** Reads a calibration file. @throws UsageError when unreadable or not a calibration. */
function readCalibration(path: string): CalibrationInput {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--from ${path}: cannot read a calibration (${(e as Error).message})`);
  }
  if ((json as { schema?: unknown }).schema !== CALIBRATION_SCHEMA)
    throw new UsageError(`--from ${path}: not a ${CALIBRATION_SCHEMA} file`);
  return json as CalibrationInput;
}

/** Makes `linux-x86_64-here` from `calibration`, checks it loads, writes it atomically. */
function writeHereProfile(calibration: CalibrationInput, path: string): void {
  let profile: ReturnType<typeof calibratedProfile>;
  try {
    profile = calibratedProfile(calibration);
    parseProfile(profile, path);
  } catch (e) {
    if (e instanceof CalibrationError || e instanceof ProfileError)
      throw new NativeRunError(`calibrate: cannot make ${HERE_PROFILE}: ${e.message}`, 1);
    throw e;
  }
  writeFileAtomic(path, `${JSON.stringify(profile, null, 2)}\n`);
  process.stderr.write(`profile: ${path}\n`);
}

await runIfMain(import.meta.url, 'calibrate', main);
