/**
 * The house style of every figure: one order, colour, point shape and line
 * dash per strategy, the same in every figure, so a reader learns them once;
 * the breakdown categories' colours; fonts, sizes and axes (the vega-lite
 * `config` each spec carries, so a `.vl.json` renders alike anywhere).
 *
 * Colours are Okabe and Ito's colour-blind-safe set ("Color Universal Design",
 * 2008), with grey for the oracle; every strategy also has its own point
 * shape and line dash, so a figure printed in black and white still tells
 * them apart (bars carry the shape as a point on their top).
 */
import type { Config } from 'vega-lite';
import { workloads } from '../../src/workloads/index.ts';

/** A strategy's look. */
export interface StrategyStyle {
  color: string;
  /** A vega point shape. */
  shape: string;
  /** A line dash: [dash, gap, …] in pixels; [1, 0] is solid. */
  dash: number[];
}

/**
 * Every registered strategy, in the order figures and legends show them:
 * the two references (copy everything, perfect knowledge), then the
 * user-level Genode mechanisms, the hardware dirty bits, the kernel
 * extensions, and the adaptive choice between dirty bits and notification.
 */
export const STRATEGY_STYLES: ReadonlyMap<string, StrategyStyle> = new Map([
  ['full-copy', { color: '#000000', shape: 'square', dash: [1, 0] }],
  ['oracle', { color: '#999999', shape: 'cross', dash: [1, 3] }],
  ['managed-dataspace', { color: '#E69F00', shape: 'circle', dash: [6, 3] }],
  ['per-page-rm', { color: '#D55E00', shape: 'triangle-up', dash: [8, 3, 2, 3] }],
  ['dirty-bit-scan', { color: '#009E73', shape: 'diamond', dash: [12, 4] }],
  ['fault-notify', { color: '#0072B2', shape: 'triangle-down', dash: [3, 2] }],
  ['kernel-log', { color: '#CC79A7', shape: 'triangle-right', dash: [8, 2, 2, 2, 2, 2] }],
  ['adaptive', { color: '#56B4E9', shape: 'arrow', dash: [4, 2, 1, 2] }],
]);

/** Strategies this theme does not know yet (a new one before it is added here): greys, in turn. */
const FALLBACK_STYLES: readonly StrategyStyle[] = [
  { color: '#555555', shape: 'wedge', dash: [2, 6] },
  { color: '#777777', shape: 'triangle-left', dash: [10, 2, 1, 2] },
  { color: '#333333', shape: 'stroke', dash: [5, 5] },
];

/** `names` (each once) in the house order; unknown ones follow in the order given. */
export function strategyOrder(names: Iterable<string>): string[] {
  const present = new Set(names);
  const known = [...STRATEGY_STYLES.keys()].filter((s) => present.has(s));
  return [...known, ...[...present].filter((s) => !STRATEGY_STYLES.has(s))];
}

/** The look of each of `order` (from `strategyOrder`). */
export function strategyStyles(order: readonly string[]): StrategyStyle[] {
  let unknown = 0;
  return order.map((s) => STRATEGY_STYLES.get(s) ?? FALLBACK_STYLES[unknown++ % FALLBACK_STYLES.length]!);
}

/** Workloads in the registry's order (the order `list` shows them). */
export const WORKLOAD_ORDER: readonly string[] = workloads.map((w) => w.name);
/** A shape and dash per workload, for figures whose series are workloads (one strategy). */
const WORKLOAD_SHAPES = [
  'square',
  'circle',
  'diamond',
  'triangle-up',
  'triangle-down',
  'cross',
  'triangle-right',
  'wedge',
];
const WORKLOAD_DASHES = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [12, 4],
  [3, 2],
  [1, 3],
  [8, 2, 2, 2, 2, 2],
];

export function workloadOrder(names: Iterable<string>): string[] {
  const present = new Set(names);
  return [
    ...WORKLOAD_ORDER.filter((w) => present.has(w)),
    ...[...present].filter((w) => !WORKLOAD_ORDER.includes(w)),
  ];
}

export function workloadStyles(order: readonly string[]): { shape: string; dash: number[] }[] {
  return order.map((_, i) => ({
    shape: WORKLOAD_SHAPES[i % WORKLOAD_SHAPES.length]!,
    dash: WORKLOAD_DASHES[i % WORKLOAD_DASHES.length]!,
  }));
}

/**
 * The runtime breakdown's categories (shared/design.md §5), bottom to top of
 * a stack, each family in one hue from light to dark so the grey levels of a
 * black-and-white print still separate them: work B does anyway (greys),
 * TLB (blues), fault resolution (oranges), checkpoints (greens).
 */
export const CATEGORY_COLORS: ReadonlyMap<string, string> = new Map([
  ['compute', '#d9d9d9'],
  ['idle', '#f0f0f0'],
  ['tlb.miss', '#9ecae1'],
  ['tlb.dirtyAssist', '#3182bd'],
  ['fault.kernel', '#fdd0a2'],
  ['fault.ipc', '#fdae6b'],
  ['fault.core', '#f16913'],
  ['fault.handler', '#a63603'],
  ['checkpoint.pause', '#c7e9c0'],
  ['checkpoint.collect', '#74c476'],
  ['checkpoint.copy', '#31a354'],
  ['checkpoint.rearm', '#006d2c'],
  ['checkpoint.trackingSwitch', '#00441b'],
]);
const FALLBACK_CATEGORY_COLORS = ['#bcbddc', '#807dba', '#54278f'];

export function categoryOrder(names: Iterable<string>): string[] {
  const present = new Set(names);
  const known = [...CATEGORY_COLORS.keys()].filter((c) => present.has(c));
  return [...known, ...[...present].filter((c) => !CATEGORY_COLORS.has(c))];
}

export function categoryColors(order: readonly string[]): string[] {
  let unknown = 0;
  return order.map(
    (c) => CATEGORY_COLORS.get(c) ?? FALLBACK_CATEGORY_COLORS[unknown++ % FALLBACK_CATEGORY_COLORS.length]!,
  );
}

/** Fonts: metric-compatible with Helvetica where installed (Liberation Sans), DejaVu Sans else. */
export const FONT = 'Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif';

/** Size of one panel in pixels (SVG units; the PNG is drawn at twice this). */
export const PANEL = { width: 240, height: 180 };

/** The vega-lite config every figure carries. */
export const CONFIG: Config = {
  font: FONT,
  background: 'white',
  padding: 8,
  view: { continuousWidth: PANEL.width, continuousHeight: PANEL.height, stroke: '#888888', strokeWidth: 0.5 },
  title: {
    fontSize: 13,
    fontWeight: 'bold',
    anchor: 'start',
    subtitleFontSize: 10,
    subtitleColor: '#444444',
  },
  axis: {
    labelFontSize: 10,
    titleFontSize: 11,
    titleFontWeight: 'normal',
    gridColor: '#e6e6e6',
    domainColor: '#444444',
    tickColor: '#444444',
  },
  header: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal' },
  legend: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', symbolStrokeWidth: 1.5 },
  line: { strokeWidth: 1.5 },
  point: { size: 40, filled: true, opacity: 1 },
  bar: { stroke: 'white', strokeWidth: 0.5 },
};
