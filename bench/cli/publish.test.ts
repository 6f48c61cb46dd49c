/**
 * A run that fails verification or its bound: exit 1, the result files still
 * written with the failure recorded, and the table marks it. No strategy fails
 * on purpose (a failure is a model bug, and src/ has no test hooks), so the
 * failing result is made here from a genuine one and handed to `publish`, the
 * step after the runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/platform/index.ts';
import { type RunConfig, type RunResult, runExperiment } from '../../src/run/index.ts';
import { parseCommandLine } from './commands.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitCodeForError, exitCodeForRuns, UsageError } from './errors.ts';
import { outputTargets, publish } from './main.ts';
import type { CliOptions } from './options.ts';
import { renderTable } from './report.ts';
import { sink, tempDir } from './testing.ts';

function genuineRun(extra: Partial<RunConfig> = {}): RunResult {
  return runExperiment({
    profile: loadProfile('fiasco-oc-x86_64'),
    strategy: 'fault-notify',
    strategyParams: {},
    workload: 'uniform',
    workloadParams: {},
    common: { pages: 128, accesses: 2000, writeRatio: 0.5, computeCycles: 100 },
    intervalCycles: 100_000,
    seed: 1,
    ...extra,
  });
}

/** The options of `--out OUT -q`, as the command line gives them. */
function options(out: string): CliOptions {
  const parsed = parseCommandLine(['--out', out, '-q'], 'test');
  if (parsed.kind !== 'command') throw new Error('expected a command');
  return parsed.call.options as CliOptions;
}

describe('exit codes', () => {
  it('maps results: 1 when any run failed, else 0', () => {
    expect(exitCodeForRuns([{ ok: true }, { ok: true }])).toBe(EXIT_OK);
    expect(exitCodeForRuns([{ ok: true }, { ok: false }])).toBe(EXIT_FAILED);
  });

  it('maps errors by class, and by name for errors from worker threads', () => {
    expect(exitCodeForError(new UsageError('x'))).toBe(EXIT_USAGE);
    const fromWorker = new Error('m');
    fromWorker.name = 'ModelError';
    expect(exitCodeForError(fromWorker)).toBe(EXIT_FAILED);
    fromWorker.name = 'WorkloadError';
    expect(exitCodeForError(fromWorker)).toBe(EXIT_USAGE);
    expect(exitCodeForError(new TypeError('bug'))).toBeUndefined();
  });
});

describe('a failed run', () => {
  it('exits 1, writes the files with the failure recorded, and the table marks it', async () => {
    const good = genuineRun();
    expect(good.ok).toBe(true);
    // The same configuration with another seed: one row, failed for one of its two seeds.
    const bad: RunResult = {
      ...structuredClone(good),
      seed: good.seed + 1,
      ok: false,
      failures: ['observed stall 9 cycles exceeds the analytic bound 8'],
    };
    const out = join(tempDir(), 'out');
    const [stdout, stderr] = [sink(), sink()];
    const o = options(out);
    const code = await publish(
      [good, bad],
      {
        options: o,
        targets: outputTargets(o, { env: {} }),
        args: [],
        description: 'test',
        createdAt: new Date(),
      },
      { stdout, stderr, env: {} },
    );
    expect(code).toBe(EXIT_FAILED);
    expect(stdout.text).toMatch(
      new RegExp(
        `^fault-notify .* FAIL \\(1 of 2 seeds; seed ${bad.seed}\\): observed stall 9 cycles exceeds the analytic bound 8$`,
        'm',
      ),
    );
    // Alone, the failed run is marked with its reasons.
    const alone = renderTable([bad]);
    expect(alone).toMatch(/^fault-notify .* FAIL: observed stall 9 cycles exceeds the analytic bound 8$/m);
    expect(stderr.text).toMatch(
      /^dirtybench: 1 of 2 runs failed verification or a bound: fault-notify × uniform/,
    );
    for (const f of ['results.json', 'results.csv', 'summary.md'])
      expect(existsSync(join(out, f))).toBe(true);
    const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(doc.runs.map((r: RunResult) => r.ok)).toEqual([true, false]);
    expect(doc.runs[1].failures).toEqual(bad.failures);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('## Failures');
  });
});

describe('the table of a group with copy-on-write runs', () => {
  it('shows when each row copied (stop, or cow with the copier priority) only where a run copied on write', () => {
    const stop = genuineRun();
    const cow = genuineRun({ copy: 'cow', copier: { priority: 'above' } });
    const both = renderTable([stop, cow]);
    expect(both).toMatch(/ copy +copy via /);
    expect(both).toMatch(/^fault-notify .* stop +mapped /m);
    expect(both).toMatch(/^fault-notify .* cow \(above\) +mapped /m);
    expect(renderTable([stop])).not.toMatch(/ copy +copy via /);
  });
});
