/**
 * `merge DIR…`: the shards of a sweep (each `--sweep FILE --shard I/N --out
 * DIR`) joined into the result set the unsharded sweep writes — the same runs
 * in the same order, byte for byte in `runs` — read from each shard's kept
 * runs (./run-store.ts), so a shard killed after its last run and before its
 * set was written still merges.
 *
 * Bad input, exit 2, one line naming the directory: a directory that is no
 * sweep's, shards of different sweeps or harnesses, a shard given twice or
 * missing, a shard that has not written all its runs (it did not finish: run
 * it again, it resumes). Exit 1 when a merged run failed verification.
 */
import { basename, resolve } from 'node:path';
import type { RunResult } from '../../src/run/index.ts';
import type { CommandCall } from './commands.ts';
import { UsageError } from './errors.ts';
import type { Io } from './io.ts';
import { outputTargets, publish } from './run.ts';
import { describeHarness, type Manifest, RunStore, readManifest, shardIndices } from './run-store.ts';

interface ShardDir {
  dir: string;
  shown: string;
  manifest: Manifest;
  index: number;
  count: number;
}

function label(s: ShardDir): string {
  return `${s.shown} (shard ${s.index}/${s.count})`;
}

/**
 * Reads and checks the shards: one sweep, one harness, every shard once.
 * @returns them by shard index.
 */
export function readShards(dirs: readonly string[]): ShardDir[] {
  if (dirs.length === 0) throw new UsageError('merge needs the shard directories: merge DIR… [--out DIR]');
  const shards = dirs.map((given) => {
    const dir = given;
    const manifest = readManifest(dir, given);
    return {
      dir,
      shown: given,
      manifest,
      index: manifest.shard?.index ?? 0,
      count: manifest.shard?.count ?? 1,
    };
  });
  const first = shards[0]!;
  for (const s of shards.slice(1)) {
    const [a, b] = [s.manifest.harness, first.manifest.harness];
    if (a.version !== b.version || a.model !== b.model) {
      throw new UsageError(
        `${label(s)} was made by harness ${describeHarness(a)} and ${label(first)} by ${describeHarness(b)}: shards of different harness versions cannot be merged (run the shards again with one harness; each resumes only what that harness wrote)`,
      );
    }
    if (s.manifest.id !== first.manifest.id) {
      throw new UsageError(
        `${label(s)} is a shard of sweep ${s.manifest.sweep} (id ${s.manifest.id.slice(0, 12)}) and ${label(first)} of sweep ${first.manifest.sweep} (id ${first.manifest.id.slice(0, 12)}): shards of different sweeps cannot be merged`,
      );
    }
    if (s.count !== first.count) {
      throw new UsageError(
        `${label(s)} is one of ${s.count} shards and ${label(first)} one of ${first.count}: give the shards of one --shard I/N split`,
      );
    }
  }
  const byIndex = new Map<number, ShardDir>();
  for (const s of shards) {
    const other = byIndex.get(s.index);
    if (other) throw new UsageError(`shard ${s.index}/${s.count} given twice: ${other.shown} and ${s.shown}`);
    byIndex.set(s.index, s);
  }
  const missing = Array.from({ length: first.count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new UsageError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${first.count}`).join(', ')} of sweep ${first.manifest.sweep} missing (given: ${shards
        .map((s) => `${s.index} in ${s.shown}`)
        .join(', ')})`,
    );
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

/**
 * The sweep's runs in order, from the shards' kept runs.
 * @throws UsageError naming a shard that lacks some of its runs.
 */
export function mergeRuns(shards: readonly ShardDir[]): RunResult[] {
  const keys = shards[0]!.manifest.keys;
  const runs: RunResult[] = new Array(keys.length);
  for (const s of shards) {
    const store = new RunStore(s.dir);
    const mine = shardIndices(keys.length, { index: s.index, count: s.count });
    let lacking = 0;
    let bad: string | undefined;
    for (const i of mine) {
      const run = store.read(keys[i]!, (why) => {
        bad ??= why;
      });
      if (run === undefined) lacking++;
      else runs[i] = run;
    }
    if (lacking > 0) {
      throw new UsageError(
        `${label(s)} lacks ${lacking} of its ${mine.length} runs${bad ? ` (${bad})` : ''}: it did not finish; run it again (it skips the runs it has) and merge then`,
      );
    }
  }
  return runs;
}

/** Runs `merge`; returns the exit code. */
export async function mergeCommand(call: CommandCall<'merge'>, io: Io): Promise<number> {
  const o = call.options;
  const createdAt = new Date();
  const shards = readShards(call.positionals['dirs'] ?? []);
  const targets = outputTargets(o, io);
  const into = shards.find((s) => targets.out !== undefined && resolve(s.dir) === targets.out);
  if (into) throw new UsageError(`--out ${o.out} is ${label(into)}: write the merge elsewhere`);
  const runs = mergeRuns(shards);
  const m = shards[0]!.manifest;
  const name = basename(m.sweep).replace(/\.json$/, '');
  return publish(
    runs,
    {
      options: o,
      targets,
      args: call.args,
      description: `merged-sweep-${name}`.replace(/[^A-Za-z0-9._+-]/g, '-').slice(0, 80),
      createdAt,
      sweep: { info: { file: m.sweep, id: m.id, runs: m.keys.length, shard: null, resumed: runs.length } },
    },
    io,
  );
}
