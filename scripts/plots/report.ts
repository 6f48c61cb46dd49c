/**
 * `report.html`: every figure, interactive (vega-embed, SVG renderer,
 * tooltips carrying each datum's run parameters), the figures skipped and
 * why, and the summary tables of `summary.md` — in one self-contained file.
 * vega, vega-lite and vega-embed are inlined from node_modules and the data
 * sits inside the specs, so the report opens from disk with no network.
 *
 * When every view has rendered (or failed), the page sets
 * `document.documentElement.dataset.plots` to `rendered` or `failed` and
 * `window.plotsStatus` to the details: what the browser test waits for.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { renderMarkdownTables } from '../../bench/cli/report.ts';
import type { RunResult } from '../../src/run/index.ts';
import type { BuiltChart, BuiltFigures } from './index.ts';
import { num, optionalNum, PlotsInputError, type Run } from './results.ts';
import { FONT } from './theme.ts';

const require = createRequire(import.meta.url);

/**
 * The browser build (UMD, sets a global) of a package in node_modules: the
 * file `name` in the build directory, found through a path the package exports.
 */
function library(exported: string, name: string): string {
  return readFileSync(join(dirname(require.resolve(exported)), name), 'utf8');
}

/** Script text made safe inside `<script>`: no `</script` can end it early. */
function scriptText(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Fields of a run the summary tables (bench's `summary.md` tables) need as
 * numbers; the others they show as n/a where a run lacks them (an overhead
 * over a 0-cycle baseline, figures older results files do not have).
 */
const TABLE_FIELDS = [
  'metrics.faults',
  'metrics.pause.maxCycles',
  'metrics.precision',
  'metrics.memory.quotaBytes',
];

/** The summary tables of the runs, as HTML (bench's markdown tables, converted). */
export function summaryTables(runs: readonly Run[]): string {
  for (const r of runs) {
    try {
      for (const f of TABLE_FIELDS) num(r, f);
      if (r.workload === 'periodic' || optionalNum(r, 'metrics.realtime.wcrtCycles') !== undefined) {
        num(r, 'metrics.realtime.wcrtCycles');
        num(r, 'metrics.realtime.deadlineMisses');
      }
      if (typeof r.raw['ok'] !== 'boolean') throw new PlotsInputError(`${r.source}.ok is missing`);
      if (!Array.isArray(r.raw['failures'])) throw new PlotsInputError(`${r.source}.failures is missing`);
    } catch (e) {
      if (e instanceof PlotsInputError)
        throw new PlotsInputError(`${e.message} (the summary tables need it)`);
      throw e;
    }
  }
  const markdown = renderMarkdownTables(runs.map((r) => r.raw as unknown as RunResult));
  return markdownTablesToHtml(markdown);
}

/** `### title` headings and `| a | b |` tables (the only markdown the tables use) to HTML. */
export function markdownTablesToHtml(markdown: string): string {
  const out: string[] = [];
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replaceAll('\\|', '|'));
  let table: string[][] = [];
  const flush = () => {
    if (table.length < 2) return;
    const [head, align, ...body] = table;
    const right = align!.map((a) => a.endsWith(':'));
    const cls = (i: number) => (right[i] ? ' class="num"' : '');
    out.push('<table>');
    out.push(`<thead><tr>${head!.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('')}</tr></thead>`);
    out.push('<tbody>');
    for (const row of body)
      out.push(`<tr>${row.map((c, i) => `<td${cls(i)}>${escapeHtml(c)}</td>`).join('')}</tr>`);
    out.push('</tbody></table>');
    table = [];
  };
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) {
      table.push(cells(line));
      continue;
    }
    flush();
    if (line.startsWith('### ')) out.push(`<h3>${escapeHtml(line.slice(4))}</h3>`);
  }
  flush();
  return out.join('\n');
}

