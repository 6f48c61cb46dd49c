/**
 * What the figures read from results files: a missing field fails naming the
 * file, the run, the field and the figure; fields other sessions add later
 * are used when present and not required.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BuiltFigures, buildFigures, loadResults, PlotsInputError } from './index.ts';
import {
  dataValues,
  deleteField,
  FIXTURE,
  fixtureJson,
  type JsonObject,
  loadFixture,
  objectAt,
  setField,
} from './testing.ts';

type Doc = ReturnType<typeof fixtureJson>;

/** Index of the fixture's first run of `strategy` on `workload` (seed 1, the common configuration). */
function indexOf(doc: Doc, strategy: string, workload: string): number {
  const i = doc.runs.findIndex((r) => r['strategy'] === strategy && r['workload'] === workload);
  if (i < 0) throw new Error(`no ${strategy} on ${workload}`);
  return i;
}

function build(change: (doc: Doc) => void): BuiltFigures {
  return buildFigures([loadFixture(change)]);
}

function spec(change: (doc: Doc) => void, name: string): JsonObject {
  const c = build(change).charts.find((x) => x.name === name);
  if (!c) throw new Error(`no chart ${name}`);
  return c.spec as unknown as JsonObject;
}

describe('a results file missing a field a figure needs', () => {
  const cases: [string, string, string, string][] = [
    ['managed-dataspace', 'zipf', 'metrics.overheadPct', 'overhead'],
    ['managed-dataspace', 'zipf', 'metrics.breakdownCycles', 'overhead'],
    ['managed-dataspace', 'zipf', 'metrics.baselineCycles', 'overhead'],
    ['managed-dataspace', 'zipf', 'metrics.stallHistogram', 'worst-case'],
    ['managed-dataspace', 'zipf', 'metrics.pause.maxCycles', 'worst-case'],
    ['managed-dataspace', 'zipf', 'bounds.maxPauseCycles', 'worst-case'],
    ['managed-dataspace', 'zipf', 'bounds.maxStallCycles', 'worst-case'],
    ['managed-dataspace', 'zipf', 'metrics.memory.quotaBytes', 'memory'],
    ['managed-dataspace', 'zipf', 'metrics.faults', 'granularity'],
    ['managed-dataspace', 'zipf', 'metrics.checkpointPages.mean', 'granularity'],
    ['dirty-bit-scan', 'zipf', 'metrics.precision', 'flexpage-order'],
    ['fault-notify', 'periodic', 'metrics.realtime.wcrtCycles', 'realtime'],
    ['fault-notify', 'periodic', 'metrics.realtime.deadlineMisses', 'realtime'],
  ];
  for (const [strategy, workload, field, figure] of cases) {
    it(`fails naming ${field} (${figure})`, () => {
      const i = indexOf(fixtureJson(), strategy, workload);
      const attempt = () => build((doc) => deleteField(doc.runs[i]!, field));
      expect(attempt).toThrow(PlotsInputError);
      expect(attempt).toThrow(`${FIXTURE}: runs[${i}].${field} is missing (figure ${figure} needs it)`);
    });
  }

  it('fails naming params.workload.periodCycles (realtime) when the periodic runs lack it', () => {
    // A parameter is part of a run's configuration: removed from one run only, that run
    // would be another configuration, held out like any other.
    const i = indexOf(fixtureJson(), 'full-copy', 'periodic');
    const attempt = () =>
      build((doc) => {
        for (const r of doc.runs)
          if (r['workload'] === 'periodic') deleteField(r, 'params.workload.periodCycles');
      });
    expect(attempt).toThrow(
      `${FIXTURE}: runs[${i}].params.workload.periodCycles is missing (figure realtime needs it)`,
    );
  });

  it('fails naming a run configuration field before any figure', () => {
    expect(() => loadFixture((doc) => deleteField(doc.runs[3]!, 'cpuHz'))).toThrow(
      `${FIXTURE}: runs[3].cpuHz is missing`,
    );
  });

  it('says a figure stored as null is undefined for its run, not missing (an overhead over a 0-cycle baseline)', () => {
    const attempt = () =>
      build((doc) => setField(doc.runs[indexOf(doc, 'oracle', 'zipf')]!, 'metrics.overheadPct', null));
    expect(attempt).toThrow(
      /runs\[\d+\]\.metrics\.overheadPct is null \(undefined for this run\) \(figure overhead needs it\)/,
    );
  });

  it('fails naming a field of the wrong type', () => {
    const attempt = () =>
      build((doc) => setField(doc.runs[indexOf(doc, 'oracle', 'zipf')]!, 'metrics.overheadPct', 'fast'));
    expect(attempt).toThrow(
      /runs\[\d+\]\.metrics\.overheadPct is "fast", expected a number \(figure overhead needs it\)/,
    );
  });
});

