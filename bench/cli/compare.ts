/**
 * `npm run bench -- compare BASE NEW`: what changed between two result sets
 * (results.json files or results directories), figure by figure.
 *
 * Runs are matched by configuration — every setting but the seed (./figures.ts)
 * — except the settings in which the two sets differ as wholes: a setting
 * that takes one value throughout BASE and another throughout NEW (or is
 * present on one side only) is what the comparison is about, so it is named
 * once at the top and left out of the match. Two sets made with `--set
 * granularity=1` and `=16` thus compare each strategy with itself across the
 * change; two runs of the same command before and after a model change match
 * on everything.
 *
 * For each matched configuration and figure: base, new, the change (absolute
 * and %), and, where both sides have two or more seeds, the 95 % interval of
 * the change of the mean (Welch, src/run/seeds.ts). Mean figures compare
 * means over seeds, worst-case figures (fault max, max pause, peak metadata,
 * WCRT) the maximum over seeds. Configurations found on one side only are
 * listed, not dropped. `--fail-on METRIC>PCT` (repeatable) exits 1 when that
 * figure worsens by more than PCT % in any configuration (for a figure where
 * neither direction is better, such as `checkpoints`, when it changes by more).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { differenceInterval, type RunResult, type SeedSummary } from '../../src/run/index.ts';
import { markdownTable, type TableColumn, textTable } from '../table.ts';
import type { CommandCall } from './commands.ts';
import { RESULTS_SCHEMA } from './document.ts';
import { EXIT_FAILED, EXIT_OK, UsageError } from './errors.ts';
import {
  type Configuration,
  type Figure,
  figuresOf,
  groupConfigurations,
  settingsOf,
  summarizeFigure,
} from './figures.ts';
import type { Io } from './io.ts';

/** One side of the comparison: where it came from and its runs. */
export interface ResultSet {
  /** The results.json read. */
  file: string;
  runs: RunResult[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a results set: a results.json, or a directory holding one.
 * @throws UsageError naming the path and what is wrong (exit 2).
 */
export function loadResultSet(path: string, label: string): ResultSet {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'results.json');
  } catch {
    throw new UsageError(
      `${label} ${path}: no such file or directory (expected a results.json or a results directory)`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UsageError(`${label} ${file}: cannot read results JSON (${why})`);
  }
  if (!isRecord(doc) || doc['schema'] !== RESULTS_SCHEMA)
    throw new UsageError(`${label} ${file}: not a results document (expected schema "${RESULTS_SCHEMA}")`);
  const runs = doc['runs'];
  if (!Array.isArray(runs)) throw new UsageError(`${label} ${file}: runs is missing or not a list`);
  runs.forEach((r: unknown, i) => {
    const ok =
      isRecord(r) &&
      ['strategy', 'workload', 'profile'].every((k) => typeof r[k] === 'string') &&
      typeof r['seed'] === 'number' &&
      isRecord(r['params']) &&
      isRecord(r['params']['strategy']) &&
      isRecord(r['params']['workload']) &&
      isRecord(r['metrics']);
    if (!ok)
      throw new UsageError(
        `${label} ${file}: runs[${i}] is not a run (needs strategy, workload, profile, seed, params.strategy, params.workload, metrics)`,
      );
  });
  return { file, runs: runs as RunResult[] };
}

/** A `--fail-on` rule: fail when `figure` worsens by more than `pct` %. */
export interface FailRule {
  figure: string;
  pct: number;
}

/**
 * Parses `--fail-on` words, `METRIC>PCT`.
 * @throws UsageError for a malformed word or an unknown figure (listing the known ones).
 */
export function parseFailRules(words: readonly string[], known: readonly Figure[]): FailRule[] {
  return words.map((word) => {
    const m = /^\s*([A-Za-z0-9]+)\s*>\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*$/.exec(word);
    if (!m)
      throw new UsageError(
        `--fail-on '${word}': expected METRIC>PCT, e.g. 'overheadPct>5' (quote it: the shell reads > as a redirection)`,
      );
    const figure = m[1]!;
    if (!known.some((f) => f.name === figure))
      throw new UsageError(
        `--fail-on: unknown figure '${figure}' (known: ${known.map((f) => f.name).join(', ')})`,
      );
    return { figure, pct: Number(m[2]) };
  });
}

/** A setting in which the two sets differ as wholes. */
export interface Difference {
  setting: string;
  /** Its value throughout BASE and throughout NEW (undefined: the side does not have it). */
  base: unknown;
  new: unknown;
}

/** The settings taking one value throughout each side, a different one on each (see the module comment). */
export function setDifferences(base: readonly RunResult[], next: readonly RunResult[]): Difference[] {
  const values = (runs: readonly RunResult[]) => {
    const out = new Map<string, Set<string>>();
    for (const r of runs) {
      for (const [k, v] of Object.entries(settingsOf(r))) {
        let s = out.get(k);
        if (!s) {
          s = new Set();
          out.set(k, s);
        }
        s.add(JSON.stringify(v));
      }
    }
    return out;
  };
  const a = values(base);
  const b = values(next);
  const out: Difference[] = [];
  for (const setting of new Set([...a.keys(), ...b.keys()])) {
    const va = [...(a.get(setting) ?? [])];
    const vb = [...(b.get(setting) ?? [])];
    if (va.length > 1 || vb.length > 1 || va[0] === vb[0]) continue;
    const parse = (v: string | undefined) => (v === undefined ? undefined : JSON.parse(v));
    out.push({ setting, base: parse(va[0]), new: parse(vb[0]) });
  }
  return out;
}

/** One figure of one configuration on both sides. */
export interface FigureChange {
  figure: string;
  better: Figure['better'];
  over: Figure['over'];
  /** The mean over seeds, or the maximum for a worst-case figure; null when the side lacks the figure. */
  base: number | null;
  new: number | null;
  change: number | null;
  /** The change in % of |base|; null when either side lacks it or base is 0 (and new is not). */
  changePct: number | null;
  /** The 95 % interval of the change of the mean (both sides two or more seeds, mean figures only). */
  ciLow: number | null;
  ciHigh: number | null;
  /** It moved the worse way (any way, for a figure with no better direction). */
  worsened: boolean;
}

/** A configuration found on both sides. */
export interface MatchedConfiguration {
  label: string;
  baseSeeds: number[];
  newSeeds: number[];
  figures: FigureChange[];
}

/** What `compare` found. */
export interface Comparison {
  base: { file: string; runs: number };
  new: { file: string; runs: number };
  differences: Difference[];
  matched: MatchedConfiguration[];
  onlyInBase: string[];
  onlyInNew: string[];
  /** Each `--fail-on` breach, one sentence. */
  failures: string[];
}

function shownValue(figure: Figure, s: SeedSummary | null): number | null {
  return s === null ? null : figure.over === 'worst' ? s.max : s.mean;
}

function changeOf(figure: Figure, a: SeedSummary | null, b: SeedSummary | null): FigureChange {
  const base = shownValue(figure, a);
  const next = shownValue(figure, b);
  const change = base === null || next === null ? null : next - base;
  let changePct: number | null = null;
  if (change !== null && base !== null) {
    if (base !== 0) changePct = (change / Math.abs(base)) * 100;
    else if (change === 0) changePct = 0;
  }
  const ci = figure.over === 'mean' && a && b ? differenceInterval(a, b) : null;
  const worsened =
    change !== null &&
    (figure.better === 'lower' ? change > 0 : figure.better === 'higher' ? change < 0 : change !== 0);
  return {
    figure: figure.name,
    better: figure.better,
    over: figure.over,
    base,
    new: next,
    change,
    changePct,
    ciLow: ci?.low ?? null,
    ciHigh: ci?.high ?? null,
    worsened,
  };
}

/** A configuration named by what tells it apart: strategy × workload on profile, then the settings that vary. */
function labeller(all: readonly RunResult[], without: ReadonlySet<string>): (r: RunResult) => string {
  const varying = new Map<string, Set<string>>();
  for (const r of all) {
    for (const [k, v] of Object.entries(settingsOf(r))) {
      if (without.has(k) || ['strategy', 'workload', 'profile'].includes(k)) continue;
      let s = varying.get(k);
      if (!s) {
        s = new Set();
        varying.set(k, s);
      }
      s.add(JSON.stringify(v));
    }
  }
  const shown = [...varying.entries()].filter(([, s]) => s.size > 1).map(([k]) => k);
  return (r) => {
    const s = settingsOf(r);
    const extra = shown.filter((k) => Object.hasOwn(s, k)).map((k) => `${k}=${String(s[k])}`);
    return [`${r.strategy} × ${r.workload} on ${r.profile}`, ...extra].join(', ');
  };
}

/** Compares two result sets; `rules` decide `failures`. */
export function compareSets(base: ResultSet, next: ResultSet, rules: readonly FailRule[] = []): Comparison {
  const differences = setDifferences(base.runs, next.runs);
  const without = new Set(differences.map((d) => d.setting));
  const label = labeller([...base.runs, ...next.runs], without);
  const baseConfigs = groupConfigurations(base.runs, without);
  const newConfigs = new Map(groupConfigurations(next.runs, without).map((c) => [c.key, c]));
  const figures = figuresOf([...base.runs, ...next.runs]);
  const matched: MatchedConfiguration[] = [];
  const onlyInBase: string[] = [];
  const failures: string[] = [];
  for (const b of baseConfigs) {
    const n = newConfigs.get(b.key);
    if (!n) {
      onlyInBase.push(label(b.runs[0]!));
      continue;
    }
    newConfigs.delete(b.key);
    const m = matchConfiguration(label(b.runs[0]!), b, n, figures);
    matched.push(m);
    for (const rule of rules) {
      const c = m.figures.find((f) => f.figure === rule.figure);
      if (!c?.worsened) continue;
      const pct = c.changePct === null ? Number.POSITIVE_INFINITY : Math.abs(c.changePct);
      if (pct > rule.pct)
        failures.push(
          `${rule.figure} of ${m.label} changed by ${c.changePct === null ? `${formatNumber(c.change!)} from 0` : `${formatSigned(c.changePct)} %`} (${formatNumber(c.base!)} → ${formatNumber(c.new!)}), past ${rule.pct} %`,
        );
    }
  }
  return {
    base: { file: base.file, runs: base.runs.length },
    new: { file: next.file, runs: next.runs.length },
    differences,
    matched,
    onlyInBase,
    onlyInNew: [...newConfigs.values()].map((c) => label(c.runs[0]!)),
    failures,
  };
}

function matchConfiguration(
  label: string,
  b: Configuration,
  n: Configuration,
  figures: readonly Figure[],
): MatchedConfiguration {
  const changes = figures
    .map((f) => changeOf(f, summarizeFigure(f, b.runs), summarizeFigure(f, n.runs)))
    .filter((c) => c.base !== null || c.new !== null);
  return {
    label,
    baseSeeds: b.runs.map((r) => r.seed),
    newSeeds: n.runs.map((r) => r.seed),
    figures: changes,
  };
}

/** A figure's value for reading: six significant digits, no exponent below 1e21. */
export function formatNumber(v: number): string {
  return String(Number(v.toPrecision(6)));
}

function formatSigned(v: number): string {
  return `${v > 0 ? '+' : ''}${formatNumber(v)}`;
}

const COLUMNS: TableColumn[] = [
  { header: 'figure' },
  { header: 'base', align: 'right' },
  { header: 'new', align: 'right' },
  { header: 'change', align: 'right' },
  { header: 'change %', align: 'right' },
  { header: '95 % CI of change', align: 'right' },
  { header: '' },
];

function cells(c: FigureChange): string[] {
  const na = (v: number | null, f: (x: number) => string = formatNumber) => (v === null ? 'n/a' : f(v));
  return [
    c.over === 'worst' ? `${c.figure} (max)` : c.figure,
    na(c.base),
    na(c.new),
    na(c.change, formatSigned),
    c.change !== null && c.changePct === null ? 'from 0' : na(c.changePct, (x) => `${formatSigned(x)} %`),
    c.ciLow === null || c.ciHigh === null ? '' : `[${formatSigned(c.ciLow)}, ${formatSigned(c.ciHigh)}]`,
    c.worsened ? 'worse' : c.change !== null && c.change !== 0 && c.better !== null ? 'better' : '',
  ];
}

function seedsText(seeds: readonly number[]): string {
  return seeds.length === 1 ? `seed ${seeds[0]}` : `${seeds.length} seeds`;
}

/** The comparison as text (`markdown`: headings and markdown tables). */
export function renderComparison(c: Comparison, markdown: boolean): string {
  const out: string[] = [];
  const head = markdown ? '## ' : '';
  out.push(
    `${markdown ? '# ' : ''}compare: base ${c.base.file} (${c.base.runs} runs) → new ${c.new.file} (${c.new.runs} runs)`,
    '',
  );
  if (c.differences.length > 0) {
    out.push(
      `The sets differ in: ${c.differences
        .map(
          (d) =>
            `${d.setting} ${d.base === undefined ? '(absent)' : String(d.base)} → ${d.new === undefined ? '(absent)' : String(d.new)}`,
        )
        .join('; ')} (left out of the match).`,
      '',
    );
  }
  out.push(
    "Mean figures compare means over seeds, (max) figures the maximum over seeds; the interval is Welch's 95 % CI of the change of the mean, where both sides have two or more seeds.",
    '',
  );
  for (const m of c.matched) {
    out.push(`${head}${m.label} (base: ${seedsText(m.baseSeeds)}, new: ${seedsText(m.newSeeds)})`);
    const rows = m.figures.map(cells);
    if (markdown) out.push('', ...markdownTable(COLUMNS, rows), '');
    else out.push(...textTable(COLUMNS, rows, { rule: true }), '');
  }
  if (c.matched.length === 0) out.push('No configuration is in both sets.', '');
  for (const [side, list] of [
    ['base', c.onlyInBase],
    ['new', c.onlyInNew],
  ] as const) {
    if (list.length === 0) continue;
    out.push(`${head}Only in ${side} (${list.length})`, ...(markdown ? [''] : []));
    out.push(...list.map((l) => `- ${l}`), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** One CSV row per matched configuration and figure (blank where a side lacks the figure). */
function renderComparisonCsv(c: Comparison): string {
  const header = [
    'configuration',
    'figure',
    'over',
    'base',
    'new',
    'change',
    'change_pct',
    'ci_low',
    'ci_high',
    'worsened',
  ];
  const rows = c.matched.flatMap((m) =>
    m.figures.map((f) => [
      m.label,
      f.figure,
      f.over,
      f.base,
      f.new,
      f.change,
      f.changePct,
      f.ciLow,
      f.ciHigh,
      f.worsened,
    ]),
  );
  return stringify([header, ...rows], { cast: { boolean: (v) => String(v), number: (v) => String(v) } });
}

/** The `compare` command: prints the comparison; exit 1 on a `--fail-on` breach, 2 on bad input. */
export function compareCommand(call: CommandCall<'compare'>, io: Io): number {
  const [basePath] = call.positionals['base'] ?? [];
  const [newPath] = call.positionals['new'] ?? [];
  if (basePath === undefined || newPath === undefined)
    throw new UsageError(
      'compare needs two result sets: compare BASE NEW (results.json files or results directories)',
    );
  const base = loadResultSet(basePath, 'BASE');
  const next = loadResultSet(newPath, 'NEW');
  const rules = parseFailRules(call.options.failOn, figuresOf([...base.runs, ...next.runs]));
  const c = compareSets(base, next, rules);
  const format = call.options.format;
  io.stdout.write(
    format === 'json'
      ? `${JSON.stringify(c, null, 2)}\n`
      : format === 'csv'
        ? renderComparisonCsv(c)
        : renderComparison(c, format === 'markdown'),
  );
  for (const f of c.failures) io.stderr.write(`dirtybench: compare: ${f}\n`);
  return c.failures.length > 0 ? EXIT_FAILED : EXIT_OK;
}
