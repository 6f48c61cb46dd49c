/**
 * Exit codes of shared/contract.md, and which errors map to which.
 *
 * 0 success; 1 a run failed verification or a bound (or the model itself
 * broke: a `ModelError`); 2 bad usage or bad input — an unknown name, a
 * malformed or out-of-range number, an unreadable or malformed file. Bad input
 * is found before anything runs, so it never leaves a result file behind.
 */
import { ParamError } from '../../src/params/params.ts';
import { CapabilityError, ModelError, ProfileError } from '../../src/platform/index.ts';
import { ConfigError, type RunResult } from '../../src/run/index.ts';
import { WorkloadError } from '../../src/workloads/index.ts';

export const EXIT_OK = 0;
/** A run failed verification or its analytic bound, or the model broke. */
export const EXIT_FAILED = 1;
/** Bad usage or bad input. */
export const EXIT_USAGE = 2;

/** Bad command-line usage found by the CLI itself; the message is one line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The error classes that mean "the user asked for something that cannot be". */
const INPUT_ERRORS = [UsageError, ConfigError, ParamError, CapabilityError, WorkloadError, ProfileError];

/** True when `e` is bad usage or bad input (exit 2). */
export function isInputError(e: unknown): e is Error {
  return INPUT_ERRORS.some((cls) => e instanceof cls);
}

/**
 * The exit code for an error that stopped the command, or undefined when it
 * is none of the expected ones (a bug: the caller lets it crash with its stack).
 * Errors from worker threads arrive as plain `Error`s whose `name` is kept, so
 * the names decide as well as the classes.
 */
export function exitCodeForError(e: unknown): number | undefined {
  if (isInputError(e)) return EXIT_USAGE;
  if (e instanceof ModelError) return EXIT_FAILED;
  if (e instanceof Error) {
    if (INPUT_ERRORS.some((cls) => cls.name === e.name)) return EXIT_USAGE;
    if (e.name === ModelError.name) return EXIT_FAILED;
  }
  return undefined;
}

/** The exit code for a finished set of runs: 1 when any failed verification or a bound. */
export function exitCodeForRuns(runs: readonly Pick<RunResult, 'ok'>[]): number {
  return runs.every((r) => r.ok) ? EXIT_OK : EXIT_FAILED;
}
