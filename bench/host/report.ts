/**
 * The host suite's results document (schema `dirtybench/host@1`) and its two
 * views: the plain-text report on stdout and the markdown summary written
 * beside the JSON in `results/host/`. Tables come from the one renderer
 * (../table.ts).
 */
import { markdownTable, type TableColumn, textTable } from '../table.ts';
import type { EngineFigure } from './engine.ts';
import type { CheckpointFigure, FaultFigure, JobsFigure, StartupFigure } from './scaling.ts';
import type { WorkloadFigures } from './workloads.ts';

export const HOST_SCHEMA = 'dirtybench/host@1';

/** Host bytes per emulated page of one strategy. */
export interface MemoryFigure {
  strategy: string;
  /** Host bytes per emulated page: the peak-RSS slope between {@link pagesLow} and {@link pagesHigh}. */
  bytesPerPage: number;
  pagesLow: number;
  pagesHigh: number;
}

/** A performance target (issues 6 and 16) and whether this run met it. */
export interface TargetFigure {
  target: string;
  observed: string;
  met: boolean;
}

/** Everything one `npm run bench:host` measured. */
export interface HostDocument {
  schema: typeof HOST_SCHEMA;
  env: {
    node: string;
    arch: string;
    cpu: string | null;
    cores: number;
    /** When the suite started, ISO 8601 UTC. */
    createdAt: string;
    /** The harness's git commit, or null outside a checkout. */
    gitCommit: string | null;
  };
  referenceAccessesPerSecond: number;
  engine: EngineFigure[];
  /** Host time of a fixed dirty set per checkpoint, at a small and a large memory. */
  checkpoints: CheckpointFigure[];
  /** managed-dataspace's simulated faults per host second. */
  managedFaults: FaultFigure;
  /** Start-up of a trivial run. */
  startup: StartupFigure;
  /** A sweep with --jobs 1 and --jobs 2 (null when skipped). */
  jobs: JobsFigure | null;
  memory: MemoryFigure[];
  replay: { accesses: number; traceBytes: number; rssGrowthBytes: number } | null;
  defaultBenchSeconds: number | null;
  targets: TargetFigure[];
  workloads: WorkloadFigures | null;
}

type Table = { columns: TableColumn[]; rows: string[][] };

const right = (header: string): TableColumn => ({ header, align: 'right' });
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

function engineTable(doc: HostDocument): Table {
  return {
    columns: [{ header: 'benchmark' }, right('M acc/s'), right('ratio')],
    rows: doc.engine.map((f) => [
      f.name,
      (f.accessesPerSecond / 1e6).toFixed(1),
      `${f.ratioToReference.toFixed(2)}x`,
    ]),
  };
}

function checkpointTable(doc: HostDocument): Table {
  return {
    columns: [
      right('pages'),
      right('checkpoints'),
      right('pages/checkpoint'),
      right('npm run bench s'),
      right('CPU ms/checkpoint'),
    ],
    rows: doc.checkpoints.map((c) => [
      String(c.pages),
      String(c.checkpoints),
      c.pagesPerCheckpoint === null ? 'n/a' : c.pagesPerCheckpoint.toFixed(1),
      c.cliSeconds.toFixed(2),
      c.msPerCheckpoint.toFixed(3),
    ]),
  };
}

const cpu = (seconds: number | null, digits: number) =>
  seconds === null ? '' : `, ${seconds.toFixed(digits)} CPU s`;

function processTable(doc: HostDocument): Table {
  const f = doc.managedFaults;
  const s = doc.startup;
  const rows = [
    [
      `managed-dataspace, uniform, ${f.pages} pages, ${f.accesses} accesses`,
      `${f.faults} faults in ${f.seconds.toFixed(2)} CPU s`,
      `${(f.faultsPerSecond / 1e6).toFixed(2)} M faults/s`,
    ],
    [
      'the same run: charged operations (Clock.charge calls) per fault, host time per operation',
      f.chargesPerFault === null ? 'charge probe failed' : `${f.chargesPerFault.toFixed(1)} per fault`,
      f.nsPerCharge === null ? '' : `${f.nsPerCharge.toFixed(1)} ns each`,
    ],
    [
      `start-up: npm run bench -- ${s.args.join(' ')}`,
      `${s.seconds.toFixed(3)} s${cpu(s.cpuSeconds, 3)} (npm adds: ${(s.npmSeconds - s.seconds).toFixed(3)} s)`,
      `node -e 0: ${s.nodeSeconds.toFixed(3)} s${cpu(s.nodeCpuSeconds, 3)}`,
    ],
  ];
  const j = doc.jobs;
  if (j) {
    rows.push([
      `${j.runs} runs: ${j.args.join(' ')}`,
      `--jobs 1: ${j.jobs1Seconds.toFixed(1)} s${cpu(j.jobs1CpuSeconds, 1)}; --jobs 2: ${j.jobs2Seconds.toFixed(1)} s${cpu(j.jobs2CpuSeconds, 1)}`,
      `${j.speedup.toFixed(2)}x`,
    ]);
  }
  return { columns: [{ header: 'what' }, { header: 'measured' }, right('figure')], rows };
}

