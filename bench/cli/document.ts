/**
 * results.json (schema `dirtybench/results@1`, shared/contract.md): the
 * environment a result came from, the runs, and a summary of each
 * configuration over its seeds (`summaries`, ./figures.ts). Wall-clock time
 * and the host appear only in `env`; `runs` is a pure function of the
 * configuration, and `summaries` of `runs`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, platform } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../src/run/index.ts';
import { type ConfigurationSummary, summarizeConfigurations } from './figures.ts';
import { readHeadCommit } from './git.ts';
import { REPO_ROOT } from './paths.ts';

export const RESULTS_SCHEMA = 'dirtybench/results@1';

/** Where and when a result was made. */
export interface Env {
  /** Node version, e.g. `v20.20.2`. */
  node: string;
  /** The harness version (package.json). */
  harness: string;
  /** `git rev-parse HEAD` of the harness, or null outside a git checkout. */
  gitCommit: string | null;
  /** When the runs were started, ISO 8601 UTC. */
  createdAt: string;
  /** The arguments after `npm run bench --`. */
  command: string[];
  /** `<os>-<arch>` of the host, and its available parallelism. */
  host: string;
  cpus: number;
  /** Host wall-clock seconds of the runs (not a result: simulated cycles are). */
  wallSeconds: number;
  /** For a sweep (`--sweep`) or a merge of its shards: which, and how much was resumed. */
  sweep?: SweepInfo;
}

/** `env.sweep`. */
export interface SweepInfo {
  /** The sweep file as given. */
  file: string;
  /** The sweep's id (./run-store.ts): the hash of its run keys in order. */
  id: string;
  /** Runs in the whole sweep. */
  runs: number;
  /** The shard this document holds, or null for the whole sweep. */
  shard: { index: number; count: number } | null;
  /** Runs of this document read back from the result directory instead of computed (resumed). */
  resumed: number;
}

export interface ResultsDocument {
  schema: typeof RESULTS_SCHEMA;
  env: Env;
  runs: RunResult[];
  /**
   * One per configuration (every setting but the seed), in the order first
   * seen: each figure's mean, 95 % CI and maximum over the seeds.
   */
  summaries: ConfigurationSummary[];
}

/** The harness version from package.json. */
export function harnessVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The harness's git commit, or null when git or the checkout is missing. */
export function gitCommit(): string | null {
  const read = readHeadCommit(REPO_ROOT);
  if (read !== undefined) return read;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : null;
  } catch {
    return null;
  }
}

export function buildDocument(
  runs: RunResult[],
  info: { command: string[]; createdAt: Date; wallSeconds: number; sweep?: SweepInfo },
): ResultsDocument {
  return {
    schema: RESULTS_SCHEMA,
    env: {
      node: process.version,
      harness: harnessVersion(),
      gitCommit: gitCommit(),
      createdAt: info.createdAt.toISOString(),
      command: info.command,
      host: `${platform()}-${arch()}`,
      cpus: availableParallelism(),
      wallSeconds: Math.round(info.wallSeconds * 1000) / 1000,
      ...(info.sweep ? { sweep: info.sweep } : {}),
    },
    runs,
    summaries: summarizeConfigurations(runs),
  };
}

/** The document as written: two-space JSON with a final newline. */
export function renderJson(doc: ResultsDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
