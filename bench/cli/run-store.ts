/**
 * A sweep's runs kept as they finish, so that a sweep started again — after
 * a kill, a preemption, a requeue — skips what is written and loses only the
 * run in progress, and so that shards can be merged (./merge.ts).
 *
 * A run is known by its key: the SHA-256 of its whole `RunConfig` (every
 * field it holds, whatever fields it gains, with the strategy's and
 * workload's parameters resolved against their declarations, so a default
 * given or left out is one run) together with the harness that computes it
 * — the package version and a digest of the model's source (every file
 * under src/ but tests), so a run is never reused by other code. The JSON
 * is canonical (keys sorted at every level) before it is hashed.
 *
 * A store is a directory (a sweep's `--out`):
 *
 *   sweep.json        which sweep (its id: the hash of its keys in order),
 *                     which shard, the harness, and every key in run order
 *   runs/<key>.json   one finished run each, written atomically
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sweepStaleTemps, writeFileAtomic } from '../../src/io/index.ts';
import { type PreparedRun, prepareRun, type RunConfig, type RunResult } from '../../src/run/index.ts';
import { sourceDigest } from '../../src/workloads/index.ts';
import { harnessVersion } from './document.ts';
import { UsageError } from './errors.ts';
import { makeDirs, SWEEP_MANIFEST, SWEEP_RUNS } from './files.ts';
import { REPO_ROOT } from './paths.ts';

/** The store's directory of runs and its manifest, as named in a result directory. */
export const RUNS_DIR = SWEEP_RUNS;
export const MANIFEST = SWEEP_MANIFEST;

export const RUN_SCHEMA = 'dirtybench/run@1';
export const SWEEP_SCHEMA = 'dirtybench/sweep@1';

/** The code that computes runs. */
export interface Harness {
  /** package.json's version. */
  version: string;
  /** SHA-256 of the model's source (see {@link modelDigest}). */
  model: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The model's source files: everything under src/ but tests, sorted. */
function modelFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...modelFiles(path));
    else if (entry.isFile() && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

let digest: string | undefined;

/** SHA-256 over the path and content of every file under src/ but tests: what a run's result depends on besides its config. */
export function modelDigest(): string {
  if (digest === undefined) {
    const h = createHash('sha256');
    const src = join(REPO_ROOT, 'src');
    for (const file of modelFiles(src)) {
      h.update(`${relative(src, file)}\0`);
      h.update(readFileSync(file));
      h.update('\0');
    }
    digest = h.digest('hex');
  }
  return digest;
}

/** This harness. */
export function currentHarness(): Harness {
  return { version: harnessVersion(), model: modelDigest() };
}

/** `0.1.0 (model 1a2b3c4d5e6f)`. */
export function describeHarness(h: Harness): string {
  return `${h.version} (model ${h.model.slice(0, 12)})`;
}

/** JSON with every object's keys sorted: equal data, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/**
 * The files a run reads, known by their content: every `string` parameter
 * that names an existing file (a trace), by the SHA-256 of its bytes, as the
 * trace cache keys them (src/workloads/trace.ts `sourceDigest`, which
 * remembers a settled file's hash by device, inode, size, mtime and ctime, so
 * a file seen before is not read again). A trace replaced under its name is
 * a new run even when it keeps size and mtime (`cp -p`, `rsync -t`, `touch
 * -r`). Empty for runs that read none.
 */
function inputFiles(p: PreparedRun): Record<string, { sha256: string }> {
  const out: Record<string, { sha256: string }> = {};
  const owners = [
    ['strategy', p.strategy.params, p.strategyParams],
    ['workload', p.workload.params, p.workloadParams],
  ] as const;
  for (const [owner, specs, values] of owners) {
    for (const [key, spec] of Object.entries(specs)) {
      const v = (values as Record<string, unknown>)[key];
      if (spec.type !== 'string' || typeof v !== 'string' || v === '') continue;
      let isFile = false;
      try {
        isFile = statSync(v).isFile();
      } catch {}
      if (isFile) out[`${owner}.${key}`] = { sha256: sourceDigest(v) };
    }
  }
  return out;
}

/**
 * A run's key: the hash of its configuration (parameters resolved), the
 * files it reads, and the harness.
 * @throws what prepareRun throws for a configuration that cannot run.
 */
export function runKey(config: RunConfig, harness: Harness): string {
  const p = prepareRun(config);
  const resolved = { ...config, strategyParams: p.strategyParams, workloadParams: p.workloadParams };
  return sha256(canonicalJson({ harness, config: resolved, inputs: inputFiles(p) }));
}

/** A sweep's id: the hash of its run keys in order (so of its runs, their order, and the harness). */
export function sweepId(keys: readonly string[]): string {
  return sha256(keys.join('\n'));
}

/** Which shard of a sweep: runs with index ≡ index (mod count). */
export interface Shard {
  index: number;
  count: number;
}

/** `sweep.json`. */
export interface Manifest {
  schema: typeof SWEEP_SCHEMA;
  /** The sweep file as given, and its description. */
  sweep: string;
  description: string;
  /** {@link sweepId} of `keys`. */
  id: string;
  harness: Harness;
  /** null: the whole sweep. */
  shard: Shard | null;
  /** Every run of the sweep (not only the shard's), in run order. */
  keys: string[];
}

/** `runs/<key>.json`. */
interface StoredRun {
  schema: typeof RUN_SCHEMA;
  key: string;
  harness: Harness;
  run: RunResult;
}

const KEY = /^[0-9a-f]{64}$/;

/** The indices of shard `s` among `total` runs. */
export function shardIndices(total: number, s: Shard | null): number[] {
  const out: number[] = [];
  for (let i = s?.index ?? 0; i < total; i += s?.count ?? 1) out.push(i);
  return out;
}

/** Parses `I/N`. @throws UsageError unless 0 <= I < N. */
export function parseShard(word: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(word);
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || !Number.isSafeInteger(count) || count < 1 || index >= count) {
    throw new UsageError(`--shard must be I/N with N >= 1 and 0 <= I < N (e.g. 3/8), got '${word}'`);
  }
  return { index, count };
}

