/**
 * What a figure is, and the pieces every figure shares: what a datum says
 * about its run (the report's tooltips), the strategy encodings of the theme,
 * units, and the subtitle naming the settings a figure holds.
 *
 * A figure module keeps three things apart: its data (rows built from the
 * selected configurations), its encoding (the vega-lite spec over those
 * rows) and its styling (theme.ts, applied by `finish`).
 */
import type { TopLevelSpec } from 'vega-lite';
import { micros } from '../../bench/cli/report.ts';
import { type SeedSummary, summarizeSeeds } from '../../src/run/index.ts';
import type { Run } from './results.ts';
import type { Config, Held, Setting } from './select.ts';
import { CONFIG, strategyOrder, strategyStyles, workloadOrder, workloadStyles } from './theme.ts';

/** A vega-lite spec under construction (validated against vega-lite's schema in the tests). */
export type Spec = Record<string, unknown>;

/** One chart: `<name>.vl.json`, `.svg`, `.png`. */
export interface Chart {
  /** File stem, e.g. `overhead-breakdown`. */
  name: string;
  spec: TopLevelSpec;
}

export interface Figure {
  /** File stem of its main chart and its name in notes, e.g. `worst-case`. */
  name: string;
  /** One line for the report's table of contents. */
  title: string;
  /** The data it needs, for the note when it is skipped. */
  needs: string;
  /** The sweep file that makes that data. */
  sweep: string;
  /**
   * Its charts from the runs of every results document given; none when the
   * data is absent (the figure is skipped with a note).
   * @throws PlotsInputError when a run it draws lacks a field it needs.
   */
  charts(runs: readonly Run[]): Chart[];
}

/** Where sweep files live; figures name theirs as `sweepFile('interval')`. */
export function sweepFile(name: string): string {
  return `bench/sweeps/${name}.json`;
}

// ---- Units ----------------------------------------------------------------

/** Cycles of `run` in µs, from the `cpuHz` it recorded. */
export function us(run: Run, cycles: number): number {
  return micros(run, cycles);
}

/**
 * An axis title over two lines, the quantity and then its unit in
 * parentheses, so a y title is no taller than its panel.
 */
export function axisTitle(title: string): string | string[] {
  const i = title.indexOf(' (');
  return i < 0 ? title : [title.slice(0, i), title.slice(i + 1)];
}

/** A duration in µs as `12.5 µs`, `10 ms`, `2 s`. */
export function formatMicros(value: number): string {
  const [v, unit] = value >= 1e6 ? [value / 1e6, 's'] : value >= 1e3 ? [value / 1e3, 'ms'] : [value, 'µs'];
  return `${Number(v.toPrecision(4))} ${unit}`;
}

// ---- What a datum says about its run (tooltips) ----------------------------

function formatParams(params: Record<string, unknown>): string {
  const text = Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return text === '' ? '–' : text;
}

/** The seeds of a configuration, e.g. `1–3` or `1, 4, 9`. */
export function formatSeeds(seeds: readonly number[]): string {
  const contiguous = seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1);
  return contiguous && seeds.length > 2 ? `${seeds[0]}–${seeds[seeds.length - 1]}` : seeds.join(', ');
}

/** The fields every datum carries about its configuration, shown in tooltips. */
export interface RunInfo {
  strategy: string;
  workload: string;
  profile: string;
  pages: number;
  accesses: number;
  interval: string;
  strategyParams: string;
  workloadParams: string;
  seeds: string;
  /** Runs averaged (seeds). */
  n: number;
  verification: string;
}

export function runInfo(config: Config): RunInfo {
  const r = config.first;
  const failed = config.runs.filter((x) => !x.ok).length;
  return {
    strategy: r.strategy,
    workload: r.workload,
    profile: r.profile,
    pages: r.pages,
    accesses: r.accesses,
    interval: `${formatMicros(us(r, r.intervalCycles))} (${r.intervalCycles} cycles)`,
    strategyParams: formatParams(r.params.strategy),
    workloadParams: formatParams(r.params.workload),
    seeds: formatSeeds(config.runs.map((x) => x.seed)),
    n: config.runs.length,
    verification: failed === 0 ? 'ok' : `FAILED in ${failed} of ${config.runs.length} runs`,
  };
}

