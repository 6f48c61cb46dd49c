/**
 * `--sweep`, `--shard`, `merge` and resume: the same runs in the same order
 * whether run at once, over worker threads, in shards or resumed, and every
 * mistake in putting shards together named. Most of it runs the command
 * in-process (`main`, as bench/cli.ts calls it); killing a sweep mid-way
 * needs a process of its own.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/platform/index.ts';
import type { RunConfig } from '../../src/run/index.ts';
import { REPO_ROOT, RESULTS_DIR_ENV } from './paths.ts';
import {
  canonicalJson,
  currentHarness,
  type Harness,
  parseShard,
  runKey,
  shardIndices,
} from './run-store.ts';
import { type CliOutcome, runInProcess, runsText, tempDir } from './testing.ts';

/** 12 small runs: 2 workloads × 3 strategies × 2 intervals, in that order. */
const SWEEP = {
  description: 'the tests’ sweep',
  pages: 256,
  accesses: 4000,
  workload: ['zipf', 'periodic'],
  strategy: ['fault-notify', 'kernel-log', 'dirty-bit-scan'],
  interval: ['50us', '100us'],
};

/** `npm run bench -- ...args` in-process, with the results root at `root`. */
const bench = runInProcess;

async function ok(args: readonly string[], root: string): Promise<CliOutcome> {
  const r = await bench(args, root);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

const json = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
const csv = (dir: string) => readFileSync(join(dir, 'results.csv'), 'utf8');
const runFiles = (dir: string) => readdirSync(join(dir, 'runs')).sort();

describe('a sweep', () => {
  const work = tempDir();
  const root = join(work, 'results');
  const sweep = join(work, 'small.json');
  const reference = join(work, 'j1');
  writeFileSync(sweep, JSON.stringify(SWEEP));

  beforeAll(async () => {
    await ok(['--sweep', sweep, '--out', reference, '-j1', '-q'], root);
  });

  it("runs in the file's order, the same runs with --jobs 1 and --jobs 2, each kept as a run file", async () => {
    const doc = json(reference);
    const order = doc.runs.map(
      (r: { workload: string; strategy: string; intervalCycles: number }) =>
        `${r.workload} ${r.strategy} ${r.intervalCycles}`,
    );
    expect(order).toEqual(
      ['zipf', 'periodic'].flatMap((w) =>
        ['fault-notify', 'kernel-log', 'dirty-bit-scan'].flatMap((s) => [
          `${w} ${s} 170000`,
          `${w} ${s} 340000`,
        ]),
      ),
    );
    expect(doc.env.sweep).toMatchObject({ file: sweep, runs: 12, shard: null, resumed: 0 });
    expect(runFiles(reference)).toHaveLength(12);
    const manifest = JSON.parse(readFileSync(join(reference, 'sweep.json'), 'utf8'));
    expect(manifest).toMatchObject({
      schema: 'dirtybench/sweep@1',
      sweep,
      shard: null,
      id: doc.env.sweep.id,
    });
    expect(runFiles(reference)).toEqual(manifest.keys.map((k: string) => `${k}.json`).sort());

    const j2 = join(work, 'j2');
    await ok(['--sweep', sweep, '--out', j2, '-j2', '-q'], root);
    expect(runsText(j2)).toBe(runsText(reference));
    expect(csv(j2)).toBe(csv(reference));
  });

  it('in shards runs each index once, and merge gives the unsharded runs byte for byte', async () => {
    const shards = [0, 1, 2].map((i) => join(work, 'shards', `shard-${i}-of-3`));
    for (const [i, dir] of shards.entries()) {
      const r = await ok(['--sweep', sweep, '--shard', `${i}/3`, '--out', dir, '-j1'], root);
      expect(r.stderr).toContain(`, shard ${i}/3: 4 runs of 12; skipped 0 already written`);
      const doc = json(dir);
      expect(doc.env.sweep.shard).toEqual({ index: i, count: 3 });
      expect(doc.runs).toEqual([i, i + 3, i + 6, i + 9].map((k) => json(reference).runs[k]));
    }
    const merged = join(work, 'merged');
    await ok(['merge', ...shards, '--out', merged, '-q'], root);
    expect(runsText(merged)).toBe(runsText(reference));
    expect(csv(merged)).toBe(csv(reference));
    const tables = (dir: string) =>
      readFileSync(join(dir, 'summary.md'), 'utf8').replace(/^- (command|created):.*\n/gm, '');
    expect(tables(merged)).toBe(tables(reference));
    // Given in any order.
    await ok(['merge', shards[2]!, shards[0]!, shards[1]!, '--out', merged, '-q'], root);
    expect(runsText(merged)).toBe(runsText(reference));
  });

  it('started again skips the runs already written, says how many, and recomputes only the others', async () => {
    const dir = join(work, 'resumed');
    cpSync(reference, dir, { recursive: true });
    mkdirSync(join(dir, 'plots')); // figures drawn from it (npm run plots): part of the set, replaced with it
    const again = await ok(['--sweep', sweep, '--out', dir, '-j1'], root);
    expect(readdirSync(dir).sort()).toEqual([
      'results.csv',
      'results.json',
      'runs',
      'summary.md',
      'sweep.json',
    ]);
    expect(again.stderr).toContain('12 runs; skipped 12 already written');
    expect(json(dir).env.sweep.resumed).toBe(12);

    const files = runFiles(dir);
    const gone = [files[3]!, files[7]!];
    for (const f of gone) rmSync(join(dir, 'runs', f));
    const inode = (f: string) => statSync(join(dir, 'runs', f)).ino;
    const before = new Map(files.filter((f) => !gone.includes(f)).map((f) => [f, inode(f)]));
    const r = await ok(['--sweep', sweep, '--out', dir, '-j2'], root);
    expect(r.stderr).toContain('12 runs; skipped 10 already written');
    expect(r.stderr).toContain(', 2 to run');
    expect(runFiles(dir)).toEqual(files);
    for (const [f, ino] of before) expect(inode(f), `${f} was written again`).toBe(ino);
    expect(runsText(dir)).toBe(runsText(reference));
  });

  it('computes again a run file that is not the run of its name, saying so', async () => {
    const dir = join(work, 'tampered');
    cpSync(reference, dir, { recursive: true });
    const [first] = runFiles(dir);
    writeFileSync(join(dir, 'runs', first!), '{"schema":"dirtybench/run@1","key":"x"}\n');
    const r = await ok(['--sweep', sweep, '--out', dir, '-j1'], root);
    expect(r.stderr).toContain(`${first} is not the run of its key: it runs again`);
    expect(r.stderr).toContain('skipped 11 already written');
    expect(runsText(dir)).toBe(runsText(reference));
  });

  it('killed mid-way without --out, started again, resumes where it was: only the run in progress is lost', async () => {
    const killedRoot = join(work, 'killed-root');
    const child = spawn(
      process.execPath,
      [
        '--import',
        import.meta.resolve('tsx'),
        join(REPO_ROOT, 'bench/cli.ts'),
        '--sweep',
        sweep,
        '-j1',
        '-q',
      ],
      { env: { ...process.env, [RESULTS_DIR_ENV]: killedRoot }, stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const partial = join(killedRoot, '.partial');
    const written = () => {
      if (!existsSync(partial)) return [];
      return readdirSync(partial).flatMap((d) =>
        existsSync(join(partial, d, 'runs'))
          ? readdirSync(join(partial, d, 'runs')).filter((f) => f.endsWith('.json'))
          : [],
      );
    };
    const end = Date.now() + 60_000;
    while (written().length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    expect(await exited).toBe(null); // killed, not finished
    const kept = written().length;
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(12);

    const r = await ok(['--sweep', sweep], killedRoot);
    expect(r.stderr).toContain(`12 runs; skipped ${kept} already written`);
    expect(existsSync(partial)).toBe(false); // removed once the set is written
    const latest = join(killedRoot, 'latest');
    expect(runsText(latest)).toBe(runsText(reference));
  });

  describe('merge refuses, naming the shard, writing nothing', () => {
    const shard = (i: number) => join(work, 'shards', `shard-${i}-of-3`);
    const out = join(work, 'never');

    async function refused(dirs: string[], message: RegExp): Promise<void> {
      const r = await bench(['merge', ...dirs, '--out', out], root);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }

    it('a missing shard, a shard given twice, a directory no sweep wrote', async () => {
      await refused(
        [shard(0), shard(2)],
        /^dirtybench: shard 1\/3 of sweep .*small\.json missing \(given: 0 in .*shard-0-of-3, 2 in .*shard-2-of-3\)$/m,
      );
      await refused(
        [shard(0), shard(1), shard(1), shard(2)],
        /shard 1\/3 given twice: .*shard-1-of-3 and .*shard-1-of-3/,
      );
      await refused([shard(0), shard(1), work], /: no sweep\.json, so not a sweep's result directory/);
      await refused([], /Not enough non-option arguments/);
    });

    it('an incomplete shard, saying how many runs it lacks', async () => {
      const copy = join(work, 'incomplete', 'shard-2-of-3');
      cpSync(shard(2), copy, { recursive: true });
      rmSync(join(copy, 'runs', runFiles(copy)[0]!));
      await refused(
        [shard(0), shard(1), copy],
        /incomplete\/shard-2-of-3 \(shard 2\/3\) lacks 1 of its 4 runs: it did not finish; run it again/,
      );
    });

    it('shards of different sweeps, of different harness versions, or split differently', async () => {
      const other = join(work, 'other.json');
      writeFileSync(other, JSON.stringify({ ...SWEEP, seed: 2 }));
      const foreign = join(work, 'other', 'shard-1-of-3');
      await ok(['--sweep', other, '--shard', '1/3', '--out', foreign, '-q'], root);
      await refused(
        [shard(0), foreign, shard(2)],
        /other\/shard-1-of-3 \(shard 1\/3\) is a shard of sweep .*other\.json \(id [0-9a-f]{12}\) and .*shard-0-of-3 \(shard 0\/3\) of sweep .*small\.json/,
      );

      const older = join(work, 'older', 'shard-1-of-3');
      cpSync(shard(1), older, { recursive: true });
      const m = JSON.parse(readFileSync(join(older, 'sweep.json'), 'utf8'));
      m.harness.version = '0.0.9';
      writeFileSync(join(older, 'sweep.json'), JSON.stringify(m));
      await refused(
        [shard(0), older, shard(2)],
        /older\/shard-1-of-3 \(shard 1\/3\) was made by harness 0\.0\.9 \(model [0-9a-f]{12}\) and .* by 0\.1\.0|shards of different harness versions cannot be merged/,
      );

      await refused([shard(0), reference], /\(shard 0\/1\) is one of 1 shards and .*\(shard 0\/3\) one of 3/);
    });

    it('writing into one of the shards', async () => {
      const r = await bench(['merge', shard(0), shard(1), shard(2), '--out', shard(1)], root);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--out .*shard-1-of-3 is .*\(shard 1\/3\): write the merge elsewhere/);
    });
  });

  it('refuses a bad sweep file or a command line that also selects runs, exit 2, writing nothing', async () => {
    const badRoot = join(work, 'bad-root');
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...SWEEP, granularty: [1, 4] }));
    const cases: [string[], RegExp][] = [
      [['--sweep', bad], /^dirtybench: sweep .*bad\.json: unknown key 'granularty' \(accepted: /],
      [
        ['--sweep', sweep, '--pages', '64'],
        /--pages cannot be combined with --sweep: the sweep file says which runs to make/,
      ],
      [['--sweep', sweep, '--strategy', 'oracle'], /--strategy cannot be combined with --sweep/],
      [['--sweep', sweep, '--set', 'theta=0.5'], /--set cannot be combined with --sweep/],
      [['--shard', '0/2'], /--shard needs --sweep FILE/],
      [
        ['--sweep', sweep, '--shard', '2/2'],
        /--shard must be I\/N with N >= 1 and 0 <= I < N \(e\.g\. 3\/8\), got '2\/2'/,
      ],
      [['--sweep', sweep, '--shard', 'a/b'], /--shard must be I\/N/],
      [['--sweep', join(work, 'none.json')], /sweep .*none\.json: cannot read it \(ENOENT\)/],
    ];
    for (const [args, message] of cases) {
      const r = await bench([...args, '--out', join(work, 'bad-out')], badRoot);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(work, 'bad-out'))).toBe(false);
    expect(existsSync(badRoot)).toBe(false);
  });
});

describe('a run key', () => {
  const harness = currentHarness();
  const config: RunConfig = {
    profile: loadProfile('fiasco-oc-x86_64'),
    strategy: 'managed-dataspace',
    strategyParams: {},
    workload: 'zipf',
    workloadParams: {},
    common: { pages: 256, accesses: 1000, writeRatio: 0.5, computeCycles: 100 },
    intervalCycles: 100_000,
    seed: 1,
  };

  it('is one for a parameter left at its default and one given as its default', () => {
    expect(
      runKey({ ...config, strategyParams: { granularity: 1 }, workloadParams: { theta: 0.99 } }, harness),
    ).toBe(runKey(config, harness));
    expect(runKey({ ...config, strategyParams: { granularity: 2 } }, harness)).not.toBe(
      runKey(config, harness),
    );
  });

  it("changes with every field of the configuration, a field it gains later included, and the profile's figures", () => {
    const key = runKey(config, harness);
    const changed: Partial<RunConfig>[] = [
      { seed: 2 },
      { intervalCycles: 100_001 },
      { common: { ...config.common, accesses: 1001 } },
      { common: { ...config.common, writeRatio: 0.25 } },
      { workload: 'uniform' },
      { strategy: 'fault-notify' },
      { profile: loadProfile('fiasco-oc-armv7') },
    ];
    for (const c of changed)
      expect(runKey({ ...config, ...c }, harness), JSON.stringify(Object.keys(c))).not.toBe(key);
    const profile = structuredClone(config.profile) as unknown as { cpu: { hz: number } };
    profile.cpu.hz += 1;
    expect(runKey({ ...config, profile: profile as never }, harness)).not.toBe(key);
    // A field other sessions add to RunConfig (e.g. how A reaches B's memory) enters the key as it is.
    const gained = (v: string) => ({ ...config, copyVia: v }) as RunConfig;
    expect(runKey(gained('attach'), harness)).not.toBe(runKey(gained('mapped'), harness));
    expect(runKey(gained('attach'), harness)).not.toBe(key);
  });

  it('changes when a file the run reads (a trace) is replaced under its name', () => {
    const dir = tempDir();
    const trace = join(dir, 'app.lackey');
    writeFileSync(trace, ' S 1000,4\n');
    const replay: RunConfig = {
      ...config,
      strategy: 'oracle',
      workload: 'trace',
      workloadParams: { file: trace },
    };
    const key = runKey(replay, harness);
    expect(runKey(replay, harness)).toBe(key);
    writeFileSync(trace, ' S 1000,4\n S 2000,4\n');
    expect(runKey(replay, harness)).not.toBe(key);
  });

  it('changes when a trace is replaced with the same size and modification time (cp -p, rsync -t, touch -r)', () => {
    const dir = tempDir();
    const trace = join(dir, 'app.lackey');
    const replay: RunConfig = {
      ...config,
      strategy: 'oracle',
      workload: 'trace',
      workloadParams: { file: trace },
    };
    const when = new Date('2026-01-01T00:00:00Z');
    writeFileSync(trace, ' S 1000,4\n');
    utimesSync(trace, when, when);
    const key = runKey(replay, harness);
    writeFileSync(trace, ' S 2000,4\n'); // same size
    utimesSync(trace, when, when);
    expect(runKey(replay, harness)).not.toBe(key);
  });

  it('changes with the harness: its version and its model source', () => {
    const key = runKey(config, harness);
    const other = (h: Partial<Harness>) => runKey(config, { ...harness, ...h });
    expect(other({ version: '9.9.9' })).not.toBe(key);
    expect(other({ model: '0'.repeat(64) })).not.toBe(key);
    expect(harness.model).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes canonical JSON: key order does not matter, values do', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: 2 } })).toBe(
      '{"a":{"c":2,"d":[3,{"e":2,"f":1}]},"b":1}',
    );
  });
});

describe('a shard', () => {
  it('is every index congruent to I modulo N, each index in exactly one shard', () => {
    expect(shardIndices(10, parseShard('1/4'))).toEqual([1, 5, 9]);
    expect(shardIndices(3, parseShard('5/8'))).toEqual([]);
    expect(shardIndices(4, null)).toEqual([0, 1, 2, 3]);
    for (const n of [1, 2, 3, 7, 12, 13]) {
      const all = Array.from({ length: n }, (_, i) => shardIndices(12, { index: i, count: n })).flat();
      expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    }
  });
});