describe('reading results files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dirtybench-plots-results-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a results directory through its results.json', () => {
    writeFileSync(join(dir, 'results.json'), JSON.stringify(fixtureJson()));
    expect(loadResults(dir).runs).toHaveLength(50);
  });

  it('refuses a missing path, a file that is not JSON, and another schema, naming the file', () => {
    expect(() => loadResults(join(dir, 'nope.json'))).toThrow(/nope\.json: no such file or directory/);
    writeFileSync(join(dir, 'bad.json'), '{"schema":');
    expect(() => loadResults(join(dir, 'bad.json'))).toThrow(/bad\.json: not JSON/);
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ schema: 'something/else@2', runs: [] }));
    expect(() => loadResults(join(dir, 'other.json'))).toThrow(
      'other.json: schema is "something/else@2", expected "dirtybench/results@1"',
    );
  });
});

describe('fields added by other sessions', () => {
  it('memory plots the peak metadata where results carry it, metadataBytes where not', () => {
    const values = (s: JsonObject) =>
      dataValues(s)
        .filter((d) => d['metric'] === 'metadata' && d['strategy'] === 'kernel-log' && d['x'] === 1)
        .map((d) => d['value']);
    expect(values(spec(() => {}, 'memory'))).toEqual([416]);
    const withPeak = spec((doc) => {
      for (const r of doc.runs) {
        const memory = objectAt(r, 'metrics.memory');
        memory['peakMetadataBytes'] = (memory['metadataBytes'] as number) * 3;
      }
    }, 'memory');
    expect(values(withPeak)).toEqual([416 * 3]);
  });

  it('worst-case marks bounds.maxFaultStallCycles as the fault bound when present, maxStallCycles before', () => {
    const fault = (s: JsonObject) =>
      dataValues(s).find((d) => d['kind'] === 'fault stall' && d['strategy'] === 'kernel-log')!;
    expect(fault(spec(() => {}, 'worst-case'))['boundField']).toBe('bounds.maxStallCycles (any stall)');
    const withBound = fault(
      spec((doc) => {
        for (const r of doc.runs) setField(r, 'bounds.maxFaultStallCycles', 1000);
      }, 'worst-case'),
    );
    expect(withBound['boundField']).toBe('bounds.maxFaultStallCycles');
    expect(withBound['boundMicros']).toBeCloseTo(1000 / 3400, 9);
  });

  it('realtime draws the analytic response-time bound in a panel of its own when every periodic run carries it', () => {
    const metrics = (s: JsonObject) => [...new Set(dataValues(s).map((d) => d['metric']))];
    expect(metrics(spec(() => {}, 'realtime'))).toEqual(['wcrt', 'misses']);
    const withBound = spec((doc) => {
      for (const r of doc.runs) {
        if (r['workload'] === 'periodic') setField(r, 'metrics.realtime.wcrtBoundCycles', 6800);
      }
    }, 'realtime');
    expect(metrics(withBound)).toEqual(['wcrt', 'wcrtBound', 'misses']);
    const bounds = dataValues(withBound).filter((d) => d['metric'] === 'wcrtBound');
    expect(bounds.every((d) => d['value'] === 6800 / 3400)).toBe(true);
  });

  it('gives a stall kind no run stalled in (an empty ringFull histogram) no worst-case panel', () => {
    const worst = spec((doc) => {
      for (const r of doc.runs) setField(r, 'metrics.stallHistogram.ringFull', []);
    }, 'worst-case');
    expect(objectAt(worst, 'facet.column')['sort']).toEqual(['fault stall', 'checkpoint pause']);
    expect(dataValues(worst).some((d) => d['kind'] === 'ringFull stall')).toBe(false);
  });

  it('draws every stall kind present: a ring-full stall gets its own panel and CDF row', () => {
    const change = (doc: Doc) => {
      for (const r of doc.runs) {
        if (r['strategy'] === 'kernel-log') setField(r, 'metrics.stallHistogram.ringFull', [[5000, 2]]);
      }
    };
    const kinds = ['fault stall', 'ringFull stall', 'checkpoint pause'];
    const worst = spec(change, 'worst-case');
    expect(objectAt(worst, 'facet.column')['sort']).toEqual(kinds);
    const ring = dataValues(worst).filter((d) => d['kind'] === 'ringFull stall');
    expect(ring.map((d) => [d['strategy'], d['boundField']])).toEqual([
      ['kernel-log', 'bounds.maxStallCycles (any stall)'],
    ]);
    const cdf = spec(change, 'stall-cdf');
    expect(objectAt(cdf, 'facet.row')['sort']).toEqual(kinds);
    // kernel-log on zipf and periodic, one duration each.
    expect(
      dataValues(cdf).filter((d) => d['kind'] === 'ringFull stall' && (d['count'] as number) > 0),
    ).toHaveLength(2);
  });

  it('tolerates busyOverheadPct and other new fields', () => {
    expect(() =>
      build((doc) => {
        for (const r of doc.runs) setField(r, 'metrics.busyOverheadPct', 1);
      }),
    ).not.toThrow();
  });
});
