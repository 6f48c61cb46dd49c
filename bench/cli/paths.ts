/** Where the harness lives and where results go. */
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceUrl } from '../../src/io/index.ts';

/** The repository root (this file is bench/cli/paths.ts; see sourceUrl for its compiled copy). */
export const REPO_ROOT = fileURLToPath(new URL('../../', sourceUrl(import.meta.url)));

/** Environment variable that moves the results root (used by the tests; handy for sweeps). */
export const RESULTS_DIR_ENV = 'DIRTYBENCH_RESULTS_DIR';

/** The directory `results/<time>-<description>/` and `results/latest` are made in. */
export function resultsRoot(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env[RESULTS_DIR_ENV];
  return dir !== undefined && dir !== '' ? resolve(dir) : resolve(REPO_ROOT, 'results');
}

/** A path as the user would type it from the working directory (absolute when outside it). */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
