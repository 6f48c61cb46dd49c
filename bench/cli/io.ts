/** Where a command reads its environment and writes its output (the process's, or a test's). */

/** The part of a stream the commands use. */
export type OutStream = Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** Writes `text` to stderr as a line, unless `quiet`. */
export function noter(quiet: boolean, io: Io): (text: string) => void {
  return (text) => {
    if (!quiet) io.stderr.write(`${text}\n`);
  };
}

/** Multi-line error text as one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
