import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const WRITER = fileURLToPath(new URL('../../test/signal-writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dirtybench-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the writer and, once it is blocked, sends `signal` (if given); then
 * lets it go on. The signal is sent before the block ends, however slowly
 * this side runs, and is given 100 ms to reach the writer's handler.
 */
function run(signal: NodeJS.Signals | undefined): Promise<{ code: number | null; stdout: string }> {
  const go = join(dir, `go-${signal ?? 'none'}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, go], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout !== 'ready\n') return;
      if (signal) child.kill(signal);
      setTimeout(() => writeFileSync(go, ''), signal ? 100 : 0);
    });
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

describe.concurrent('held signals', () => {
  it('a SIGINT that arrives during a synchronous write is reported after it and exits 130', async () => {
    expect(await run('SIGINT')).toEqual({ code: 130, stdout: 'ready\nsettled SIGINT\n' });
  });

  it('a SIGTERM likewise exits 143', async () => {
    expect(await run('SIGTERM')).toEqual({ code: 143, stdout: 'ready\nsettled SIGTERM\n' });
  });

  it('without a signal the process goes on', async () => {
    expect(await run(undefined)).toEqual({ code: 0, stdout: 'ready\nsettled none\nreleased\n' });
  });
});
