/**
 * Figure 8: the real-time view — the worst-case response time and the
 * deadline misses of the `periodic` task against the checkpoint interval,
 * per strategy, with the deadline (= the period) marked, and the analytic
 * response-time bound (`metrics.realtime.wcrtBoundCycles`, issue 13) in a
 * panel beside it where results carry it.
 */
import {
  type Chart,
  type Figure,
  finish,
  type Spec,
  strategiesOf,
  subtitle,
  sweepFile,
  us,
} from '../figure.ts';
import { INTERVAL_AXIS, intervalMs, sweepPanels, sweepRows } from '../panels.ts';
import { num, optionalNum, type Run } from '../results.ts';
import { select } from '../select.ts';

/** Runs of a task with jobs: `periodic`, or any workload whose results carry `metrics.realtime`. */
function hasJobs(run: Run): boolean {
  const metrics = run.raw['metrics'] as Record<string, unknown> | undefined;
  return run.workload === 'periodic' || (metrics?.['realtime'] ?? null) !== null;
}

export const realtime: Figure = {
  name: 'realtime',
  title: 'Real time: response time and deadline misses of the periodic task against the interval',
  needs: 'runs of the periodic workload at two or more checkpoint intervals (metrics.realtime)',
  sweep: sweepFile('realtime'),
  charts(runs: readonly Run[]): Chart[] {
    const { configs, held } = select(runs, {
      filter: hasJobs,
      free: ['strategy', 'intervalCycles'],
      sweep: 'intervalCycles',
    });
    if (configs.length === 0) return [];

    // Data: the bound only where every run carries it (results before issue 13 do not).
    const bounded = configs.every((c) =>
      c.runs.every((r) => optionalNum(r, 'metrics.realtime.wcrtBoundCycles') !== undefined),
    );
    const rows = sweepRows(configs, intervalMs, [
      { metric: 'wcrt', value: (r) => us(r, num(r, 'metrics.realtime.wcrtCycles')), worst: true },
      ...(bounded
        ? [
            {
              metric: 'wcrtBound',
              value: (r: Run) => us(r, num(r, 'metrics.realtime.wcrtBoundCycles')),
              worst: true,
            },
          ]
        : []),
      { metric: 'misses', value: (r) => num(r, 'metrics.realtime.deadlineMisses') },
    ]);
    const first = configs[0]!.first;
    const deadline = us(first, num(first, 'params.workload.periodCycles'));

    // Encoding
    const spec: Spec = {
      title: {
        text: `Real time: the ${first.workload} task against the checkpoint interval`,
        subtitle: subtitle(configs, held, ['dashed line: the deadline (= the period)']),
      },
      data: { values: rows },
      ...sweepPanels({
        rows,
        x: INTERVAL_AXIS,
        panels: [
          {
            metric: 'wcrt',
            title: 'worst-case response time (µs, log scale)',
            scale: { type: 'log' },
            format: '.2f',
            under: () => [
              {
                name: 'deadline',
                data: { values: [{ deadline }] },
                mark: { type: 'rule', color: '#000000', strokeDash: [4, 3], strokeWidth: 1 },
                encoding: { y: { field: 'deadline', type: 'quantitative' } },
              },
            ],
          },
          ...(bounded
            ? [
                {
                  metric: 'wcrtBound',
                  title: 'analytic response-time bound (µs, log scale)',
                  scale: { type: 'log' },
                  format: '.2f',
                },
              ]
            : []),
          { metric: 'misses', title: 'deadline misses per run', format: ',.1f' },
        ],
        strategies: strategiesOf(rows),
        workloads: ['*'],
      }),
    };
    return [{ name: 'realtime', spec: finish(spec) }];
  },
};
