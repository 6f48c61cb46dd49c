/**
 * A writer process for the lock tests (src/io/lock.test.ts): `rounds` times,
 * takes the lock (unless `--no-lock`), appends `<pid> begin` to the log,
 * waits a few milliseconds, appends `<pid> end`, and releases.
 *
 * Both writers of a test start at the same wall-clock time (START, ms since
 * the epoch), so their rounds overlap however long each took to start.
 *
 * Usage: node --import tsx test/lock-writer.ts LOCK LOG ROUNDS START [--no-lock]
 */
import { appendFileSync } from 'node:fs';
import { acquireLock } from '../src/io/index.ts';

const [lockPath, log, rounds, start, mode] = process.argv.slice(2);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(start) - Date.now())));
for (let i = 0; i < Number(rounds); i++) {
  const lock = mode === '--no-lock' ? undefined : await acquireLock(lockPath!, { pollMs: 1 });
  appendFileSync(log!, `${process.pid} begin\n`);
  await new Promise((resolve) => setTimeout(resolve, 3));
  appendFileSync(log!, `${process.pid} end\n`);
  lock?.release();
  await new Promise((resolve) => setImmediate(resolve));
}
