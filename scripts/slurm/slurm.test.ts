import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess, runsText } from '../../bench/cli/testing.ts';

// A real single-node Slurm (scripts/slurm/cluster.sh) runs a sweep of the real
// bench (`npm run bench --`, as sweep-array.sbatch and merge.sbatch call it) as
// a 4-task job array and its merge, and the merged result is compared with the
// same sweep run here with --jobs 1 and --jobs 2.

const here = import.meta.dirname;
const clusterSh = join(here, 'cluster.sh');
const submitSh = join(here, 'submit.sh');

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
    await sleep(100);
  }
}

/** The bench in this process, as bench/cli.ts runs it. */
async function bench(args: string[], root: string): Promise<void> {
  const r = await runInProcess(args, root);
  if (r.code !== 0) throw new Error(`bench ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

/** PIDs of bench processes writing `--out dir`. */
function benchesOf(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return argv.some((a) => a.endsWith('bench/cli.ts')) && argv.includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}
const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));

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
    };
    delete env['DIRTYBENCH_BENCH_CMD']; // the real `npm run bench --`
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

    function sweep(name: string, content: object): string {
      const file = join(work, `${name}.json`);
      writeFileSync(file, JSON.stringify(content));
      return file;
    }

    beforeAll(() => {
      mustRun(clusterSh, ['up', cluster], env);
    });
    afterAll(() => {
      const r = down();
      process.off('exit', down);
      rmSync(work, { recursive: true, force: true });
      if (r.status !== 0) throw new Error(`cluster.sh down failed: ${r.stderr}`);
    });

    it('merges the 4 shards of the array, after all have finished, into the runs --jobs 1 and --jobs 2 give byte for byte', async () => {
      // 12 small runs: 2 workloads × 3 strategies × 2 intervals.
      const file = sweep('small', {
        pages: 256,
        accesses: 4000,
        workload: ['zipf', 'periodic'],
        strategy: ['fault-notify', 'kernel-log', 'dirty-bit-scan'],
        interval: ['50us', '100us'],
      });
      const out = join(work, 'array');
      const started = Date.now();
      const r = run(submitSh, ['--wait', file, '4', out], env, 110_000);
      const arraySeconds = (Date.now() - started) / 1000;
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      const [, arrayId] = /^array (\d+)$/m.exec(r.stdout) ?? [];
      const [, mergeId] = /^merge (\d+)$/m.exec(r.stdout) ?? [];
      expect(r.stdout).toContain('shards: COMPLETED 4; merge: COMPLETED');

      const root = join(work, 'local');
      const local = Date.now();
      await bench(['--sweep', file, '--out', join(work, 'j1'), '-j1', '-q'], root);
      const j1Seconds = (Date.now() - local) / 1000;
      await bench(['--sweep', file, '--out', join(work, 'j2'), '-j2', '-q'], root);
      const merged = join(out, 'merged');
      expect(runsText(merged)).toBe(runsText(join(work, 'j1')));
      expect(runsText(merged)).toBe(runsText(join(work, 'j2')));
      expect(readFileSync(join(merged, 'results.csv'), 'utf8')).toBe(
        readFileSync(join(work, 'j1', 'results.csv'), 'utf8'),
      );

      const all = results(join(work, 'j1')).runs;
      for (let i = 0; i < 4; i++) {
        // Task i ran shard i of 4: the sweep's runs i, i + 4, i + 8, and only those.
        const shard = join(out, `shard-${i}-of-4`);
        const doc = results(shard);
        expect(doc.env.sweep).toMatchObject({ shard: { index: i, count: 4 }, runs: 12, resumed: 0 });
        expect(doc.runs).toEqual([all[i], all[i + 4], all[i + 8]]);
        expect(readdirSync(join(shard, 'runs'))).toHaveLength(3);
        const log = readFileSync(join(out, 'logs', `shard-${i}-of-4.log`), 'utf8');
        expect(log).toContain(`, shard ${i}/4: 3 runs of 12; skipped 0 already written`);
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
      console.log(
        `slurm.test: 4-task array and merge of 12 small runs ${arraySeconds.toFixed(1)} s from submission (each task starts a node and the bench); --jobs 1 in-process ${j1Seconds.toFixed(1)} s`,
      );
    }, 120_000);

    it('completes the sweep when a shard is cancelled mid-way and requeued, recomputing none of its finished runs', async () => {
      // Shard 1 of 4 (runs 1, 5, 9) is three runs of a few seconds each, so it can be caught between its
      // first and its last; the other shards' runs are small.
      const file = sweep('requeued', {
        strategy: 'fault-notify',
        workload: 'sequential',
        pages: 16384,
        seed: [1, 2, 3],
        accesses: [2000, 4000000, 2001, 2002],
      });
      const out = join(work, 'requeued');
      const r = run(submitSh, [file, '4', out], env);
      expect(r.status, r.stderr).toBe(0);
      const arrayId = /^array (\d+)$/m.exec(r.stdout)![1]!;
      const mergeId = /^merge (\d+)$/m.exec(r.stdout)![1]!;
      const task = `${arrayId}_1`;
      const shard = join(out, 'shard-1-of-4');
      const written = () => {
        const dir = join(shard, 'runs');
        return existsSync(dir) ? readdirSync(dir).filter((f) => /^[0-9a-f]{64}\.json$/.test(f)) : [];
      };

      // Catch shard 1 running with at least one of its 3 runs written, and cancel it.
      await waitFor('shard 1 to write its first run', 60_000, () => written().length >= 1);
      expect(jobs(task)[0]!['JobState']).toBe('RUNNING');
      mustRun('scancel', [task], env);
      await waitFor('the cancelled task to end', 30_000, () => jobs(task)[0]!['JobState'] === 'CANCELLED');
      // Stopped, not left running unsignalled (as a bench under npm would be with proctrack/linuxproc: see
      // sweep-array.sbatch), so what is written now is what the requeued task finds.
      await waitFor('the cancelled bench to exit', 30_000, () => benchesOf(shard).length === 0);
      // Written by the cancelled attempt: what the requeued one must not compute again.
      const finished = new Map(
        written().map((f) => {
          const s = statSync(join(shard, 'runs', f));
          return [f, `${s.ino} ${s.mtimeMs}`];
        }),
      );
      expect(finished.size).toBeGreaterThanOrEqual(1);
      expect(finished.size).toBeLessThan(3);

      mustRun('scontrol', ['requeue', task], env);
      await waitFor('the merge to finish', 90_000, () => !inQueue(mergeId));

      expect(jobs(mergeId)[0]!['JobState']).toBe('COMPLETED');
      const tasks = jobs(arrayId);
      expect(tasks.map((t) => t['JobState'])).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
      expect(tasks.find((t) => t['ArrayTaskId'] === '1')!['Restarts']).toBe('1');
      const merged = results(join(out, 'merged'));
      expect(
        merged.runs.map((run: { seed: number; accesses: number }) => `${run.seed} ${run.accesses}`),
      ).toEqual([1, 2, 3].flatMap((seed) => [2000, 4000000, 2001, 2002].map((a) => `${seed} ${a}`)));

      // The requeued task skipped what it had written and computed the rest: the run in progress at the
      // cancel, and the one after it if any.
      const log = readFileSync(join(out, 'logs', 'shard-1-of-4.log'), 'utf8');
      expect(log).toContain(
        `, shard 1/4: 3 runs of 12; skipped ${finished.size} already written in ${shard}/runs, ${3 - finished.size} to run`,
      );
      expect(results(shard).env.sweep.resumed).toBe(finished.size);
      for (const [f, id] of finished) {
        const s = statSync(join(shard, 'runs', f));
        expect(`${s.ino} ${s.mtimeMs}`, `${f} was written again`).toBe(id);
      }
      expect(written()).toHaveLength(3);
    }, 150_000);
  });
}
