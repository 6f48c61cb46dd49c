import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const WRITER = fileURLToPath(new URL('../../test/signal-writer.ts', import.meta.url));

/** Runs the writer, sends `signal` once it is blocked (if given), and collects its exit. */
function run(signal: NodeJS.Signals | undefined): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, '1000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (signal && stdout === 'ready\n') setTimeout(() => child.kill(signal), 200);
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
