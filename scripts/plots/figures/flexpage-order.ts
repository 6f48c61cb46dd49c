/**
 * Figure 6: the `dirty-bit-scan` flexpage-order trade-off — the size of each
 * unmap-with-status flexpage against precision and the longest checkpoint
 * pause. Built ahead of a fidelity fix to the model that it waits on (see
 * shared/reviews/): until then the order may move the pause and little else.
 */
import { PAUSE, PRECISION, parameterSweepFigure } from '../panels.ts';

export const flexpageOrder = parameterSweepFigure({
  name: 'flexpage-order',
  title: 'dirty-bit-scan: the flexpage-order trade-off',
  heading: 'dirty-bit-scan: flexpage order of each unmap-with-status',
  note: 'larger flexpages: fewer unmap calls per scan, full TLB flushes',
  strategy: 'dirty-bit-scan',
  param: 'flexpageOrder',
  plural: 'flexpage orders',
  sweep: 'flexpage-order',
  x: {
    title: 'flexpage order (log₂ pages)',
    scale: { zero: false, nice: false, padding: 12 },
    tooltipTitle: 'flexpage order',
  },
  metrics: [PRECISION, PAUSE],
});
