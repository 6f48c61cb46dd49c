/**
 * `npm run plots -- [results.json | results dir …] [--out DIR]`: the thesis
 * figures (vega-lite spec, SVG, PNG) and `report.html` from one or more
 * results documents (default: results/latest), into `<first results dir>/plots/`
 * or DIR. A figure whose data the documents do not hold is skipped with a note
 * naming the sweep that makes it. Exit 0 on success; 2 on bad input (an
 * unreadable file, a missing field: one line naming it, nothing written).
 */
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_USAGE } from '../bench/cli/errors.ts';
import { resultsRoot } from '../bench/cli/paths.ts';
import { FIGURES, loadResults, PlotsInputError, writePlots } from './plots/index.ts';

const USAGE = `Usage: npm run plots -- [results.json | results dir …] [--out DIR]

Writes the thesis figures (<name>.vl.json, <name>.svg, <name>.png) and report.html
into <results dir>/plots/ of the first document (or --out DIR), from every run of
the documents given (default: results/latest). Figures whose data is absent are
skipped with a note naming the sweep (bench/sweeps/<name>.json) that makes it.`;

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    console.error(`dirtybench plots: ${(e as Error).message}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const inputs = parsed.positionals.length > 0 ? parsed.positionals : [join(resultsRoot(), 'latest')];
  try {
    const documents = inputs.map((p) => loadResults(p));
    const dir =
      parsed.values.out !== undefined
        ? resolve(parsed.values.out)
        : join(dirname(documents[0]!.file), 'plots');
    const started = performance.now();
    const outcome = await writePlots(documents, dir);
    for (const c of outcome.charts) {
      for (const w of c.warnings) console.error(`dirtybench plots: ${c.name}: ${w}`);
    }
    for (const s of outcome.skipped) console.log(`note: ${s.note}`);
    const failed = documents.flatMap((d) => d.runs).filter((r) => !r.ok).length;
    if (failed > 0)
      console.log(
        `note: ${failed} runs failed verification or a bound; drawn all the same, their tooltips say so`,
      );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${outcome.charts.length} charts of ${FIGURES.length - outcome.skipped.length} figures and report.html in ${outcome.dir} (${seconds} s)`,
    );
    return 0;
  } catch (e) {
    if (e instanceof PlotsInputError) {
      console.error(`dirtybench plots: ${e.message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
}

process.exitCode = await main(process.argv.slice(2));
