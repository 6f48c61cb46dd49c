/**
 * The layout the sweep figures share (memory, granularity, flexpage order,
 * interval, real time): one panel per metric side by side, one row of panels
 * per workload, a line and points per series (strategies, or workloads when
 * the figure has one strategy), error bars where a point averages seeds.
 * Panels are concatenated rather than faceted so each metric keeps its own
 * scale type (a log pause beside a linear precision).
 */
import {
  axisTitle,
  byStrategy,
  byWorkload,
  type Chart,
  errorBars,
  type Figure,
  finish,
  overSeeds,
  type RunInfo,
  runInfo,
  type Spec,
  subtitle,
  sweepFile,
  tooltip,
  UNLISTED,
  us,
  workloadsOf,
} from './figure.ts';
import { num, type Run } from './results.ts';
import { type Config, select } from './select.ts';
import { strategyStyles } from './theme.ts';

/** A datum of a sweep figure: one metric of one configuration. */
export interface SweepRow {
  /** Which panel. */
  metric: string;
  /** The swept setting in the x axis' unit. */
  x: number;
  value: number;
  ciLow: number | null;
  ciHigh: number | null;
  strategy: string;
  workload: string;
}

export interface Panel {
  metric: string;
  /** The y axis title, with its unit. */
  title: string;
  /** A vega-lite scale (e.g. `{ type: 'log' }`); linear from zero when absent. */
  scale?: Spec;
  /** A vega-lite axis (tick values, format). */
  axis?: Spec;
  /** The tooltip's label and d3 format of the value. */
  format?: string;
  /** Layers drawn under the series in this panel for one workload (a deadline, a bound). */
  under?: (workload: string) => Spec[];
}

export interface SweepLayout {
  rows: readonly SweepRow[];
  x: { title: string; scale?: Spec; tooltipTitle: string; format?: string };
  panels: readonly Panel[];
  /** Strategies in the house order, each line in its style … */
  strategies: readonly string[];
  /** … or, for a figure of one strategy, workloads as series in that strategy's colour. */
  seriesByWorkload?: { color: string; workloads: readonly string[] };
  /** One row of panels per workload, in this order. */
  workloads: readonly string[];
}

/** Whether a value can be drawn on `scale` (a log scale has no place for zero). */
function drawable(scale: Spec | undefined): string {
  return scale?.['type'] === 'log' ? 'datum.value > 0' : 'isValid(datum.value)';
}

