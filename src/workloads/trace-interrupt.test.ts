/**
 * An import interrupted by SIGINT or SIGTERM leaves no temp file in the trace
 * cache: the importer removes it and the process still dies of the signal.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRACE_CACHE_ENV } from './trace.ts';

const dir = mkdtempSync(join(tmpdir(), 'dirtybench-trace-interrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 40 MiB of lackey text: long enough to import that the signal lands in the middle.
const big = join(dir, 'big.lackey');
const line = ' L 00001000,4\n L 7ffd00002000,8\n S 00003000,8\n';
writeFileSync(big, line.repeat(Math.ceil((40 << 20) / line.length)));

const script = `
  const { preparePageTrace } = await import(${JSON.stringify(new URL('./trace.ts', import.meta.url).href)});
  await preparePageTrace(${JSON.stringify(big)}, true);
  console.log('finished');
`;

describe('an interrupted trace import', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'removes its temp file on %s and dies of the signal',
    async (signal) => {
      const cache = join(dir, `cache-${signal}`);
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, [TRACE_CACHE_ENV]: cache },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, sig) => resolve({ code, signal: sig })),
      );
      // Wait for the temp file, then interrupt.
      const seen = await new Promise<string[]>((resolve, reject) => {
        const poll = setInterval(() => {
          let names: string[] = [];
          try {
            names = readdirSync(cache).filter((f) => f.endsWith('.tmp'));
          } catch {}
          if (names.length > 0) {
            clearInterval(poll);
            resolve(names);
          }
        }, 5);
        void exited.then(() => {
          clearInterval(poll);
          reject(new Error(`the import ended before it could be interrupted: ${stderr}`));
        });
      });
      expect(seen).toHaveLength(1);
      child.kill(signal);
      expect(await exited).toEqual({ code: null, signal });
      expect(readdirSync(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
  );
});

describe('a trace import interrupted the instant its temp file exists', () => {
  // The child sends itself SIGINT from inside the `openSync` that creates the temporary, so the
  // signal lands before any later line of the importer runs: it must already be guarded then.
  const instant = `
    const fs = (await import('node:fs')).default;
    const { syncBuiltinESMExports } = (await import('node:module')).default;
    const openSync = fs.openSync;
    fs.openSync = (path, ...rest) => {
      const fd = openSync(path, ...rest);
      if (String(path).endsWith('.tmp')) process.kill(process.pid, 'SIGINT');
      return fd;
    };
    syncBuiltinESMExports();
    const { preparePageTrace } = await import(${JSON.stringify(new URL('./trace.ts', import.meta.url).href)});
    await preparePageTrace(${JSON.stringify(big)}, true);
    console.log('finished');
  `;

  it('removes it and dies of the signal', async () => {
    const cache = join(dir, 'cache-instant');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', instant], {
      env: { ...process.env, [TRACE_CACHE_ENV]: cache },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, sig) => resolve({ code, signal: sig })),
    );
    expect(exited).toEqual({ code: null, signal: 'SIGINT' });
    expect(readdirSync(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
