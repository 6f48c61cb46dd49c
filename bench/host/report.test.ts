/** The host suite's command line and its two views of a results document. */
import { describe, expect, it } from 'vitest';
import { parseHostArgs } from './options.ts';
import { HOST_SCHEMA, type HostDocument, renderHostMarkdown, renderHostText } from './report.ts';

const DOC: HostDocument = {
  schema: HOST_SCHEMA,
  env: {
    node: 'v20.0.0',
    arch: 'x64',
    cpu: 'Test CPU',
    cores: 2,
    createdAt: '2026-12-01T00:00:00.000Z',
    gitCommit: null,
  },
  referenceAccessesPerSecond: 75e6,
  engine: [
    { name: 'reference loop', accessesPerSecond: 75e6, ratioToReference: 1, rmePct: 1 },
    { name: 'MMU fast path (TLB hit, no fault)', accessesPerSecond: 150e6, ratioToReference: 0.5, rmePct: 2 },
  ],
  memory: [{ strategy: 'oracle', bytesPerPage: 28.04, pagesLow: 262144, pagesHigh: 1048576 }],
  replay: null,
  defaultBenchSeconds: 7.5,
  targets: [{ target: 'default npm run bench under 20 s on this machine', observed: '7.5 s', met: true }],
  workloads: {
    generation: [{ workload: 'uniform', accessesPerSecond: 300e6, rmePct: 1.5, samples: 10 }],
    imports: [
      {
        input: 'true.lackey.gz (shipped, gzip)',
        gzip: true,
        fileBytes: 1e6,
        textBytes: 5e6,
        seconds: 0.05,
        textMBps: 100,
        fileMBps: 20,
        peakRssDeltaBytes: 2 ** 20,
        accesses: 170229,
        pages: 139,
      },
    ],
  },
};

describe('the host report', () => {
  it('prints every figure in aligned columns', () => {
    const text = renderHostText(DOC);
    expect(text).toContain('node v20.0.0, x64, Test CPU x 2');
    expect(text).toMatch(/^ {2}MMU fast path \(TLB hit, no fault\) +150\.0 +0\.50x$/m);
    expect(text).toMatch(/^ {2}oracle +28\.0 +262144 +1048576$/m);
    expect(text).toMatch(
      /^ {2}true\.lackey\.gz \(shipped, gzip\) +5\.0 +1\.0 +0\.050 +100\.0 +20\.0 +1\.0 +170229 +139$/m,
    );
    expect(text).toContain('  [met] default npm run bench under 20 s on this machine: 7.5 s');
  });

  it('summarises the same figures in markdown tables', () => {
    const md = renderHostMarkdown(DOC);
    expect(md).toContain('| benchmark | M acc/s | ratio |');
    expect(md).toContain('| :--- | ---: | ---: |');
    expect(md).toContain('| reference loop | 75.0 | 1.00x |');
    expect(md).toContain('| uniform | 300.0 | 1.5 | 10 |');
    expect(md).toContain('- default `npm run bench`: 7.5 s');
  });
});

describe('npm run bench:host options', () => {
  it('parses the options with yargs and refuses bad ones', () => {
    expect(parseHostArgs([])).toEqual({
      exportJson: undefined,
      syntheticMib: 128,
      skipWorkloads: false,
      skipDefaultBench: false,
    });
    expect(
      parseHostArgs(['--export-json=h.json', '--synthetic-mib', '16', '--skip-workloads']),
    ).toMatchObject({
      exportJson: 'h.json',
      syntheticMib: 16,
      skipWorkloads: true,
    });
    expect(() => parseHostArgs(['--synthetic-mib=0'])).toThrow(/whole number of MiB >= 1/);
    expect(() => parseHostArgs(['--synthetic-mib=lots'])).toThrow(/whole number of MiB >= 1/);
    expect(() => parseHostArgs(['--skip-everything'])).toThrow(/Unknown argument/);
    expect(parseHostArgs(['--help'])).toMatchObject({ help: expect.stringContaining('--synthetic-mib') });
  });
});
