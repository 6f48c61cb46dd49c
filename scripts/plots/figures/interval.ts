/**
 * Figure 7: runtime overhead and the longest checkpoint pause against the
 * checkpoint interval, per strategy; one row of panels per workload swept.
 */
import {
  type Chart,
  type Figure,
  finish,
  type Spec,
  strategiesOf,
  subtitle,
  sweepFile,
  symlogAxis,
  workloadsOf,
} from '../figure.ts';
import { INTERVAL_AXIS, intervalMs, PAUSE, sweepPanels, sweepRows } from '../panels.ts';
import { num, type Run } from '../results.ts';
import { select } from '../select.ts';

export const interval: Figure = {
  name: 'interval',
  title: 'Overhead and worst-case pause against the checkpoint interval',
  needs: 'runs of the strategies at two or more checkpoint intervals (intervalCycles)',
  sweep: sweepFile('interval'),
  charts(runs: readonly Run[]): Chart[] {
    const { configs, held } = select(runs, {
      free: ['strategy', 'workload', 'intervalCycles'],
      sweep: 'intervalCycles',
    });
    if (configs.length === 0) return [];

    // Data
    const rows = sweepRows(configs, intervalMs, [
      { metric: 'overhead', value: (r) => num(r, 'metrics.overheadPct') },
      PAUSE,
    ]);

    // Encoding
    const overheads = rows.filter((r) => r.metric === 'overhead').map((r) => r.ciHigh ?? r.value);
    const spec: Spec = {
      title: {
        text: 'Overhead and worst-case pause against the checkpoint interval',
        subtitle: subtitle(configs, held),
      },
      data: { values: rows },
      ...sweepPanels({
        rows,
        x: INTERVAL_AXIS,
        panels: [
          {
            metric: 'overhead',
            title: 'runtime overhead (%, symlog scale)',
            scale: { type: 'symlog' },
            format: '.3f',
            axis: symlogAxis(Math.max(...overheads)),
          },
          { ...PAUSE, title: 'longest checkpoint pause (µs, log scale)', scale: { type: 'log' } },
        ],
        strategies: strategiesOf(rows),
        workloads: workloadsOf(rows),
      }),
    };
    return [{ name: 'interval', spec: finish(spec) }];
  },
};
