/**
 * `npm run native -- --trace FILE --interval N [options]`: replays a page
 * trace natively under every tracking mechanism this kernel offers (after
 * the `none` baseline), and writes the runs as `dirtybench/results@1`
 * (results.json, results.csv, summary.md in results/<time>-native_<trace>/ or
 * --out DIR), like `npm run bench` does for simulated runs. Prints a table
 * of faults, fault latency quantiles and pauses.
 *
 * Exit codes as the bench's: 0 measured; 1 a run failed verification (a
 * missed page, an image that differs, a fault count other than the trace's
 * first writes per interval); 2 bad usage or input, or no C compiler.
 */
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderCsv } from '../../bench/cli/csv.ts';
import { buildDocument, renderJson } from '../../bench/cli/document.ts';
import { checkOutputTargets, timestampName, writeResults } from '../../bench/cli/files.ts';
import { parseOptionNumber } from '../../bench/cli/numbers.ts';
import { resultsRoot } from '../../bench/cli/paths.ts';
import { renderSummary } from '../../bench/cli/report.ts';
import { summarizeStalls } from '../../src/run/index.ts';
import { readPageTraceHeader } from '../../src/workloads/index.ts';
import { runIfMain, UsageError } from './command.ts';
import { describeMachine, nominalCpuHz } from './machine.ts';
import { type ReplayRequest, runReplay } from './replay.ts';
import { asRunResults, MECHANISMS, type Mechanism, type NativeRun, nativeRun } from './results.ts';

const HELP = `Usage: npm run native -- --trace FILE --interval ACCESSES [options]

Replays a page trace (npm run bench -- export-trace) on this machine's memory under each
write-tracking mechanism, with a checkpoint after every ACCESSES accesses and at the end,
and writes dirtybench/results@1 runs with profile native-linux-<mechanism>.

  --trace FILE          page trace to replay
  --interval N          checkpoint every N accesses (0: only at the end)
  --checkpoints FILE    also checkpoint after these access counts (whitespace-separated)
  --mechanism LIST      comma-separated: ${MECHANISMS.join(', ')}, or all (default); none always runs (the baseline)
  --handler-cpu WHICH   uffd-wp handler thread on the same CPU, the other, or both (default both)
  --cpu C               CPU of the replaying thread (default 0)
  --cpu-hz HZ           nominal clock converting ns to cycles (default: cpu MHz of /proc/cpuinfo)
  --out DIR             write the result files into DIR instead of results/<time>-native_<trace>/
  --format F            stdout: table (default), json or csv
  --quiet               no notes on stderr
`;

interface Options {
  trace: string;
  interval: number;
  checkpoints: string | undefined;
  mechanisms: Mechanism[];
  handlerCpus: ('same' | 'other')[];
  cpu: number;
  cpuHz: number;
  out: string | undefined;
  format: 'table' | 'json' | 'csv';
  quiet: boolean;
}

const COUNT = { type: 'integer', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, doc: '' } as const;

