/**
 * A vega-lite spec to SVG (vega's `view.toSVG()`, no browser) and the SVG to
 * PNG (resvg, at twice the size, fonts from the system: the theme asks for
 * Liberation Sans and falls back to DejaVu Sans). Warnings of vega-lite's
 * compiler and of vega's view are collected: a figure that draws with a
 * warning (a channel dropped, an infinite extent) is a figure to fix, and the
 * tests say so.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A logger for vega and vega-lite that keeps warnings and errors. */
function collectingLogger(messages: string[]): vega.LoggerInterface {
  let level = vega.Warn;
  const logger: vega.LoggerInterface = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args: readonly unknown[]) {
      messages.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args: readonly unknown[]) {
      messages.push(`warning: ${args.map(String).join(' ')}`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  } as vega.LoggerInterface;
  return logger;
}

export interface Rendered {
  svg: string;
  /** Warnings and errors of the compiler and the view; empty for a good figure. */
  warnings: string[];
}

/** The spec compiled to vega and drawn to an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<Rendered> {
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const compiled = compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    const svg = await view.toSVG();
    return { svg, warnings };
  } finally {
    view.finalize();
  }
}

/** The SVG rasterized at twice its size. */
export function renderPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return resvg.render().asPng();
}
