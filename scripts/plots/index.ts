/**
 * The thesis figures from results documents: the entry point of
 * `npm run plots` and of anything that regenerates every figure (a command
 * that runs the thesis sweeps and then calls `writePlots` on their results).
 *
 * `buildFigures` turns documents into vega-lite specs (pure; a missing field
 * fails here, before anything is written); `writePlots` renders each to SVG
 * and PNG and writes them with `report.html` into a directory, replaced
 * whole: a reader never sees half of the old figures and half of the new.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { makeDirs } from '../../bench/cli/files.ts';
import type { Chart, Figure } from './figure.ts';
import { flexpageOrder } from './figures/flexpage-order.ts';
import { granularity } from './figures/granularity.ts';
import { interval } from './figures/interval.ts';
import { memory } from './figures/memory.ts';
import { overhead } from './figures/overhead.ts';
import { realtime } from './figures/realtime.ts';
import { stallCdf } from './figures/stall-cdf.ts';
import { worstCase } from './figures/worst-case.ts';
import { renderPng, renderSvg } from './render.ts';
import { buildReport } from './report.ts';
import { type LoadedResults, PlotsInputError, type Run } from './results.ts';

export { type LoadedResults, loadResults, PlotsInputError, parseResults } from './results.ts';

/** Every figure, in the thesis's order. */
export const FIGURES: readonly Figure[] = [
  overhead,
  worstCase,
  stallCdf,
  memory,
  granularity,
  flexpageOrder,
  interval,
  realtime,
];

export interface BuiltChart extends Chart {
  figure: Figure;
}

export interface SkippedFigure {
  figure: Figure;
  /** One line: what it needs and the sweep that makes it. */
  note: string;
}

export interface BuiltFigures {
  charts: BuiltChart[];
  skipped: SkippedFigure[];
  /** Every run of every document, in order. */
  runs: Run[];
  documents: readonly LoadedResults[];
}

/** The note for a figure whose data is absent. */
export function skipNote(figure: Figure): string {
  return `${figure.name}: skipped, needs ${figure.needs}; ${figure.sweep} makes them`;
}

/**
 * The specs of every figure whose data the documents hold.
 * @throws PlotsInputError when a run a figure draws lacks a field it needs (naming both).
 */
export function buildFigures(documents: readonly LoadedResults[]): BuiltFigures {
  const runs = documents.flatMap((d) => d.runs);
  const charts: BuiltChart[] = [];
  const skipped: SkippedFigure[] = [];
  for (const figure of FIGURES) {
    let made: Chart[];
    try {
      made = figure.charts(runs);
    } catch (e) {
      if (e instanceof PlotsInputError)
        throw new PlotsInputError(`${e.message} (figure ${figure.name} needs it)`);
      throw e;
    }
    if (made.length === 0) skipped.push({ figure, note: skipNote(figure) });
    for (const c of made) charts.push({ ...c, figure });
  }
  return { charts, skipped, runs, documents };
}

export interface RenderedChart extends BuiltChart {
  svg: string;
  png: Buffer;
  /** Compiler and view warnings (none for a good figure). */
  warnings: string[];
}

export interface PlotsOutcome {
  dir: string;
  charts: RenderedChart[];
  skipped: SkippedFigure[];
  /** Every file written, relative to `dir`. */
  files: string[];
}

/** SVG and PNG of every chart. */
export async function renderCharts(charts: readonly BuiltChart[]): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const c of charts) {
    const { svg, warnings } = await renderSvg(c.spec);
    out.push({ ...c, svg, png: renderPng(svg), warnings });
  }
  return out;
}

/**
 * Builds, renders and writes every figure (`<name>.vl.json`, `.svg`, `.png`)
 * and `report.html` into `dir`, replacing what was there.
 * @throws PlotsInputError (nothing is written) when a document lacks a field a figure needs.
 */
export async function writePlots(documents: readonly LoadedResults[], dir: string): Promise<PlotsOutcome> {
  const built = buildFigures(documents);
  const charts = await renderCharts(built.charts);
  const files = new Map<string, string | Buffer>();
  for (const c of charts) {
    files.set(`${c.name}.vl.json`, `${JSON.stringify(c.spec, null, 2)}\n`);
    files.set(`${c.name}.svg`, c.svg);
    files.set(`${c.name}.png`, c.png);
  }
  files.set('report.html', buildReport({ ...built, charts }));
  replaceDir(dir, files);
  return { dir, charts, skipped: built.skipped, files: [...files.keys()] };
}

/**
 * Fills a temporary directory beside `dir` and renames it into place, then
 * removes the old one: `dir` always holds one complete set of figures.
 */
function replaceDir(dir: string, files: ReadonlyMap<string, string | Buffer>): void {
  const parent = dirname(dir);
  makeDirs(parent);
  const tmp = join(parent, `.${basename(dir)}.${process.pid}.tmp`);
  const old = join(parent, `.${basename(dir)}.${process.pid}.old.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  let movedAway = false;
  try {
    mkdirSync(tmp);
    for (const [name, data] of files) writeFileSync(join(tmp, name), data);
    if (existsSync(dir)) {
      renameSync(dir, old);
      movedAway = true;
    }
    renameSync(tmp, dir);
    movedAway = false;
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    if (movedAway) renameSync(old, dir);
    throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