function parse(args: string[]): Options | null {
  const { values } = parseArgs({
    args,
    options: {
      trace: { type: 'string' },
      interval: { type: 'string' },
      checkpoints: { type: 'string' },
      mechanism: { type: 'string', default: 'all' },
      'handler-cpu': { type: 'string', default: 'both' },
      cpu: { type: 'string', default: '0' },
      'cpu-hz': { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'table' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  if (values.trace === undefined) throw new UsageError('--trace FILE is required (see --help)');
  if (values.interval === undefined && values.checkpoints === undefined) {
    throw new UsageError('--interval N or --checkpoints FILE is required: where in the stream to checkpoint');
  }
  const words = values.mechanism.split(',').map((s) => s.trim());
  const mechanisms = words.includes('all') ? [...MECHANISMS] : (words as Mechanism[]);
  for (const m of mechanisms) {
    if (!MECHANISMS.includes(m))
      throw new UsageError(`unknown mechanism '${m}' (valid: ${MECHANISMS.join(', ')}, all)`);
  }
  const handler = values['handler-cpu'];
  if (!['same', 'other', 'both'].includes(handler)) {
    throw new UsageError(`--handler-cpu must be same, other or both, got '${handler}'`);
  }
  if (!['table', 'json', 'csv'].includes(values.format)) {
    throw new UsageError(`--format must be table, json or csv, got '${values.format}'`);
  }
  const nominal = nominalCpuHz(describeMachine());
  const cpuHz =
    values['cpu-hz'] !== undefined
      ? parseOptionNumber('cpu-hz', { ...COUNT, min: 1 }, values['cpu-hz'])
      : nominal;
  if (cpuHz === null) throw new UsageError('/proc/cpuinfo gives no cpu MHz: give --cpu-hz');
  return {
    trace: resolve(values.trace),
    interval: values.interval === undefined ? 0 : parseOptionNumber('interval', COUNT, values.interval),
    checkpoints: values.checkpoints === undefined ? undefined : resolve(values.checkpoints),
    mechanisms: MECHANISMS.filter((m) => m === 'none' || mechanisms.includes(m)),
    handlerCpus: handler === 'both' ? ['same', 'other'] : [handler as 'same' | 'other'],
    cpu: parseOptionNumber('cpu', COUNT, values.cpu),
    cpuHz,
    out: values.out,
    format: values.format as Options['format'],
    quiet: values.quiet,
  };
}

/** The replays a comparison makes, baseline first. */
export function plannedReplays(o: Options): ReplayRequest[] {
  const base = {
    trace: o.trace,
    interval: o.interval,
    cpu: o.cpu,
    ...(o.checkpoints ? { checkpoints: o.checkpoints } : {}),
  };
  const out: ReplayRequest[] = [];
  for (const mechanism of o.mechanisms) {
    if (mechanism === 'uffd-wp')
      for (const handlerCpu of o.handlerCpus) out.push({ ...base, mechanism, handlerCpu });
    else out.push({ ...base, mechanism });
  }
  return out;
}

function us(run: NativeRun, cycles: number): string {
  return ((cycles * 1e6) / run.cpuHz).toFixed(1);
}

/** The stdout table: one row per mechanism. */
export function renderNativeTable(runs: readonly NativeRun[]): string {
  const header = [
    'profile',
    'faults',
    'expected',
    'fault p50 µs',
    'p99 µs',
    'max µs',
    'mean pause µs',
    'runtime ms',
    'overhead %',
    'verification',
  ];
  const rows = runs.map((r) => {
    const s = summarizeFaults(r);
    return [
      r.profile,
      String(r.metrics.faults),
      String(r.metrics.native.expectedFaults),
      s ? us(r, s.p50Cycles) : '-',
      s ? us(r, s.p99Cycles) : '-',
      s ? us(r, s.maxCycles) : '-',
      r.metrics.pause.meanCycles !== null ? us(r, r.metrics.pause.meanCycles) : '-',
      ((r.metrics.runtimeCycles * 1e3) / r.cpuHz).toFixed(1),
      r.metrics.overheadPct !== null ? r.metrics.overheadPct.toFixed(1) : 'n/a',
      r.ok ? 'ok' : `FAIL: ${r.failures.join('; ')}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) =>
    row
      .map((v, i) => (i === 0 || i === row.length - 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}

function summarizeFaults(r: NativeRun) {
  return r.metrics.stallHistogram.fault.length > 0 ? summarizeStalls(r.metrics.stallHistogram.fault) : null;
}

/** Runs the command; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const o = parse(args);
  if (o === null) {
    process.stdout.write(HELP);
    return 0;
  }
  const note = (text: string) => {
    if (!o.quiet) process.stderr.write(`${text}\n`);
  };
  readPageTraceHeader(o.trace); // bad input stops here, before anything runs
  const targets = checkOutputTargets({ out: o.out, exports: [] }, resultsRoot());
  const createdAt = new Date();
  const machine = describeMachine();
  note(`native: ${machine.cpuModel}, ${machine.cpus} CPUs, Linux ${machine.kernel}, ${o.cpuHz} Hz nominal`);
  const runs: NativeRun[] = [];
  let baseline = null;
  for (const request of plannedReplays(o)) {
    const label = `${request.mechanism}${request.handlerCpu ? ` (handler on the ${request.handlerCpu} CPU)` : ''}`;
    const outcome = runReplay(request);
    if (outcome.kind === 'unavailable') {
      note(`native: skipped ${label}: ${outcome.reason}`);
      continue;
    }
    baseline ??= outcome.raw; // `none` runs first
    runs.push(nativeRun(outcome.raw, baseline, o.cpuHz, o.checkpoints ? null : o.interval));
    note(`native: ${label}: ${outcome.raw.faults} faults, ${(outcome.raw.runtimeNs / 1e6).toFixed(1)} ms`);
  }
  const doc = buildDocument(asRunResults(runs), {
    command: ['native', ...args],
    createdAt,
    wallSeconds: (Date.now() - createdAt.getTime()) / 1000,
  });
  const document = { ...doc, env: { ...doc.env, machine } };
  const json = renderJson(document as typeof doc);
  const files = {
    'results.json': json,
    'results.csv': renderCsv(doc.runs),
    // The summary's command line is written as the bench's; this one is npm run native.
    'summary.md': renderSummary(doc).replace('npm run bench -- native', 'npm run native --'),
  };
  const name = `${timestampName(createdAt)}-native_${basename(o.trace).replace(/[^A-Za-z0-9._+-]/g, '-')}`;
  const [where] = await writeResults(targets, files, name, note);
  process.stdout.write({ table: renderNativeTable(runs), json, csv: files['results.csv'] }[o.format]);
  note(`results: ${where}`);
  return runs.every((r) => r.ok) ? 0 : 1;
}

await runIfMain(import.meta.url, 'native', main);
