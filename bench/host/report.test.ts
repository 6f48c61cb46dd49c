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
  checkpoints: [
    { pages: 4096, checkpoints: 625, pagesPerCheckpoint: 64, cliSeconds: 0.5, msPerCheckpoint: 0.08 },
    { pages: 1048576, checkpoints: 738, pagesPerCheckpoint: 64, cliSeconds: 0.7, msPerCheckpoint: 0.09485 },
  ],
  managedFaults: {
    pages: 65536,
    accesses: 2e6,
    faults: 1_300_000,
    seconds: 1.3,
    faultsPerSecond: 1e6,
    chargesPerFault: 59.2,
    nsPerCharge: 16.9,
  },
  startup: {
    args: ['--accesses=1'],
    seconds: 0.25,
    cpuSeconds: 0.2,
    nodeSeconds: 0.05,
    nodeCpuSeconds: 0.04,
    npmSeconds: 0.45,
    repeats: 5,
  },
  jobs: {
    pages: 65536,
    accesses: 1e7,
    args: ['--workload=uniform'],
    runs: 7,
    jobs1Seconds: 60,
    jobs2Seconds: 33.3,
    jobs1CpuSeconds: 59,
    jobs2CpuSeconds: null,
    speedup: 1.8018,
  },
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
    expect(text).toMatch(/^ {2}1048576 +738 +64\.0 +0\.70 +0\.095$/m);
    expect(text).toMatch(
      /^ {2}managed-dataspace, uniform, 65536 pages, 2000000 accesses +1300000 faults in 1\.30 CPU s +1\.00 M faults\/s$/m,
    );
    expect(text).toMatch(
      /^ {2}the same run: charged operations \(Clock\.charge calls\) per fault, host time per operation +59\.2 per fault +16\.9 ns each$/m,
    );
    expect(text).toMatch(
      /^ {2}start-up: npm run bench -- --accesses=1 +0\.250 s, 0\.200 CPU s \(npm adds: 0\.200 s\) +node -e 0: 0\.050 s, 0\.040 CPU s$/m,
    );
    expect(text).toMatch(/--jobs 1: 60\.0 s, 59\.0 CPU s; --jobs 2: 33\.3 s +1\.80x$/m);
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
      sweepAccesses: 10_000_000,
      skipSweep: false,
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
    expect(parseHostArgs(['--sweep-accesses=1000', '--skip-sweep'])).toMatchObject({
      sweepAccesses: 1000,
      skipSweep: true,
    });
    expect(() => parseHostArgs(['--sweep-accesses=0'])).toThrow(
      /--sweep-accesses must be a whole number >= 1/,
    );
    expect(() => parseHostArgs(['--skip-everything'])).toThrow(/Unknown argument/);
    expect(parseHostArgs(['--help'])).toMatchObject({ help: expect.stringContaining('--synthetic-mib') });
  });
});
