/**
 * A writer process for the lock tests (src/io/lock.test.ts): `rounds` times,
 * takes the lock (unless `--no-lock`), appends `<pid> begin` to the log,
 * waits a few milliseconds, appends `<pid> end`, and releases.
 *
 * The writers of a test start together, however long each took to start:
 * each puts a file in BARRIER and waits until WRITERS files are there.
 *
 * Usage: node --import tsx test/lock-writer.ts LOCK LOG ROUNDS BARRIER WRITERS [--no-lock]
 */
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock } from '../src/io/index.ts';

const [lockPath, log, rounds, barrier, writers, mode] = process.argv.slice(2);
writeFileSync(join(barrier!, String(process.pid)), '');
while (readdirSync(barrier!).length < Number(writers)) await new Promise((resolve) => setTimeout(resolve, 1));
for (let i = 0; i < Number(rounds); i++) {
  const lock = mode === '--no-lock' ? undefined : await acquireLock(lockPath!, { pollMs: 1 });
  appendFileSync(log!, `${process.pid} begin\n`);
  await new Promise((resolve) => setTimeout(resolve, 3));
  appendFileSync(log!, `${process.pid} end\n`);
  lock?.release();
  await new Promise((resolve) => setImmediate(resolve));
}
