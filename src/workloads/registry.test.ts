import { describe, expect, it } from 'vitest';
import { findWorkload, workloads } from './registry.ts';

describe('workload registry', () => {
  it('holds every workload of docs/design.md §4 once, under the name typed on the command line', () => {
    const names = workloads.map((w) => w.name);
    expect(names).toEqual([
      'sequential',
      'uniform',
      'zipf',
      'hotcold',
      'phases',
      'stride',
      'periodic',
      'trace',
    ]);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(findWorkload(name)?.name).toBe(name);
    expect(findWorkload('nope')).toBeUndefined();
  });

  it('documents every workload and every parameter in one line', () => {
    for (const w of workloads) {
      expect(w.doc.length).toBeGreaterThan(10);
      expect(w.doc).not.toContain('\n');
      for (const [key, spec] of Object.entries(w.params)) {
        expect(spec.doc.length, `${w.name}.${key}`).toBeGreaterThan(10);
        expect(spec.doc).not.toContain('\n');
      }
    }
  });
});
