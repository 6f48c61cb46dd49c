/**
 * `--sweep FILE [--shard I/N]`: the runs a sweep file asks for
 * (./sweep-file.ts), planned as the command lines of its points would be
 * (./plan.ts), run like any comparison (`--jobs`, progress, the usual result
 * files), and kept as they finish (./run-store.ts) so the same command
 * started again skips the runs already written.
 *
 * Run order is the file's: points in order, and within a point the plan's
 * order (profile → workload → strategy). A run that appears twice (two
 * included files sharing a configuration) runs once, where it first appears.
 * A shard runs the runs whose index is I modulo N; its result directory is
 * what `merge` (./merge.ts) joins.
 *
 * With `--out DIR` the runs are kept in DIR/runs/ and stay there with the
 * result set; without it, in `<results root>/.partial/<sweep id>/` until the
 * set is written.
 */
import { rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { sweepStaleTemps } from '../../src/io/index.ts';
import type { RunConfig, RunResult } from '../../src/run/index.ts';
import type { SweepInfo } from './document.ts';
import { EXIT_FAILED, EXIT_OK, isInputError, UsageError } from './errors.ts';
import { SWEEP_MANIFEST, SWEEP_RUNS } from './files.ts';
import { type Io, noter } from './io.ts';
import { parseOptionNumber } from './numbers.ts';
import { type CliOptions, fieldName, runOptionSpecs, sweepOptions } from './options.ts';
import { shownPath } from './paths.ts';
import { buildPlan } from './plan.ts';
import { runAll } from './pool.ts';
import { createProgress } from './progress.ts';
import { outputTargets, publish } from './run.ts';
import {
  currentHarness,
  type Harness,
  type Manifest,
  parseShard,
  RunStore,
  runKey,
  type Shard,
  SWEEP_SCHEMA,
  shardIndices,
  sweepId,
} from './run-store.ts';
import { describePoint, loadSweepFile, type SweepFile, type SweepPoint } from './sweep-file.ts';
import { validatePlan } from './validate.ts';

/** A sweep's runs, in order, each once. */
export interface SweepPlan {
  file: SweepFile;
  configs: RunConfig[];
  /** Each run's key (./run-store.ts), in the same order. */
  keys: string[];
  /** The sweep's id: the hash of its keys. */
  id: string;
  /** Notes: strategies a profile cannot run (points without `strategy`), runs the sweep names twice. */
  notes: string[];
}

/** The options a point sets, as its command line would give them. */
export function pointOptions(p: SweepPoint): CliOptions {
  const o: Record<string, unknown> & { common: Record<string, string>; set: string[] } = {
    common: {},
    set: [],
  };
  for (const [name, d] of sweepOptions()) {
    if ('key' in d) continue;
    o[fieldName(name)] =
      d.kind === 'flag' ? false : d.kind === 'words' ? [] : d.kind === 'choice' ? d.default : undefined;
  }
  for (const s of p.settings) {
    if (s.kind === 'parameter') o.set.push(`${s.key}=${s.value}`);
    else if ('key' in s.decl) o.common[(s.decl as { key: string }).key] = String(s.value);
    else o[fieldName(s.key)] = s.decl.kind === 'words' ? [s.value] : s.value;
  }
  return o as unknown as CliOptions;
}

/** Runs `f` for point `p`, naming the point in any bad-input error. */
function inPoint<T>(p: SweepPoint, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!isInputError(e)) throw e;
    throw new UsageError(`sweep ${p.file} (${describePoint(p)}): ${e.message}`);
  }
}

/**
 * Expands a sweep file into its runs and their keys.
 * @throws UsageError naming the file, the point and what is wrong with it.
 */
export function planSweep(file: SweepFile, harness: Harness): SweepPlan {
  const configs: RunConfig[] = [];
  const keys: string[] = [];
  const seen = new Set<string>();
  const notes: string[] = [];
  let twice = 0;
  for (const point of file.points) {
    const plan = inPoint(point, () => buildPlan(pointOptions(point)));
    for (const s of plan.skipped) if (!notes.includes(s)) notes.push(s);
    for (const config of plan.configs) {
      const key = inPoint(point, () => runKey(config, harness));
      if (seen.has(key)) {
        twice++;
        continue;
      }
      seen.add(key);
      configs.push(config);
      keys.push(key);
    }
  }
  if (twice > 0) {
    notes.push(
      `${twice} run${twice === 1 ? ' appears' : 's appear'} more than once in the sweep: each runs once, where it first appears`,
    );
  }
  if (configs.length === 0) throw new UsageError(`sweep ${file.shown}: no runs`);
  return { file, configs, keys, id: sweepId(keys), notes };
}