/** A directory of finished runs and the manifest that says whose they are. */
export class RunStore {
  constructor(
    /** The directory holding `sweep.json` and `runs/`. */
    readonly dir: string,
  ) {}

  get runsDir(): string {
    return join(this.dir, RUNS_DIR);
  }

  /** Makes the directories and removes what writers that died left half written. */
  open(): void {
    makeDirs(this.runsDir);
    sweepStaleTemps(this.dir);
    sweepStaleTemps(this.runsDir);
  }

  writeManifest(m: Manifest): void {
    writeFileAtomic(join(this.dir, MANIFEST), `${JSON.stringify(m, null, 2)}\n`);
  }

  /** The file of run `key`. */
  path(key: string): string {
    return join(this.runsDir, `${key}.json`);
  }

  /**
   * The run written under `key`, or undefined when there is none (or what is
   * there is not a run of that key: then `onBad` is told, and it is computed again).
   */
  read(key: string, onBad?: (why: string) => void): RunResult | undefined {
    let text: string;
    try {
      text = readFileSync(this.path(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const stored = JSON.parse(text) as StoredRun;
      if (stored.schema === RUN_SCHEMA && stored.key === key && typeof stored.run === 'object')
        return stored.run;
      onBad?.(`${this.path(key)} is not the run of its key`);
    } catch (e) {
      onBad?.(`${this.path(key)} is not JSON (${(e as Error).message})`);
    }
    return undefined;
  }

  /** Writes run `key` atomically (flushed to the disk before it is renamed into place). */
  write(key: string, harness: Harness, run: RunResult): void {
    const stored: StoredRun = { schema: RUN_SCHEMA, key, harness, run };
    writeFileAtomic(this.path(key), `${JSON.stringify(stored)}\n`);
  }
}

/**
 * Reads and checks `<dir>/sweep.json`.
 * @throws UsageError naming the directory when it has none or it is malformed.
 */
export function readManifest(dir: string, shown: string): Manifest {
  let text: string;
  try {
    text = readFileSync(join(dir, MANIFEST), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `${shown}: no ${MANIFEST}, so not a sweep's result directory (--sweep FILE [--shard I/N] --out DIR writes one): the shard is missing or never started`
        : `${shown}: cannot read ${MANIFEST} (${code})`,
    );
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new UsageError(`${shown}/${MANIFEST}: not JSON (${(e as Error).message})`);
  }
  const shardOk =
    m.shard === null ||
    (typeof m.shard === 'object' &&
      Number.isSafeInteger(m.shard.count) &&
      Number.isSafeInteger(m.shard.index) &&
      m.shard.index >= 0 &&
      m.shard.index < m.shard.count);
  if (
    m.schema !== SWEEP_SCHEMA ||
    typeof m.sweep !== 'string' ||
    typeof m.id !== 'string' ||
    typeof m.harness?.version !== 'string' ||
    typeof m.harness?.model !== 'string' ||
    !shardOk ||
    !Array.isArray(m.keys) ||
    !m.keys.every((k) => typeof k === 'string' && KEY.test(k)) ||
    sweepId(m.keys) !== m.id
  ) {
    throw new UsageError(
      `${shown}/${MANIFEST}: not a ${SWEEP_SCHEMA} manifest (or altered since it was written)`,
    );
  }
  return m;
}
