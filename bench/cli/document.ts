/**
 * results.json (schema `dirtybench/results@1`, shared/contract.md): the
 * environment a result came from, and the runs. Wall-clock time and the host
 * appear only in `env`; `runs` is a pure function of the configuration.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, platform } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../src/run/index.ts';
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
}

export interface ResultsDocument {
  schema: typeof RESULTS_SCHEMA;
  env: Env;
  runs: RunResult[];
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
  info: { command: string[]; createdAt: Date; wallSeconds: number },
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
    },
    runs,
  };
}

/** The document as written: two-space JSON with a final newline. */
export function renderJson(doc: ResultsDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