function memoryTable(doc: HostDocument): Table {
  return {
    columns: [{ header: 'strategy' }, right('B/page'), right('from pages'), right('to pages')],
    rows: doc.memory.map((m) => [
      m.strategy,
      m.bytesPerPage.toFixed(1),
      String(m.pagesLow),
      String(m.pagesHigh),
    ]),
  };
}

function generationTable(w: WorkloadFigures): Table {
  return {
    columns: [{ header: 'workload' }, right('M accesses/s'), right('±%'), right('samples')],
    rows: w.generation.map((g) => [
      g.workload,
      (g.accessesPerSecond / 1e6).toFixed(1),
      g.rmePct.toFixed(1),
      String(g.samples),
    ]),
  };
}

function importTable(w: WorkloadFigures): Table {
  return {
    columns: [
      { header: 'input' },
      right('text MB'),
      right('file MB'),
      right('s'),
      right('text MB/s'),
      right('file MB/s'),
      right('peak RSS Δ MiB'),
      right('accesses'),
      right('pages'),
    ],
    rows: w.imports.map((i) => [
      i.input,
      mb(i.textBytes),
      mb(i.fileBytes),
      i.seconds.toFixed(3),
      i.textMBps.toFixed(1),
      i.fileMBps.toFixed(1),
      mib(i.peakRssDeltaBytes),
      String(i.accesses),
      String(i.pages),
    ]),
  };
}

function host(doc: HostDocument): string {
  const e = doc.env;
  return `node ${e.node}, ${e.arch}, ${e.cpu ?? 'cpu'} x ${e.cores}`;
}

function sections(doc: HostDocument): [string, Table][] {
  const out: [string, Table][] = [
    ['Engine (simulated accesses per second of host time; ratio = reference rate / rate)', engineTable(doc)],
    [
      'Host time per checkpoint, fault-notify with 64 hot pages (hotcold, 2 M accesses, every 200 µs; medians)',
      checkpointTable(doc),
    ],
    ['Faults (host CPU time), start-up and worker threads (wall time); medians', processTable(doc)],
    ['Host memory per emulated page (peak-RSS slope, median of three)', memoryTable(doc)],
  ];
  if (doc.workloads) {
    out.push(['Workload generation', generationTable(doc.workloads)]);
    out.push(['Lackey import', importTable(doc.workloads)]);
  }
  return out;
}

const targetLine = (t: TargetFigure) => `[${t.met ? 'met' : 'MISSED'}] ${t.target}: ${t.observed}`;

/** The report printed on stdout. */
export function renderHostText(doc: HostDocument): string {
  const out = [host(doc)];
  for (const [title, t] of sections(doc))
    out.push('', `${title}:`, ...textTable(t.columns, t.rows, { indent: '  ' }));
  out.push('', 'Targets (issues 6 and 16):', ...doc.targets.map((t) => `  ${targetLine(t)}`));
  return `${out.join('\n')}\n`;
}

/** The markdown summary written beside the JSON. */
export function renderHostMarkdown(doc: HostDocument): string {
  const out = [
    '# dirtybench host speed',
    '',
    `- created: ${doc.env.createdAt}, git ${doc.env.gitCommit ?? 'unknown'}`,
    `- host: ${host(doc)}`,
    `- reference loop: ${(doc.referenceAccessesPerSecond / 1e6).toFixed(1)} M accesses/s`,
    `- default \`npm run bench\`: ${doc.defaultBenchSeconds === null ? 'not measured' : `${doc.defaultBenchSeconds.toFixed(1)} s`}`,
  ];
  for (const [title, t] of sections(doc))
    out.push('', `## ${title}`, '', ...markdownTable(t.columns, t.rows));
  out.push('', '## Targets (issues 6 and 16)', '', ...doc.targets.map((t) => `- ${targetLine(t)}`), '');
  return out.join('\n');
}
