import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A real single-node Slurm (scripts/slurm/cluster.sh) runs the sweep's job array
// and its merge, with a stand-in for the bench (standin-bench.mjs) selected by
// $DIRTYBENCH_BENCH_CMD until the bench has --sweep, --shard and merge.

const here = import.meta.dirname;
const clusterSh = join(here, 'cluster.sh');
const submitSh = join(here, 'submit.sh');
const standin = join(here, 'standin-bench.mjs');

const searchPath = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin'];
function onPath(command: string): boolean {
  return searchPath.some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
const missing = ['slurmctld', 'slurmd', 'munged', 'sbatch', 'scontrol'].filter((c) => !onPath(c));

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Result {
  const r = spawnSync(command, args, { env, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function mustRun(command: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = run(command, args, env);
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function waitFor(what: string, timeoutMs: number, test: () => boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

if (missing.length > 0) {
  it.skip(`Slurm job array: skipped, no ${missing.join(', ')} (install Debian's slurm-wlm and munge)`, () => {});
} else if (process.getuid?.() !== 0) {
  it.skip('Slurm job array: skipped, needs root (slurmd launches the jobs)', () => {});
} else {
  describe('a sweep as a Slurm job array on a single-node cluster', () => {
    const work = mkdtempSync(join(tmpdir(), 'dirtybench-slurm-test-'));
    const cluster = join(work, 'cluster');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: searchPath.join(delimiter),
      SLURM_CONF: join(cluster, 'slurm.conf'),
      DIRTYBENCH_BENCH_CMD: `${process.execPath} ${standin}`,
    };
    // Even if the worker is torn down without afterAll, leave no daemon behind.
    const down = () => run(clusterSh, ['down', cluster], env);
    process.on('exit', down);

    /** The fields of `scontrol show job -o ID`, one record per job (one per array task). */
    function jobs(id: string): Record<string, string>[] {
      return mustRun('scontrol', ['show', 'job', '-o', id], env)
        .trim()
        .split('\n')
        .map((line) =>
          Object.fromEntries(
            line.split(' ').map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]),
          ),
        );
    }
    const inQueue = (id: string) => mustRun('squeue', ['-h', '-j', id, '-o', '%i'], env).trim() !== '';

    function sweep(name: string, runs: number, msPerRun: number): string {
      const file = join(work, `${name}.json`);
      writeFileSync(file, JSON.stringify({ runs, msPerRun }));
      return file;
    }
    const expectedMerge = (runs: number) => Array.from({ length: runs }, (_, i) => `run ${i}\n`).join('');
    const started = (shardDir: string) =>
      readFileSync(join(shardDir, 'started.log'), 'utf8').trim().split('\n').map(Number);

    beforeAll(() => {
      mustRun(clusterSh, ['up', cluster], env);
    });
    afterAll(() => {
      const r = down();
      process.off('exit', down);
      rmSync(work, { recursive: true, force: true });
      if (r.status !== 0) throw new Error(`cluster.sh down failed: ${r.stderr}`);
    });

    it('runs each of 4 shards as an array task and merges them only after all have finished', () => {
      const out = join(work, 'plain');
      const r = run(submitSh, ['--wait', sweep('plain', 12, 100), '4', out], env, 110_000);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const [, arrayId] = /^array (\d+)$/m.exec(r.stdout) ?? [];
      const [, mergeId] = /^merge (\d+)$/m.exec(r.stdout) ?? [];
      expect(r.stdout).toContain('shards: COMPLETED 4; merge: COMPLETED');

      expect(readFileSync(join(out, 'merged', 'results.txt'), 'utf8')).toBe(expectedMerge(12));
      for (let i = 0; i < 4; i++) {
        // Shard i of 4 ran exactly its runs, each once, with the arguments the bench will get.
        expect(started(join(out, `shard-${i}-of-4`)).sort((a, b) => a - b)).toEqual([i, i + 4, i + 8]);
        expect(readFileSync(join(out, 'logs', `shard-${i}-of-4.log`), 'utf8')).toContain(`shard ${i}/4 of`);
      }
      const tasks = jobs(arrayId!);
      expect(tasks.map((t) => t['ArrayTaskId']).sort()).toEqual(['0', '1', '2', '3']);
      const [merge] = jobs(mergeId!);
      expect(merge!['Dependency']).toBe('(null)'); // satisfied and cleared
      const lastEnd = tasks
        .map((t) => t['EndTime']!)
        .sort()
        .at(-1)!;
      expect(merge!['StartTime']! >= lastEnd).toBe(true);
    }, 120_000);

    it('completes the sweep when a shard is cancelled mid-way and requeued, recomputing none of its finished runs', async () => {
      const out = join(work, 'requeued');
      const r = run(submitSh, [sweep('requeued', 16, 600), '4', out], env);
      expect(r.status).toBe(0);
      const arrayId = /^array (\d+)$/m.exec(r.stdout)![1]!;
      const mergeId = /^merge (\d+)$/m.exec(r.stdout)![1]!;
      const task = `${arrayId}_1`;
      const shard = join(out, 'shard-1-of-4');
      const written = () =>
        existsSync(shard) ? readdirSync(shard).filter((f) => /^run-\d+\.txt$/.test(f)) : [];

      // Catch shard 1 running with at least one of its 4 runs written, and cancel it.
      await waitFor('shard 1 to write its first run', 30_000, () => written().length >= 1);
      expect(jobs(task)[0]!['JobState']).toBe('RUNNING');
      mustRun('scancel', [task], env);
      await waitFor('the cancelled task to end', 15_000, () => jobs(task)[0]!['JobState'] === 'CANCELLED');
      const finished = written().sort();
      expect(finished.length).toBeGreaterThanOrEqual(1);
      expect(finished.length).toBeLessThan(4);

      mustRun('scontrol', ['requeue', task], env);
      await waitFor('the merge to finish', 60_000, () => !inQueue(mergeId));

      expect(jobs(mergeId)[0]!['JobState']).toBe('COMPLETED');
      const tasks = jobs(arrayId);
      expect(tasks.map((t) => t['JobState'])).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
      expect(tasks.find((t) => t['ArrayTaskId'] === '1')!['Restarts']).toBe('1');
      expect(readFileSync(join(out, 'merged', 'results.txt'), 'utf8')).toBe(expectedMerge(16));

      // The requeued task skipped what it had written; only the run in progress at the cancel ran twice.
      const runs = started(shard);
      const twice = [...new Set(runs.filter((n, k) => runs.indexOf(n) !== k))];
      expect(twice.length).toBeLessThanOrEqual(1);
      for (const file of finished) expect(runs.filter((n) => `run-${n}.txt` === file)).toHaveLength(1);
      expect(runs).toHaveLength(4 + twice.length);
      expect(readFileSync(join(out, 'logs', 'shard-1-of-4.log'), 'utf8')).toContain(
        `shard 1/4: skipped ${finished.length} runs already written`,
      );
    }, 120_000);
  });
}
