/**
 * Figure 5: the `managed-dataspace` granularity trade-off — pages per
 * designated dataspace against faults, the longest checkpoint pause, pages
 * copied per checkpoint and precision (rtcr tested 1 and 256 pages).
 */
import { PAUSE, PRECISION, parameterSweepFigure } from '../panels.ts';
import { num } from '../results.ts';

export const granularity = parameterSweepFigure({
  name: 'granularity',
  title: 'managed-dataspace: the granularity trade-off',
  heading: 'managed-dataspace: pages per designated dataspace',
  note: 'coarser dataspaces: fewer faults, more pages copied that were not written',
  strategy: 'managed-dataspace',
  param: 'granularity',
  plural: 'granularities',
  sweep: 'granularity',
  x: {
    title: 'granularity (pages per dataspace, log₂ scale)',
    scale: { type: 'log', base: 2, nice: false, padding: 12 },
    tooltipTitle: 'granularity (pages)',
  },
  metrics: [
    { metric: 'faults', value: (r) => num(r, 'metrics.faults'), title: 'faults per run', format: ',.1f' },
    PAUSE,
    {
      metric: 'copied',
      value: (r) => num(r, 'metrics.checkpointPages.mean'),
      title: 'pages copied per checkpoint',
      format: '.1f',
    },
    PRECISION,
  ],
});
