import { describe, expect, it } from 'vitest';
import { ParamError } from '../params/params.ts';
import { createWorkload, workloads } from './registry.ts';
import type { CommonWorkloadParams } from './types.ts';

const common: CommonWorkloadParams = { pages: 256, accesses: 1000, writeRatio: 0.5, computeCycles: 10 };
const generators = workloads.filter((w) => w.name !== 'trace');

describe('common parameter validation', () => {
  it.each(generators.map((w) => w.name))('%s refuses bad common parameters with one clear line', (name) => {
    const def = generators.find((w) => w.name === name)!;
    const bad: [Partial<CommonWorkloadParams>, RegExp][] = [
      [
        { pages: 0 },
        new RegExp(`^${name}: parameter 'pages' must be an integer >= 1 and <= 536870912, got 0$`),
      ],
      [{ pages: -5 }, /'pages' must be an integer >= 1/],
      [{ pages: 1.5 }, /'pages' must be an integer/],
      [{ accesses: 0 }, /'accesses' must be an integer >= 1/],
      [
        { writeRatio: -0.1 },
        new RegExp(`^${name}: parameter 'writeRatio' must be a number >= 0 and <= 1, got -0.1$`),
      ],
      [{ writeRatio: 1.5 }, /'writeRatio' must be a number >= 0 and <= 1/],
      [{ writeRatio: Number.NaN }, /'writeRatio' must be a number/],
      [{ computeCycles: -1 }, /'computeCycles' must be an integer >= 0/],
    ];
    for (const [change, message] of bad) {
      expect(() => createWorkload(def, { ...common, ...change }, {}, 1)).toThrow(ParamError);
      expect(() => createWorkload(def, { ...common, ...change }, {}, 1)).toThrow(message);
    }
  });

  it.each(generators.map((w) => w.name))(
    '%s refuses an unknown parameter, listing the accepted ones',
    (name) => {
      const def = generators.find((w) => w.name === name)!;
      expect(() => createWorkload(def, common, { bogus: 1 }, 1)).toThrow(ParamError);
      expect(() => createWorkload(def, common, { bogus: 1 }, 1)).toThrow(
        new RegExp(`^${name}: unknown parameter 'bogus'`),
      );
    },
  );

  it.each(generators.map((w) => w.name))('%s refuses a seed that is not a safe integer', (name) => {
    const def = generators.find((w) => w.name === name)!;
    expect(() => createWorkload(def, common, {}, 0.5)).toThrow(/seed must be a safe integer/);
  });
});
