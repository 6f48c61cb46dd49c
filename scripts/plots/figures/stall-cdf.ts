/**
 * Figure 3: the distribution of stalls per strategy — the empirical CDF of
 * each stall kind from `metrics.stallHistogram` (exact: [cycles, count]
 * pairs; seeds pooled), on a log x axis; one row of panels per stall kind
 * present (fault, checkpoint, and any kind results add), one column per
 * workload.
 */
import {
  byStrategy,
  type Chart,
  type Figure,
  finish,
  runInfo,
  type Spec,
  strategiesOf,
  subtitle,
  sweepFile,
  tooltip,
  UNLISTED,
  us,
  workloadsOf,
} from '../figure.ts';
import { type Run, stallHistograms } from '../results.ts';
import { select } from '../select.ts';
import { stallKindTitle } from './worst-case.ts';

export const stallCdf: Figure = {
  name: 'stall-cdf',
  title: 'Distribution of stalls per strategy (empirical CDF)',
  needs: 'runs with at least one stall (metrics.stallHistogram)',
  sweep: sweepFile('comparison'),
  charts(runs: readonly Run[]): Chart[] {
    const { configs, held } = select(runs, { free: ['strategy', 'workload'] });

    // Data: per configuration and kind, the pooled histogram as cumulative
    // fractions, with a leading point at (shortest, 0) so the first step is drawn.
    const points: Spec[] = [];
    const kinds: string[] = [];
    for (const c of configs) {
      const pooled = new Map<string, Map<number, number>>();
      for (const run of c.runs) {
        for (const [kind, pairs] of stallHistograms(run)) {
          if (!kinds.includes(kind)) kinds.push(kind);
          let h = pooled.get(kind);
          if (!h) {
            h = new Map();
            pooled.set(kind, h);
          }
          for (const [cycles, count] of pairs) if (count > 0) h.set(cycles, (h.get(cycles) ?? 0) + count);
        }
      }
      for (const [kind, h] of pooled) {
        const bins = [...h.entries()].sort((a, b) => a[0] - b[0]);
        const total = bins.reduce((s, [, n]) => s + n, 0);
        if (total === 0) continue;
        const info = runInfo(c);
        const kindTitle = stallKindTitle(kind);
        points.push({
          ...info,
          kind: kindTitle,
          micros: us(c.first, bins[0]![0]),
          fraction: 0,
          count: 0,
          step: 0,
        });
        let below = 0;
        bins.forEach(([cycles, count], i) => {
          below += count;
          points.push({
            ...info,
            kind: kindTitle,
            micros: us(c.first, cycles),
            fraction: below / total,
            count,
            step: i + 1,
          });
        });
      }
    }
    if (points.length === 0) return [];

    // Encoding
    const strategies = strategiesOf(points as { strategy: string }[]);
    const workloads = workloadsOf(points as { workload: string }[]);
    const kindOrder = [...kinds.filter((k) => k !== 'checkpoint'), 'checkpoint'].map(stallKindTitle);
    const x = {
      field: 'micros',
      type: 'quantitative',
      title: 'stall (µs, log scale)',
      scale: { type: 'log' },
    };
    const y = {
      field: 'fraction',
      type: 'quantitative',
      title: ['fraction of stalls', '≤ x'],
      scale: { domain: [0, 1] },
    };
    const spec: Spec = {
      title: {
        text: 'Distribution of stalls per strategy (empirical CDF)',
        subtitle: subtitle(configs, held, [
          'exact, from the stall histograms; seeds pooled; one point per distinct duration',
        ]),
      },
      data: { values: points },
      facet: {
        row: { field: 'kind', type: 'nominal', title: null, sort: kindOrder },
        column: { field: 'workload', type: 'nominal', title: null, sort: workloads },
      },
      spec: {
        layer: [
          {
            name: 'steps',
            transform: UNLISTED,
            mark: { type: 'line', interpolate: 'step-after' },
            encoding: {
              x,
              y,
              color: byStrategy('color', strategies),
              strokeDash: byStrategy('strokeDash', strategies, false),
              order: { field: 'step', type: 'quantitative' },
            },
          },
          {
            name: 'points',
            transform: [{ filter: 'datum.count > 0' }],
            mark: { type: 'point', filled: true, stroke: '#000000', strokeWidth: 0.4, size: 24 },
            encoding: {
              x,
              y,
              color: byStrategy('color', strategies),
              shape: byStrategy('shape', strategies),
              tooltip: tooltip([
                { field: 'kind', title: 'stall kind' },
                { field: 'micros', title: 'stall (µs)', format: '.3f' },
                { field: 'count', title: 'stalls of this duration' },
                { field: 'fraction', title: 'fraction ≤ this', format: '.4f' },
              ]),
            },
          },
        ],
      },
      resolve: { scale: { x: 'independent' } },
    };
    return [{ name: 'stall-cdf', spec: finish(spec) }];
  },
};