const RUN_TOOLTIP = [
  { field: 'strategy', title: 'strategy' },
  { field: 'workload', title: 'workload' },
  { field: 'profile', title: 'profile' },
  { field: 'pages', title: 'pages' },
  { field: 'accesses', title: 'accesses' },
  { field: 'interval', title: 'checkpoint interval' },
  { field: 'strategyParams', title: 'strategy parameters' },
  { field: 'workloadParams', title: 'workload parameters' },
  { field: 'seeds', title: 'seeds' },
  { field: 'verification', title: 'verification' },
];

/** A tooltip: the figure's own values first, then the run's parameters. */
export function tooltip(values: { field: string; title: string; format?: string }[]): Spec[] {
  return [
    ...values.map((v) => ({ type: 'nominal', ...v })),
    ...RUN_TOOLTIP.map((v) => ({ type: 'nominal', ...v })),
  ];
}

/** A figure over seeds: the summary of `value` over a configuration's runs. */
export function overSeeds(config: Config, value: (run: Run) => number): SeedSummary {
  return summarizeSeeds(config.runs.map(value));
}

/** The fields a summarized value adds to a datum: `value`, `ciLow`, `ciHigh` (null with one seed), `max`. */
export function seedFields(s: SeedSummary): {
  value: number;
  ciLow: number | null;
  ciHigh: number | null;
  max: number;
} {
  return { value: s.mean, ciLow: s.ciLow, ciHigh: s.ciHigh, max: s.max };
}

// ---- Encodings of the theme --------------------------------------------------

/** The strategies of `rows` in the house order. */
export function strategiesOf(rows: readonly { strategy: string }[]): string[] {
  return strategyOrder(rows.map((r) => r.strategy));
}

export function workloadsOf(rows: readonly { workload: string }[]): string[] {
  return workloadOrder(rows.map((r) => r.workload));
}

/**
 * `channel` (color, shape, strokeDash) of the strategy field, with the theme's values for `order`.
 * Without a legend it reads a copy of the field (`strategyUnlisted`, made by
 * the layer's `UNLISTED` transform): vega-lite merges the legends of channels
 * that share a field, and one hidden would hide them all.
 */
export function byStrategy(
  channel: 'color' | 'shape' | 'strokeDash',
  order: readonly string[],
  legend = true,
): Spec {
  const styles = strategyStyles(order);
  const range = styles.map((s) => (channel === 'color' ? s.color : channel === 'shape' ? s.shape : s.dash));
  return {
    field: legend ? 'strategy' : 'strategyUnlisted',
    type: 'nominal',
    title: 'strategy',
    sort: [...order],
    scale: { domain: [...order], range },
    ...(legend ? {} : { legend: null }),
  };
}

/** The transform that makes the copies of the strategy and workload fields channels without a legend read. */
export const UNLISTED: Spec[] = [
  { calculate: 'datum.strategy', as: 'strategyUnlisted' },
  { calculate: 'datum.workload', as: 'workloadUnlisted' },
];

/** `channel` (shape, strokeDash) of the workload field, for figures of one strategy; see `byStrategy` for `legend`. */
export function byWorkload(channel: 'shape' | 'strokeDash', order: readonly string[], legend = true): Spec {
  const styles = workloadStyles(order);
  return {
    field: legend ? 'workload' : 'workloadUnlisted',
    type: 'nominal',
    title: 'workload',
    sort: [...order],
    scale: { domain: [...order], range: styles.map((s) => (channel === 'shape' ? s.shape : s.dash)) },
    ...(legend ? {} : { legend: null }),
  };
}