function documentLines(built: BuiltFigures): string {
  return built.documents
    .map((d) => {
      const env = d.env;
      const command = Array.isArray(env['command'])
        ? (env['command'] as unknown[]).map(String).join(' ')
        : '';
      const parts = [
        `<code>${escapeHtml(d.file)}</code>: ${d.runs.length} runs`,
        command ? `command <code>${escapeHtml(command)}</code>` : '',
        typeof env['createdAt'] === 'string' ? `created ${escapeHtml(env['createdAt'])}` : '',
        typeof env['harness'] === 'string' ? `harness ${escapeHtml(env['harness'])}` : '',
        typeof env['gitCommit'] === 'string' ? `git ${escapeHtml(env['gitCommit'].slice(0, 12))}` : '',
      ];
      return `<li>${parts.filter((p) => p !== '').join(', ')}</li>`;
    })
    .join('\n');
}

function chartSection(c: BuiltChart): string {
  const files = ['svg', 'png', 'vl.json']
    .map((ext) => `<a href="${c.name}.${ext}">${c.name}.${ext}</a>`)
    .join(' · ');
  return [
    `<section class="figure" id="figure-${c.name}">`,
    `<h2>${escapeHtml(c.figure.title)}${c.name !== c.figure.name ? ` <small>(${escapeHtml(c.name)})</small>` : ''}</h2>`,
    `<div class="view" id="view-${c.name}" data-chart="${c.name}"></div>`,
    `<p class="files">${files}; made by <code>${escapeHtml(c.figure.sweep)}</code></p>`,
    '</section>',
  ].join('\n');
}

/** The whole report page. */
export function buildReport(built: BuiltFigures): string {
  const failed = built.runs.filter((r) => !r.ok).length;
  const specs = Object.fromEntries(built.charts.map((c) => [c.name, c.spec]));
  const specJson = JSON.stringify(specs).replace(/</g, '\\u003c');
  const skipped =
    built.skipped.length === 0
      ? ''
      : `<section id="skipped"><h2>Figures skipped</h2><ul>${built.skipped
          .map((s) => `<li><b>${escapeHtml(s.figure.title)}</b>: ${escapeHtml(s.note)}</li>`)
          .join('\n')}</ul></section>`;
  const contents = built.charts
    .map((c) => `<li><a href="#figure-${c.name}">${escapeHtml(c.name)}</a></li>`)
    .join('');
  const runner = `
(function () {
  var specs = ${specJson};
  var names = Object.keys(specs);
  var failures = [];
  var views = names.map(function (name) {
    return vegaEmbed('#view-' + name, specs[name], { renderer: 'svg', actions: false })
      .catch(function (e) { failures.push(name + ': ' + e); console.error('figure ' + name + ': ' + e); });
  });
  Promise.all(views).then(function () {
    window.plotsStatus = { charts: names, failures: failures };
    document.documentElement.dataset.plots = failures.length === 0 ? 'rendered' : 'failed';
  });
})();`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>dirtybench figures</title>
<style>
body { font-family: ${FONT}; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; } h3 { font-size: 0.95em; margin-top: 1.5em; }
small, .files { color: #666; font-size: 0.85em; }
code { font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.8em; margin: 0.5em 0 1em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; white-space: nowrap; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
.view { overflow-x: auto; }
#tables { overflow-x: auto; }
#vg-tooltip-element { font-family: ${FONT}; }
</style>
<script>${scriptText(library('vega/vega-schema.json', 'vega.min.js'))}</script>
<script>${scriptText(library('vega-lite/vega-lite-schema.json', 'vega-lite.min.js'))}</script>
<script>${scriptText(library('vega-embed', 'vega-embed.min.js'))}</script>
</head>
<body>
<h1>dirtybench figures</h1>
<p>${built.runs.length} runs${failed > 0 ? `, <b>${failed} failed verification or a bound</b>` : ''}, from:</p>
<ul>
${documentLines(built)}
</ul>
<p>Figures: <ol>${contents}</ol> Hover over a mark for its value and the run's parameters.</p>
${skipped}
${built.charts.map(chartSection).join('\n')}
<section id="tables">
<h2>Summary tables</h2>
<p>As in each results directory's <code>summary.md</code>: one table per workload, profile and interval; the seeds of a configuration are one row.</p>
${summaryTables(built.runs)}
</section>
<script>${scriptText(runner)}</script>
</body>
</html>
`;
}
