/**
 * Figure 2: worst-case latency per strategy — the longest fault stall (and
 * every other stall kind a run records) and the longest checkpoint pause,
 * over workloads and seeds, on a log scale, each with the strategy's
 * analytic bound marked. The fault-stall bound is `bounds.maxFaultStallCycles`
 * (issue 13) where results carry it; before that only `bounds.maxStallCycles`
 * exists, a bound on any stall (the larger of fault path and pause), and the
 * mark says so.
 */
import {
  axisTitle,
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
  us,
} from '../figure.ts';
import { num, optionalNum, type Run, stallHistograms } from '../results.ts';
import { type Config, select } from '../select.ts';

/** A stall kind's panel title: `fault` → `fault stall`, `checkpoint` → `checkpoint pause`, others as named. */
export function stallKindTitle(kind: string): string {
  if (kind === 'fault') return 'fault stall';
  if (kind === 'checkpoint') return 'checkpoint pause';
  return `${kind} stall`;
}

/** The longest stall of `kind` in a histogram of [cycles, count] pairs (0 when none). */
function longest(pairs: readonly [number, number][]): number {
  let max = 0;
  for (const [cycles, count] of pairs) if (count > 0 && cycles > max) max = cycles;
  return max;
}

/** The analytic bound on a stall of `kind` in `run`, and which field gave it. */
function boundOf(run: Run, kind: string): { cycles: number; field: string } {
  if (kind === 'checkpoint')
    return { cycles: num(run, 'bounds.maxPauseCycles'), field: 'bounds.maxPauseCycles' };
  const cap = kind.charAt(0).toUpperCase() + kind.slice(1);
  for (const field of kind === 'fault'
    ? ['bounds.maxFaultStallCycles']
    : [`bounds.max${cap}Cycles`, `bounds.max${cap}StallCycles`]) {
    const cycles = optionalNum(run, field);
    if (cycles !== undefined) return { cycles, field };
  }
  return { cycles: num(run, 'bounds.maxStallCycles'), field: 'bounds.maxStallCycles (any stall)' };
}

interface Worst {
  config: Config;
  observed: number;
  bound: number;
  boundField: string;
}

export const worstCase: Figure = {
  name: 'worst-case',
  title: 'Worst-case fault stall and checkpoint pause per strategy, against the analytic bounds',
  needs: 'runs of the strategies (metrics.stallHistogram, metrics.pause.maxCycles, bounds)',
  sweep: sweepFile('comparison'),
  charts(runs: readonly Run[]): Chart[] {
    const { configs, held } = select(runs, { free: ['strategy', 'workload'] });
    if (configs.length === 0) return [];

    // Data: per strategy and stall kind, the worst over its workloads and seeds.
    const worst = new Map<string, Worst>();
    const kinds: string[] = [];
    for (const c of configs) {
      for (const run of c.runs) {
        const observedByKind = new Map<string, number>();
        for (const [kind, pairs] of stallHistograms(run)) {
          if (kind !== 'checkpoint') observedByKind.set(kind, longest(pairs));
        }
        observedByKind.set('checkpoint', num(run, 'metrics.pause.maxCycles'));
        for (const [kind, observed] of observedByKind) {
          if (!kinds.includes(kind)) kinds.push(kind);
          const bound = boundOf(run, kind);
          const key = `${run.strategy}\u0000${kind}`;
          const w = worst.get(key);
          if (!w) {
            worst.set(key, { config: c, observed, bound: bound.cycles, boundField: bound.field });
            continue;
          }
          if (observed > w.observed) {
            w.observed = observed;
            w.config = c;
          }
          if (bound.cycles > w.bound) {
            w.bound = bound.cycles;
            w.boundField = bound.field;
          }
        }
      }
    }
    // A kind no run stalled in (a ring that never filled) gets no panel; checkpoint pauses last, as the widest.
    const seen = (kind: string) =>
      [...worst.entries()].some(([key, w]) => key.endsWith(`\u0000${kind}`) && w.observed > 0);
    const panelKinds = [...kinds.filter((k) => k !== 'checkpoint' && seen(k)), 'checkpoint'];
    const rows = [...worst.entries()]
      .filter(([key]) => panelKinds.includes(key.split('\u0000')[1]!))
      .map(([key, w]) => {
        const kind = key.split('\u0000')[1]!;
        return {
          ...runInfo(w.config),
          kind: stallKindTitle(kind),
          observedMicros: us(w.config.first, w.observed),
          boundMicros: us(w.config.first, w.bound),
          boundField: w.boundField,
        };
      });

    // Encoding
    const faultBounds = [
      ...new Set(rows.filter((r) => r.kind === stallKindTitle('fault')).map((r) => r.boundField)),
    ];
    const strategies = strategiesOf(rows);
    const x = {
      field: 'strategy',
      type: 'nominal',
      title: null,
      sort: strategies,
      axis: { labelAngle: -40 },
    };
    const y = {
      type: 'quantitative',
      scale: { type: 'log' },
      title: axisTitle('worst case (µs, log scale)'),
    };
    const tip = tooltip([
      { field: 'kind', title: 'stall kind' },
      { field: 'observedMicros', title: 'worst observed (µs)', format: '.3f' },
      { field: 'boundMicros', title: 'analytic bound (µs)', format: '.3f' },
      { field: 'boundField', title: 'bound from' },
    ]);
    const spec: Spec = {
      title: {
        text: 'Worst-case latency per strategy, against the analytic bound',
        subtitle: subtitle(configs, held, [
          'points: longest stall observed over all workloads and seeds; black ticks: the analytic bound',
          `fault-stall bound: ${faultBounds.join(', ') || 'none'}`,
          'a strategy with no stall of a kind has no point in that panel',
        ]),
      },
      data: { values: rows },
      facet: {
        column: { field: 'kind', type: 'nominal', title: null, sort: panelKinds.map(stallKindTitle) },
      },
      spec: {
        width: { step: 22 },
        layer: [
          {
            name: 'bounds',
            transform: [{ filter: 'datum.boundMicros > 0' }],
            mark: { type: 'tick', color: '#000000', thickness: 2, size: 16 },
            encoding: { x, y: { ...y, field: 'boundMicros' }, tooltip: tip },
          },
          {
            name: 'points',
            transform: [{ filter: 'datum.observedMicros > 0' }],
            mark: { type: 'point', filled: true, stroke: '#000000', strokeWidth: 0.5, size: 60 },
            encoding: {
              x,
              y: { ...y, field: 'observedMicros' },
              color: byStrategy('color', strategies),
              shape: byStrategy('shape', strategies),
              tooltip: tip,
            },
          },
        ],
      },
    };
    return [{ name: 'worst-case', spec: finish(spec) }];
  },
};