/** The styling: the theme's config and the schema, around a finished encoding. */
export function finish(spec: Spec): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...spec,
    config: CONFIG,
  } as unknown as TopLevelSpec;
}

// ---- The subtitle: what the figure holds fixed -------------------------------

const SETTING_NAMES: Partial<Record<Setting, string>> = {
  intervalCycles: 'checkpoint interval',
};

/**
 * Lines under a figure's title: the profile, interval, pages and accesses it
 * was drawn at, any parameter held among several values, and how seeds are
 * summarized.
 */
export function subtitle(configs: readonly Config[], held: readonly Held[], extra: string[] = []): string[] {
  const parts: string[] = [];
  const first = configs[0]?.first;
  const always = new Set<Setting>(['profile', 'intervalCycles', 'pages', 'accesses']);
  // Setting (per workload or strategy where it is one of theirs) → value → most values it was chosen among.
  const shown = new Map<string, Map<string, number>>();
  for (const h of held) {
    if (!always.has(h.setting) && h.among < 2) continue;
    const name = SETTING_NAMES[h.setting] ?? h.setting.replace(/^(strategy|workload)\./, '');
    let value = JSON.parse(h.value) as unknown;
    if (h.setting === 'intervalCycles' && first) value = formatMicros(us(first, Number(value)));
    const key = h.of && !always.has(h.setting) ? `${h.of} ${name}` : name;
    let values = shown.get(key);
    if (!values) {
      values = new Map();
      shown.set(key, values);
    }
    values.set(String(value), Math.max(values.get(String(value)) ?? 1, h.among));
  }
  // A value chosen among several says so: the figure leaves the runs of the others out.
  for (const [name, values] of shown) {
    const text = [...values].map(([v, among]) => (among > 1 ? `${v} (of ${among})` : v));
    parts.push(`${name} ${text.join(' / ')}`);
  }
  const seeds = Math.max(0, ...configs.map((c) => c.runs.length));
  if (seeds > 1) parts.push(`up to ${seeds} seeds: mean ± 95 % CI (Student t), worst cases the maximum`);
  return [...wrap(parts, ' · ', SUBTITLE_WIDTH), ...extra];
}

/** Characters per subtitle line: about the width of two panels. */
const SUBTITLE_WIDTH = 90;

/** `parts` joined by `sep` into lines of at most `width` characters (a longer part gets a line of its own). */
export function wrap(parts: readonly string[], sep: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const p of parts) {
    if (line !== '' && line.length + sep.length + p.length > width) {
      lines.push(line);
      line = p;
    } else line = line === '' ? p : line + sep + p;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * A symlog axis with ticks at 0, 1, 10, 100, … up to `max` (vega's own symlog
 * ticks are linear and crowd at the top), labelled in plain numbers (vega's
 * symlog label format would write 1e+2).
 */
export function symlogAxis(max: number): Spec {
  const values = [0];
  for (let t = 1; t <= max; t *= 10) values.push(t);
  return { values, labelExpr: "format(datum.value, ',')" };
}

/**
 * Error bars from `ciLow` to `ciHigh`, where a datum has them (two or more
 * seeds): a dark rule over a white halo, visible on any bar.
 * @param encoding the x (and xOffset) and y channels of the values they belong to.
 */
export function errorBars(encoding: { y: Spec } & Spec, suffix = ''): Spec[] {
  const { y, ...rest } = encoding;
  const enc = { ...rest, y: { ...y, field: 'ciLow' }, y2: { field: 'ciHigh' } };
  const filter = [{ filter: 'datum.ciLow != null' }];
  return [
    {
      name: `errorhalo${suffix}`,
      transform: filter,
      mark: { type: 'rule', color: 'white', strokeWidth: 3 },
      encoding: enc,
    },
    {
      name: `errorbars${suffix}`,
      transform: filter,
      mark: { type: 'rule', color: '#222222', strokeWidth: 1 },
      encoding: enc,
    },
  ];
}
