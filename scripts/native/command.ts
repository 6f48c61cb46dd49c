/**
 * What the native commands (`npm run native`, `npm run calibrate`) share at
 * their edge: the error kinds and the exit codes of shared/contract.md —
 * 0 success, 1 a measurement failed, 2 bad usage or input (or no C compiler),
 * with one line on stderr.
 */
import { fileURLToPath } from 'node:url';
import { NativeBuildError } from './build.ts';

/** Bad usage of a native command; the message is one line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A native program failed or refused its input; `code` is the exit code to pass on (1 or 2). */
export class NativeRunError extends Error {
  override name = 'NativeRunError';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** The exit code for an error that stopped a command, or undefined for a bug (crash with the stack). */
export function exitCodeFor(e: unknown): number | undefined {
  if (e instanceof NativeRunError) return e.code;
  if (e instanceof NativeBuildError || e instanceof UsageError) return 2;
  // The bench's number parser and the trace reader raise these; parseArgs raises ERR_PARSE_ARGS_*.
  if (e instanceof Error && ['UsageError', 'WorkloadError'].includes(e.name)) return 2;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') ? 2 : undefined;
}

/** Runs `main` when `moduleUrl` is the script node was started with, setting the exit code. */
export async function runIfMain(
  moduleUrl: string,
  name: string,
  main: (args: string[]) => Promise<number>,
): Promise<void> {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (e) {
    const code = exitCodeFor(e);
    if (code === undefined) throw e;
    process.stderr.write(`${name}: ${(e as Error).message.split('\n')[0]}\n`);
    process.exitCode = code;
  }
}
