/**
 * Figure 4: memory cost against the size of the tracked memory (log-log):
 * the tracking metadata (core's and the tracker's; the peak where results
 * carry `metrics.memory.peakMetadataBytes`, else `metadataBytes`) and the RAM
 * quota donated to core, in separate panels. B's pages are 4 KiB.
 */

import { PAGE_SIZE } from '../../../src/workloads/index.ts';
import { type Chart, type Figure, finish, type Spec, strategiesOf, subtitle, sweepFile } from '../figure.ts';
import { sweepPanels, sweepRows } from '../panels.ts';
import { num, optionalNum, type Run } from '../results.ts';
import { select } from '../select.ts';

export const memory: Figure = {
  name: 'memory',
  title: 'Memory cost against tracked memory size',
  needs: 'runs of the strategies at two or more memory sizes (pages; metrics.memory)',
  sweep: sweepFile('memory-size'),
  charts(runs: readonly Run[]): Chart[] {
    const { configs, held } = select(runs, { free: ['strategy', 'pages'], sweep: 'pages' });
    if (configs.length === 0) return [];

    // Data
    const peak = configs.some((c) =>
      c.runs.some((r) => optionalNum(r, 'metrics.memory.peakMetadataBytes') !== undefined),
    );
    const rows = sweepRows(configs, (c) => (c.first.pages * PAGE_SIZE) / 2 ** 20, [
      {
        metric: 'metadata',
        value: (r) =>
          optionalNum(r, 'metrics.memory.peakMetadataBytes') ?? num(r, 'metrics.memory.metadataBytes'),
        worst: true,
      },
      { metric: 'quota', value: (r) => num(r, 'metrics.memory.quotaBytes'), worst: true },
    ]);

    // Encoding
    const spec: Spec = {
      title: {
        text: 'Memory cost against tracked memory size',
        subtitle: subtitle(configs, held, [
          `metadata: ${peak ? 'peak (metrics.memory.peakMetadataBytes, metadataBytes where absent)' : 'metrics.memory.metadataBytes'}; quota: RM-session quota donated to core`,
          'log-log; a strategy that needs no quota has no line in the quota panel',
        ]),
      },
      data: { values: rows },
      ...sweepPanels({
        rows,
        x: {
          title: 'tracked memory (MiB, log scale)',
          scale: { type: 'log', nice: false, padding: 12 },
          tooltipTitle: 'tracked memory (MiB)',
          format: '.3f',
        },
        panels: [
          {
            metric: 'metadata',
            title: 'tracking metadata (bytes, log scale)',
            scale: { type: 'log' },
            axis: { format: '~s' },
            format: ',',
          },
          {
            metric: 'quota',
            title: 'RAM quota donated to core (bytes, log scale)',
            scale: { type: 'log' },
            axis: { format: '~s' },
            format: ',',
          },
        ],
        strategies: strategiesOf(rows),
        workloads: ['*'],
      }),
    };
    return [{ name: 'memory', spec: finish(spec) }];
  },
};