/** The panels as a vega-lite `vconcat` of `hconcat`s (without data, title or config). */
export function sweepPanels(layout: SweepLayout): Spec {
  const byWorkloadSeries = layout.seriesByWorkload !== undefined;
  const workloads = layout.seriesByWorkload?.workloads ?? [];
  const lineEncoding: Spec = byWorkloadSeries
    ? { strokeDash: byWorkload('strokeDash', workloads, false), detail: { field: 'workload' } }
    : {
        color: byStrategy('color', layout.strategies),
        strokeDash: byStrategy('strokeDash', layout.strategies, false),
      };
  const pointEncoding: Spec = byWorkloadSeries
    ? { shape: byWorkload('shape', workloads) }
    : { color: byStrategy('color', layout.strategies), shape: byStrategy('shape', layout.strategies) };
  const fixedColor = byWorkloadSeries ? { color: layout.seriesByWorkload!.color } : {};
  // Ticks at the values swept, when they are few enough to label.
  const swept = [...new Set(layout.rows.map((d) => d.x))].sort((a, b) => a - b);
  const x = {
    field: 'x',
    type: 'quantitative',
    title: layout.x.title,
    ...(layout.x.scale ? { scale: layout.x.scale } : {}),
    ...(swept.length <= 12 ? { axis: { values: swept, labelExpr: "format(datum.value, '~g')" } } : {}),
  };
  const rows = byWorkloadSeries ? ['*'] : layout.workloads;
  return {
    vconcat: rows.map((w, r) => ({
      ...(w === '*' ? {} : { title: { text: w, fontSize: 11, fontWeight: 'normal', anchor: 'start' } }),
      hconcat: layout.panels.map((panel, p) => {
        const suffix = `_r${r}_p${p}`;
        const y = {
          field: 'value',
          type: 'quantitative',
          title: axisTitle(panel.title),
          ...(panel.scale ? { scale: panel.scale } : {}),
          ...(panel.axis ? { axis: panel.axis } : {}),
        };
        const tip = tooltip([
          {
            field: 'x',
            title: layout.x.tooltipTitle,
            ...(layout.x.format ? { format: layout.x.format } : {}),
          },
          { field: 'value', title: panel.title, ...(panel.format ? { format: panel.format } : {}) },
          { field: 'ciLow', title: '95 % CI low', ...(panel.format ? { format: panel.format } : {}) },
          { field: 'ciHigh', title: '95 % CI high', ...(panel.format ? { format: panel.format } : {}) },
        ]);
        const rowFilter = w === '*' ? 'true' : `datum.workload === ${JSON.stringify(w)}`;
        const inPanel = layout.rows.filter(
          (d) => d.metric === panel.metric && (w === '*' || d.workload === w),
        );
        const withCi = inPanel.some((d) => d.ciLow !== null);
        return {
          transform: [
            { filter: `datum.metric === ${JSON.stringify(panel.metric)} && ${rowFilter}` },
            { filter: drawable(panel.scale) },
          ],
          layer: [
            ...(panel.under?.(w) ?? []),
            {
              name: `lines${suffix}`,
              transform: UNLISTED,
              mark: { type: 'line', ...fixedColor },
              encoding: { x, y, ...lineEncoding },
            },
            ...(withCi ? errorBars({ x, y }, suffix) : []),
            {
              name: `points${suffix}`,
              mark: { type: 'point', filled: true, stroke: '#000000', strokeWidth: 0.5, ...fixedColor },
              encoding: { x, y, ...pointEncoding, tooltip: tip },
            },
          ],
        };
      }),
    })),
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}

/** A metric of a sweep figure, read from each run. */
export interface Metric {
  metric: string;
  value: (run: Run) => number;
  /** A worst case: the maximum over seeds, no interval; otherwise the mean ± 95 % CI. */
  worst?: boolean;
}

/** The rows of a sweep figure: every metric of every configuration at its x. */
export function sweepRows(
  configs: readonly Config[],
  x: (c: Config) => number,
  metrics: readonly Metric[],
): (SweepRow & RunInfo)[] {
  return configs.flatMap((c) =>
    metrics.map((m) => {
      const s = overSeeds(c, m.value);
      const spread = m.worst
        ? { value: s.max, ciLow: null, ciHigh: null }
        : { value: s.mean, ciLow: s.ciLow, ciHigh: s.ciHigh };
      return { ...runInfo(c), metric: m.metric, x: x(c), ...spread };
    }),
  );
}

// ---- Pieces more than one sweep figure uses ---------------------------------

/** The checkpoint interval on a log x axis, in ms. */
export const INTERVAL_AXIS: SweepLayout['x'] = {
  title: 'checkpoint interval (ms, log scale)',
  scale: { type: 'log', nice: false, padding: 12 },
  tooltipTitle: 'interval (ms)',
  format: '.3f',
};

/** A configuration's checkpoint interval in ms. */
export function intervalMs(c: Config): number {
  return us(c.first, c.first.intervalCycles) / 1000;
}

/** A metric with its panel. */
export type PanelMetric = Metric & Panel;

/** The longest checkpoint pause, in µs (worst over seeds). */
export const PAUSE: PanelMetric = {
  metric: 'pause',
  value: (r) => us(r, num(r, 'metrics.pause.maxCycles')),
  worst: true,
  title: 'longest checkpoint pause (µs)',
  format: '.2f',
};

/** Truly written pages over copied pages. */
export const PRECISION: PanelMetric = {
  metric: 'precision',
  value: (r) => num(r, 'metrics.precision'),
  title: 'precision (written / copied)',
  scale: { domain: [0, 1] },
  format: '.3f',
};

/** A figure of one strategy against one of its parameters: a panel per metric, a line per workload. */
export interface ParameterSweep {
  name: string;
  /** The table of contents' line. */
  title: string;
  /** The chart's own title and its last subtitle line. */
  heading: string;
  note: string;
  strategy: string;
  /** The parameter (`params.strategy.<param>`), and what several of its values are called. */
  param: string;
  plural: string;
  /** The sweep file's name (`bench/sweeps/<sweep>.json`). */
  sweep: string;
  x: SweepLayout['x'];
  metrics: readonly PanelMetric[];
}

export function parameterSweepFigure(def: ParameterSweep): Figure {
  return {
    name: def.name,
    title: def.title,
    needs: `runs of ${def.strategy} at two or more ${def.plural} (params.strategy.${def.param})`,
    sweep: sweepFile(def.sweep),
    charts(runs: readonly Run[]): Chart[] {
      const { configs, held } = select(runs, {
        filter: (r) => r.strategy === def.strategy,
        free: ['workload', `strategy.${def.param}`],
        sweep: `strategy.${def.param}`,
      });
      if (configs.length === 0) return [];

      // Data
      const rows = sweepRows(configs, (c) => num(c.first, `params.strategy.${def.param}`), def.metrics);

      // Encoding
      const workloads = workloadsOf(rows);
      const spec: Spec = {
        title: { text: def.heading, subtitle: subtitle(configs, held, [def.note]) },
        data: { values: rows },
        ...sweepPanels({
          rows,
          x: def.x,
          panels: def.metrics,
          strategies: [def.strategy],
          seriesByWorkload: { color: strategyStyles([def.strategy])[0]!.color, workloads },
          workloads,
        }),
      };
      return [{ name: def.name, spec: finish(spec) }];
    },
  };
}
