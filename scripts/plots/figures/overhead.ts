/**
 * Figure 1: runtime overhead per strategy and workload — grouped bars
 * (`overhead`), and the same runs' runtime by breakdown category
 * (`overhead-breakdown`): where the time beyond B's own work goes.
 */
import {
  axisTitle,
  byStrategy,
  type Chart,
  errorBars,
  type Figure,
  finish,
  overSeeds,
  runInfo,
  type Spec,
  seedFields,
  strategiesOf,
  subtitle,
  sweepFile,
  symlogAxis,
  tooltip,
  us,
  workloadsOf,
} from '../figure.ts';
import { num, numberRecord, type Run } from '../results.ts';
import { select } from '../select.ts';
import { categoryColors, categoryOrder } from '../theme.ts';

/** Categories of B's own work, the same with and without tracking: left out of the breakdown. */
const OWN_WORK = new Set(['compute', 'idle']);

export const overhead: Figure = {
  name: 'overhead',
  title: 'Runtime overhead per strategy and workload',
  needs: 'runs of the strategies on one or more workloads (metrics.overheadPct, metrics.breakdownCycles)',
  sweep: sweepFile('comparison'),
  charts(runs: readonly Run[]): Chart[] {
    const { configs, held } = select(runs, { free: ['strategy', 'workload'] });
    if (configs.length === 0) return [];

    // Data
    const bars = configs.map((c) => ({
      ...runInfo(c),
      ...seedFields(overSeeds(c, (r) => num(r, 'metrics.overheadPct'))),
    }));
    const segments = configs.flatMap((c) => {
      const baseline = overSeeds(c, (r) => num(r, 'metrics.baselineCycles')).mean;
      const categories = new Set(
        c.runs.flatMap((r) => Object.keys(numberRecord(r, 'metrics.breakdownCycles'))),
      );
      return [...categories]
        .filter((cat) => !OWN_WORK.has(cat))
        .map((category) => {
          const cycles = overSeeds(c, (r) => numberRecord(r, 'metrics.breakdownCycles')[category] ?? 0).mean;
          return {
            ...runInfo(c),
            category,
            cycles,
            micros: us(c.first, cycles),
            pctOfBaseline: (cycles / baseline) * 100,
          };
        })
        .filter((s) => s.cycles > 0);
    });

    // Encoding
    const strategies = strategiesOf(bars);
    const workloads = workloadsOf(bars);
    const x = {
      field: 'workload',
      type: 'nominal',
      title: 'workload',
      sort: workloads,
      axis: { labelAngle: 0 },
    };
    const xOffset = { field: 'strategy', type: 'nominal', sort: strategies };
    const y = {
      field: 'value',
      type: 'quantitative',
      title: axisTitle('runtime overhead (%, symlog scale)'),
      scale: { type: 'symlog' },
      axis: symlogAxis(Math.max(...bars.map((b) => b.ciHigh ?? b.value))),
    };
    const tip = tooltip([
      { field: 'value', title: 'overhead % (mean)', format: '.3f' },
      { field: 'ciLow', title: '95 % CI low', format: '.3f' },
      { field: 'ciHigh', title: '95 % CI high', format: '.3f' },
    ]);
    const grouped: Spec = {
      title: {
        text: 'Runtime overhead per strategy and workload',
        subtitle: subtitle(configs, held, ['overhead = (runtime − untracked baseline) / baseline']),
      },
      data: { values: bars },
      width: { step: 12 },
      layer: [
        {
          name: 'bars',
          mark: 'bar',
          encoding: { x, xOffset, y, color: byStrategy('color', strategies), tooltip: tip },
        },
        ...(bars.some((b) => b.ciLow !== null) ? errorBars({ x, xOffset, y }) : []),
        {
          name: 'shapes',
          mark: { type: 'point', filled: true, stroke: '#000000', strokeWidth: 0.6, size: 30 },
          encoding: {
            x,
            xOffset,
            y,
            color: byStrategy('color', strategies),
            shape: byStrategy('shape', strategies),
            tooltip: tip,
          },
        },
      ],
    };

    const categories = categoryOrder(segments.map((s) => s.category));
    const breakdown: Spec = {
      title: {
        text: 'Where the overhead goes: runtime by category',
        subtitle: subtitle(configs, held, [
          "share of runtime beyond B's own work (compute and idle left out); bars are normalized to 100 %",
        ]),
      },
      data: { values: segments },
      facet: { column: { field: 'workload', type: 'nominal', title: 'workload', sort: workloads } },
      spec: {
        width: { step: 18 },
        layer: [
          {
            name: 'segments',
            mark: 'bar',
            encoding: {
              x: { field: 'strategy', type: 'nominal', title: 'strategy', sort: strategies },
              y: {
                field: 'cycles',
                type: 'quantitative',
                stack: 'normalize',
                title: axisTitle('share of tracking and checkpoint time (%)'),
                axis: { format: '.0%' },
              },
              color: {
                field: 'category',
                type: 'nominal',
                title: 'category',
                sort: categories,
                scale: { domain: categories, range: categoryColors(categories) },
              },
              order: { field: 'categoryRank', type: 'quantitative' },
              tooltip: tooltip([
                { field: 'category', title: 'category' },
                { field: 'micros', title: 'µs (mean over seeds)', format: '.2f' },
                { field: 'pctOfBaseline', title: '% of baseline runtime', format: '.3f' },
              ]),
            },
          },
        ],
      },
      transform: [
        { calculate: `indexof(${JSON.stringify(categories)}, datum.category)`, as: 'categoryRank' },
      ],
    };
    return [
      { name: 'overhead', spec: finish(grouped) },
      ...(segments.length > 0 ? [{ name: 'overhead-breakdown', spec: finish(breakdown) }] : []),
    ];
  },
};
