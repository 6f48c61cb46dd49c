import { copyFileSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParamError } from '../params/params.ts';
import { SHIPPED_LACKEY_TRACE } from './fixtures.ts';
import { readPageTraceHeader } from './pagetrace.ts';
import { createWorkload } from './registry.ts';
import { collectStream } from './testing.ts';
import { cachedTracePath, trace, traceStats } from './trace.ts';

const SHIPPED = SHIPPED_LACKEY_TRACE;
const dir = mkdtempSync(join(tmpdir(), 'dirtybench-trace-test-'));
/** Cache entries this file creates, removed at the end so test runs leave no litter. */
const cacheEntries: string[] = [];
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const file of cacheEntries) rmSync(file, { force: true });
});
const common = { pages: 1, accesses: 0, writeRatio: 0.5, computeCycles: 7 };

/** A private copy of the shipped trace, so the cache entries of this test are its own. */
function copyOfShipped(name: string): string {
  const file = join(dir, name);
  copyFileSync(SHIPPED, file);
  cacheEntries.push(cachedTracePath(file, true), cachedTracePath(file, false));
  return file;
}

describe('trace workload', () => {
  it('prepares a lackey file into a cached page trace and replays it whole', async () => {
    const src = copyOfShipped('prepared.lackey.gz');
    const prepared = await trace.prepare!({ file: src, instructions: true });
    expect(prepared.file).toBe(cachedTracePath(src, true));
    expect(readPageTraceHeader(prepared.file).pages).toBe(139);
    const stream = createWorkload(trace, common, prepared, 1);
    expect([stream.pages, stream.accesses, stream.computeCycles, stream.jobs]).toEqual([
      139,
      170229,
      7,
      null,
    ]);
    const { pages } = collectStream(stream);
    expect(pages.reduce((a, b) => Math.max(a, b), 0)).toBe(138);
    // Preparing again reuses the cache entry.
    const mtime = statSync(prepared.file).mtimeMs;
    expect((await trace.prepare!({ file: src, instructions: true })).file).toBe(prepared.file);
    expect(statSync(prepared.file).mtimeMs).toBe(mtime);
    expect(traceStats(src)).toMatchObject({ pages: 139, writtenPages: 26, accesses: 170229, lines: 170121 });
  });

  it('imports a small lackey file on create when it was not prepared, ignoring seed and write ratio', () => {
    const src = copyOfShipped('unprepared.lackey.gz');
    const a = collectStream(createWorkload(trace, common, { file: src }, 1));
    const b = collectStream(createWorkload(trace, { ...common, writeRatio: 1, pages: 99 }, { file: src }, 2));
    expect(Buffer.from(a.pages.buffer).equals(Buffer.from(b.pages.buffer))).toBe(true);
    expect(Buffer.from(a.writes.buffer).equals(Buffer.from(b.writes.buffer))).toBe(true);
  });

  it('keys the cache by content identity and the instructions flag', () => {
    const src = copyOfShipped('keyed.lackey.gz');
    const withI = cachedTracePath(src, true);
    expect(cachedTracePath(src, false)).not.toBe(withI);
    utimesSync(src, new Date(), new Date(Date.now() - 86_400_000));
    expect(cachedTracePath(src, true)).not.toBe(withI);
    cacheEntries.push(cachedTracePath(src, false));
    const noI = createWorkload(trace, common, { file: src, instructions: false }, 1);
    expect(noI.pages).toBeLessThan(139);
  });

  it('limits the replay to `accesses` when given, and refuses more than the trace holds', () => {
    const src = copyOfShipped('limit.lackey.gz');
    const s = createWorkload(trace, { ...common, accesses: 1000 }, { file: src }, 1);
    expect(s.accesses).toBe(1000);
    expect(collectStream(s, 300).pages.length).toBe(1000);
    expect(() => createWorkload(trace, { ...common, accesses: 170230 }, { file: src }, 1)).toThrow(
      "trace: parameter 'accesses' must be <= the trace's 170229 accesses (or 0 for the whole trace), got 170230",
    );
  });

  it('replays a page trace given directly, and refuses an instructions mismatch', async () => {
    const src = copyOfShipped('direct.lackey.gz');
    const { file } = await trace.prepare!({ file: src, instructions: true });
    expect(createWorkload(trace, common, { file }, 1).pages).toBe(139);
    expect(() => createWorkload(trace, common, { file, instructions: false }, 1)).toThrow(
      /was imported with instructions=true, but instructions=false was asked/,
    );
  });

  it('refuses a missing file parameter, an unreadable file, a bad parameter', async () => {
    expect(() => createWorkload(trace, common, {}, 1)).toThrow(ParamError);
    expect(() => createWorkload(trace, common, {}, 1)).toThrow("trace: parameter 'file' is required");
    expect(() => createWorkload(trace, common, { file: join(dir, 'nope.gz') }, 1)).toThrow(
      /^trace: cannot read .*nope\.gz: ENOENT/,
    );
    await expect(trace.prepare!({ file: join(dir, 'nope.gz'), instructions: true })).rejects.toThrow(
      /cannot read/,
    );
    expect(() => createWorkload(trace, common, { file: SHIPPED, bogus: 1 }, 1)).toThrow(
      /unknown parameter 'bogus'/,
    );
    expect(() => createWorkload(trace, { ...common, accesses: -1 }, { file: SHIPPED }, 1)).toThrow(
      "trace: parameter 'accesses' must be an integer >= 0",
    );
  });

  it('reports a malformed lackey file with its line number on create', () => {
    const src = join(dir, 'bad.lackey');
    writeFileSync(src, '==1== hi\nI  00001000,4\n S 0000100O,4\n');
    cacheEntries.push(cachedTracePath(src, true));
    expect(() => createWorkload(trace, common, { file: src }, 1)).toThrow(
      `trace: ${src}:3: malformed lackey line " S 0000100O,4"`,
    );
  });
});
