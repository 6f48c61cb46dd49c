/**
 * The bench command from arguments to exit code: parse the command line
 * against the command and option tables (./commands.ts, ./options.ts), run
 * the chosen command's handler, and turn expected errors into one line on
 * stderr and their exit code (./errors.ts).
 */
import { parseCommandLine } from './commands.ts';
import { harnessVersion } from './document.ts';
import { EXIT_OK, exitCodeForError } from './errors.ts';
import { type Io, oneLine, processIo } from './io.ts';

export type { Io, OutStream } from './io.ts';
export { outputTargets, publish } from './run.ts';

/** Runs the command for `args` (what follows `npm run bench --`) and returns the exit code. */
export async function main(args: readonly string[], io: Io = processIo): Promise<number> {
  try {
    const parsed = parseCommandLine(args, harnessVersion());
    if (parsed.kind === 'print') {
      io.stdout.write(`${parsed.text}\n`);
      return EXIT_OK;
    }
    return await parsed.command.handle(parsed.call, io);
  } catch (e) {
    const code = exitCodeForError(e);
    if (code === undefined) throw e; // a bug: crash with the stack
    io.stderr.write(`dirtybench: ${oneLine((e as Error).message)}\n`);
    return code;
  }
}
