/**
 * Figure 6: the `dirty-bit-scan` flexpage-order trade-off — the size of each
 * unmap-with-status flexpage against precision and the longest checkpoint
 * pause. Built ahead of a fidelity fix to the model that it waits on (see
 * shared/reviews/): until then the order may move the pause and little else.
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

const STRATEGY = 'dirty-bit-scan';

export const flexpageOrder: Figure = {
  name: 'flexpage-order',
  title: 'dirty-bit-scan: the flexpage-order trade-off',
  needs: `runs of ${STRATEGY} at two or more flexpage orders (params.strategy.flexpageOrder)`,
  sweep: sweepFile('flexpage-order'),
  charts(runs: readonly Run[]): Chart[] {
    const { configs, held } = select(runs, {
      filter: (r) => r.strategy === STRATEGY,
      free: ['workload', 'strategy.flexpageOrder'],
      sweep: 'strategy.flexpageOrder',
    });
    if (configs.length === 0) return [];

    // Data
    const rows = sweepRows(configs, (c) => num(c.first, 'params.strategy.flexpageOrder'), [
      { metric: 'precision', value: (r) => num(r, 'metrics.precision') },
      { metric: 'pause', value: (r) => us(r, num(r, 'metrics.pause.maxCycles')), worst: true },
    ]);

    // Encoding
    const workloads = workloadsOf(rows);
    const spec: Spec = {
      title: {
        text: 'dirty-bit-scan: flexpage order of each unmap-with-status',
        subtitle: subtitle(configs, held, ['larger flexpages: fewer unmap calls per scan, full TLB flushes']),
      },
      data: { values: rows },
      ...sweepPanels({
        rows,
        x: {
          title: 'flexpage order (log₂ pages)',
          scale: { zero: false, nice: false, padding: 12 },
          tooltipTitle: 'flexpage order',
        },
        panels: [
          {
            metric: 'precision',
            title: 'precision (written / copied)',
            scale: { domain: [0, 1] },
            format: '.3f',
          },
          { metric: 'pause', title: 'longest checkpoint pause (µs)', format: '.2f' },
        ],
        strategies: [STRATEGY],
        seriesByWorkload: { color: STRATEGY_STYLES.get(STRATEGY)!.color, workloads },
        workloads,
      }),
    };
    return [{ name: 'flexpage-order', spec: finish(spec) }];
  },
};
