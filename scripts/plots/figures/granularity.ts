/**
 * Figure 5: the `managed-dataspace` granularity trade-off — pages per
 * designated dataspace against faults, the longest checkpoint pause, pages
 * copied per checkpoint and precision (rtcr tested 1 and 256 pages).
 */
import {
  type Chart,
  type Figure,
  finish,
  type Spec,
  subtitle,
  sweepFile,
  us,
  workloadsOf,
} from '../figure.ts';
import { sweepPanels, sweepRows } from '../panels.ts';
import { num, type Run } from '../results.ts';
import { select } from '../select.ts';
import { STRATEGY_STYLES } from '../theme.ts';

const STRATEGY = 'managed-dataspace';

export const granularity: Figure = {
  name: 'granularity',
  title: 'managed-dataspace: the granularity trade-off',
  needs: `runs of ${STRATEGY} at two or more granularities (params.strategy.granularity)`,
  sweep: sweepFile('granularity'),
  charts(runs: readonly Run[]): Chart[] {
    const { configs, held } = select(runs, {
      filter: (r) => r.strategy === STRATEGY,
      free: ['workload', 'strategy.granularity'],
      sweep: 'strategy.granularity',
    });
    if (configs.length === 0) return [];

    // Data
    const rows = sweepRows(configs, (c) => num(c.first, 'params.strategy.granularity'), [
      { metric: 'faults', value: (r) => num(r, 'metrics.faults') },
      { metric: 'pause', value: (r) => us(r, num(r, 'metrics.pause.maxCycles')), worst: true },
      { metric: 'copied', value: (r) => num(r, 'metrics.checkpointPages.mean') },
      { metric: 'precision', value: (r) => num(r, 'metrics.precision') },
    ]);

    // Encoding
    const workloads = workloadsOf(rows);
    const spec: Spec = {
      title: {
        text: 'managed-dataspace: pages per designated dataspace',
        subtitle: subtitle(configs, held, [
          'coarser dataspaces: fewer faults, more pages copied that were not written',
        ]),
      },
      data: { values: rows },
      ...sweepPanels({
        rows,
        x: {
          title: 'granularity (pages per dataspace, log₂ scale)',
          scale: { type: 'log', base: 2, nice: false, padding: 12 },
          tooltipTitle: 'granularity (pages)',
        },
        panels: [
          { metric: 'faults', title: 'faults per run', format: ',.1f' },
          { metric: 'pause', title: 'longest checkpoint pause (µs)', format: '.2f' },
          { metric: 'copied', title: 'pages copied per checkpoint', format: '.1f' },
          {
            metric: 'precision',
            title: 'precision (written / copied)',
            scale: { domain: [0, 1] },
            format: '.3f',
          },
        ],
        strategies: [STRATEGY],
        seriesByWorkload: { color: STRATEGY_STYLES.get(STRATEGY)!.color, workloads },
        workloads,
      }),
    };
    return [{ name: 'granularity', spec: finish(spec) }];
  },
};
