/**
 * Runs once around the whole test run (vitest `globalSetup`): every test
 * file and every process a test starts gets a private temporary directory
 * ($TMPDIR), and at the end the run fails if anything but a known cache was
 * left in it — tests clean up after themselves (test/temp.ts helps) — and
 * removes it, caches included, so a run leaves nothing in the system's
 * temporary directory.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What may stay until the end: tsx's compile cache (`tsx-<uid>`, made by
 * the commands the tests start) and the trace cache the trace workload
 * keeps by design (`dirtybench-traces`, src/workloads/trace.ts).
 */
const CACHES = [/^tsx-\d+$/, /^dirtybench-traces$/];

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'dirtybench-vitest-'));
  for (const v of ['TMPDIR', 'TMP', 'TEMP']) process.env[v] = dir;
  return () => {
    const left = readdirSync(dir).filter((name) => !CACHES.some((c) => c.test(name)));
    rmSync(dir, { recursive: true, force: true });
    if (left.length > 0) {
      // Thrown, this would only print "error during close" and the run would still exit 0.
      console.error(
        `\nFAIL: the tests left ${left.join(', ')} in the temporary directory (test/temp.ts cleans up)`,
      );
      process.exitCode = 1;
    }
  };
}