/** @throws UsageError when the command line also selects runs: the sweep file does. */
function refuseSelection(o: CliOptions): void {
  const values = o as unknown as Record<string, unknown>;
  for (const [name, d] of sweepOptions()) {
    const v = 'key' in d ? o.common[(d as { key: keyof CliOptions['common'] }).key] : values[fieldName(name)];
    const given =
      d.kind === 'flag'
        ? v === true
        : d.kind === 'words'
          ? (v as string[]).length > 0
          : d.kind === 'choice'
            ? v !== d.default
            : v !== undefined;
    if (given) {
      throw new UsageError(
        `--${name} cannot be combined with --sweep: the sweep file says which runs to make (set '${name}' there)`,
      );
    }
  }
  if (o.set.length > 0) {
    throw new UsageError(
      '--set cannot be combined with --sweep: the sweep file says which runs to make (each parameter is a key there)',
    );
  }
}

/** The result directory's name without --out. */
function description(file: SweepFile, shard: Shard | null): string {
  const name = basename(file.path).replace(/\.json$/, '');
  const text = `sweep-${name}${shard ? `-shard-${shard.index}-of-${shard.count}` : ''}`;
  return text.replace(/[^A-Za-z0-9._+-]/g, '-').slice(0, 80);
}

/** Runs the sweep (or the shard) `o` asks for and returns the exit code. */
export async function runSweep(o: CliOptions, args: readonly string[], io: Io): Promise<number> {
  const note = noter(o.quiet, io);
  refuseSelection(o);
  const shard = o.shard === undefined ? null : parseShard(o.shard);
  const jobs =
    o.jobs === undefined
      ? runOptionSpecs.jobs.default
      : parseOptionNumber('jobs', runOptionSpecs.jobs, o.jobs);
  const harness = currentHarness();
  const plan = planSweep(loadSweepFile(o.sweep!), harness);
  // What a writer killed in the middle of writing the manifest left would make --out look foreign.
  if (o.out !== undefined && o.out !== '') sweepStaleTemps(resolve(o.out));
  const targets = outputTargets(o, io);
  await validatePlan(plan);
  for (const n of plan.notes) note(n);

  const store = new RunStore(
    targets.out ??
      join(
        targets.root,
        '.partial',
        `${plan.id.slice(0, 16)}${shard ? `-shard-${shard.index}-of-${shard.count}` : ''}`,
      ),
  );
  const manifest: Manifest = {
    schema: SWEEP_SCHEMA,
    sweep: o.sweep!,
    description: plan.file.description,
    id: plan.id,
    harness,
    shard,
    keys: plan.keys,
  };
  store.open();
  store.writeManifest(manifest);

  const mine = shardIndices(plan.keys.length, shard);
  const results: (RunResult | undefined)[] = mine.map((i) =>
    store.read(plan.keys[i]!, (why) => note(`${why}: it runs again`)),
  );
  const todo = mine.filter((_, k) => results[k] === undefined);
  const resumed = mine.length - todo.length;
  note(
    `sweep ${plan.file.shown}${shard ? `, shard ${shard.index}/${shard.count}` : ''}: ${mine.length} runs${
      shard ? ` of ${plan.keys.length}` : ''
    }; skipped ${resumed} already written in ${shownPath(store.runsDir)}, ${todo.length} to run`,
  );

  const createdAt = new Date();
  const progress = createProgress(mine.length, io.stderr, !o.quiet);
  progress.update(resumed);
  const position = new Map(mine.map((i, k) => [i, k]));
  try {
    await runAll(
      todo.map((i) => plan.configs[i]!),
      jobs,
      (done, t, result) => {
        const i = todo[t]!;
        store.write(plan.keys[i]!, harness, result);
        results[position.get(i)!] = result;
        progress.update(resumed + done);
      },
    );
  } finally {
    progress.finish();
  }

  const info: SweepInfo = { file: o.sweep!, id: plan.id, runs: plan.keys.length, shard, resumed };
  const code = await publish(
    results as RunResult[],
    {
      options: o,
      targets,
      args,
      description: description(plan.file, shard),
      createdAt,
      sweep: {
        info,
        ...(targets.out !== undefined
          ? {
              extras: {
                files: { [SWEEP_MANIFEST]: `${JSON.stringify(manifest, null, 2)}\n` },
                dirs: {
                  [SWEEP_RUNS]: { from: store.runsDir, files: mine.map((i) => `${plan.keys[i]}.json`) },
                },
              },
            }
          : {}),
      },
    },
    io,
  );
  // Without --out the kept runs have served once the set is written.
  if (targets.out === undefined && (code === EXIT_OK || code === EXIT_FAILED)) {
    rmSync(store.dir, { recursive: true, force: true });
    try {
      rmdirSync(dirname(store.dir));
    } catch {}
  }
  return code;
}
