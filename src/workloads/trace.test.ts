import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParamError } from '../params/params.ts';
import { MAX_PAGES } from './common.ts';
import { SHIPPED_LACKEY_TRACE } from './fixtures.ts';
import { PAGE_TRACE_HEADER_BYTES, readPageTraceHeader } from './pagetrace.ts';
import { createWorkload } from './registry.ts';
import { accessFreeTraces, collectStream } from './testing.ts';
import {
  cachedTracePath,
  openPageTrace,
  sourceDigest,
  TRACE_CACHE_ENV,
  trace,
  traceCacheDir,
  traceCacheTuning,
  traceStats,
} from './trace.ts';

const SHIPPED = SHIPPED_LACKEY_TRACE;
const dir = mkdtempSync(join(tmpdir(), 'dirtybench-trace-test-'));
// A cache of this file's own, removed with it: no litter, and no other test file shares its entries.
const savedCache = process.env[TRACE_CACHE_ENV];
process.env[TRACE_CACHE_ENV] = join(dir, 'cache');
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedCache === undefined) delete process.env[TRACE_CACHE_ENV];
  else process.env[TRACE_CACHE_ENV] = savedCache;
});
const common = { pages: 1, accesses: 0, writeRatio: 0.5, computeCycles: 7 };

/** A copy of the shipped trace under `name`. */
function copyOfShipped(name: string): string {
  const file = join(dir, name);
  copyFileSync(SHIPPED, file);
  return file;
}

/** The whole replay of `file` as plain arrays. */
function replayOf(file: string, instructions = true) {
  const { pages, writes } = collectStream(createWorkload(trace, common, { file, instructions }, 1));
  return { pages: [...pages], writes: [...writes] };
}

/** Temp files in the cache directory. */
const temps = () => readdirSync(traceCacheDir()).filter((f) => f.endsWith('.tmp'));

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

  it('keys the cache on the content and the instructions flag, not on the path or the times', async () => {
    const src = copyOfShipped('keyed.lackey.gz');
    const withI = cachedTracePath(src, true);
    expect(cachedTracePath(src, false)).not.toBe(withI);
    const prepared = (await trace.prepare!({ file: src, instructions: true })).file;
    expect(prepared).toBe(withI);
    const imported = statSync(prepared).mtimeMs;
    // Touched, or copied under another name: the same content, so the same entry, not imported again.
    utimesSync(src, new Date(), new Date(Date.now() - 86_400_000));
    expect(cachedTracePath(src, true)).toBe(withI);
    const copy = copyOfShipped('another-name.lackey.gz');
    expect((await trace.prepare!({ file: copy, instructions: true })).file).toBe(withI);
    expect(statSync(prepared).mtimeMs).toBe(imported);
    const noI = createWorkload(trace, common, { file: src, instructions: false }, 1);
    expect(noI.pages).toBeLessThan(139);
  });

  it('imports again a file rewritten with the same size and mtime (cp -p, rsync -t, touch -r)', async () => {
    const src = join(dir, 'rewritten.lackey');
    const before = ' S 00001000,4\n L 00002000,4\n';
    const after = ' L 00005000,4\n S 00005000,4\n';
    writeFileSync(src, before);
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(src, old, old);
    await trace.prepare!({ file: src, instructions: true });
    expect(replayOf(src)).toEqual({ pages: [0, 1], writes: [1, 0] });
    writeFileSync(src, after);
    utimesSync(src, old, old); // what touch -r does: size and mtime as before
    expect(statSync(src).size).toBe(before.length);
    expect(replayOf(src)).toEqual({ pages: [0, 0], writes: [0, 1] }); // create, not prepared
    const { file } = await trace.prepare!({ file: src, instructions: true });
    expect(collectStream(openPageTrace(file, 0, 0, true)).writes).toEqual(Uint8Array.of(0, 1));
  });

  it('notes the hash of a settled file and uses the note; a rewrite changes ctime and so misses it', async () => {
    const src = join(dir, 'noted.lackey');
    writeFileSync(src, ' S 00007000,4\n');
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(src, old, old);
    const notes = join(traceCacheDir(), 'sources');
    const noteCount = () => (existsSync(notes) ? readdirSync(notes).length : 0);
    // Just written: its ctime is racily new, so no note.
    const before = noteCount();
    await trace.prepare!({ file: src, instructions: true });
    expect(noteCount()).toBe(before);
    traceCacheTuning.settledMs = 0; // as if it were old
    try {
      await trace.prepare!({ file: src, instructions: true });
      expect(noteCount()).toBe(before + 1);
      // The note is what a run reads: a forged one decides the entry.
      const note = readdirSync(notes).find(
        (n) => readFileSync(join(notes, n), 'latin1') === sourceDigest(src),
      )!;
      writeFileSync(join(notes, note), 'f'.repeat(64));
      expect(cachedTracePath(src, true)).toMatch(/ffffffffffffffffffffffffffffffff-v1\.pgtrace$/);
      // Rewritten with the same size and mtime later: another ctime, another identity, hashed again.
      await new Promise((r) => setTimeout(r, 50));
      writeFileSync(src, ' L 00007000,4\n');
      utimesSync(src, old, old);
      expect(replayOf(src)).toEqual({ pages: [0], writes: [0] });
    } finally {
      traceCacheTuning.settledMs = 2000;
    }
  });

  it('refuses a trace without pages, saying why, instead of failing later with a RangeError', async () => {
    const { empty, noTraceMem: noMem, zeroPages } = await accessFreeTraces(dir);
    const codeOnly = join(dir, 'code-only.lackey');
    writeFileSync(codeOnly, 'I  00001000,4\n');
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [empty, {}, /^trace: .*empty\.lackey is empty: it holds no memory accesses to replay$/],
      [
        noMem,
        {},
        /^trace: .*no-trace-mem\.lackey holds no memory accesses \(2 lines, none an access; lackey prints them only when run with --trace-mem=yes\)$/,
      ],
      [
        codeOnly,
        { instructions: false },
        /^trace: .*code-only\.lackey holds no memory accesses \(1 line, none an access once instructions=false drops the instruction fetches;/,
      ],
      [zeroPages, {}, /^trace: .*zero\.pgtrace is empty: it holds no memory accesses to replay$/],
    ];
    for (const [file, params, message] of cases) {
      expect(() => createWorkload(trace, common, { file, ...params }, 1)).toThrow(message);
      await expect(
        trace.prepare!({ file, instructions: true, ...params }).then((p) =>
          createWorkload(trace, common, p, 1),
        ),
      ).rejects.toThrow(message);
    }
  });

  it('imports a corrupt cache entry again, on prepare and on create, instead of asking to delete it', async () => {
    const src = copyOfShipped('corrupted.lackey.gz');
    const { file } = await trace.prepare!({ file: src, instructions: true });
    const whole = replayOf(src);
    const corrupt = () => {
      const bytes = readFileSync(file);
      bytes[PAGE_TRACE_HEADER_BYTES + 40]! ^= 0x04;
      writeFileSync(file, bytes);
      expect(() => openPageTrace(file, 0, 0, true)).toThrow(/fails its checksum/);
    };
    corrupt();
    expect((await trace.prepare!({ file: src, instructions: true })).file).toBe(file);
    expect(collectStream(openPageTrace(file, 0, 0, true)).pages.length).toBe(170229);
    corrupt();
    expect(replayOf(src)).toEqual(whole);
    writeFileSync(file, 'DBPTRACE truncated');
    expect(replayOf(src)).toEqual(whole);
    expect(temps()).toEqual([]);
  });

  it('sweeps the temp files dead processes left in the cache, and leaves those of live ones', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const cache = traceCacheDir();
    mkdirSync(cache, { recursive: true });
    const stale = [`.a.pgtrace.${dead}.0.tmp`, `.b.pgtrace.${dead}.3.tmp`]; // a process that has exited
    const live = `.c.pgtrace.${process.ppid}.0.tmp`;
    for (const name of [...stale, live]) writeFileSync(join(cache, name), 'partial');
    const fresh = join(dir, 'sweeper.lackey');
    writeFileSync(fresh, ' S 00042000,8\n'); // content no other test imports: this prepare imports
    await trace.prepare!({ file: fresh, instructions: true });
    expect(temps()).toEqual([live]);
    rmSync(join(cache, live));
  });

  it('refuses a page trace with more pages than the emulated platform holds, before reading it', () => {
    const huge = join(dir, 'huge.pgtrace');
    const fd = openSync(huge, 'w');
    const header = Buffer.alloc(PAGE_TRACE_HEADER_BYTES);
    header.write('DBPTRACE', 0, 'latin1');
    header.writeUInt32LE(1, 8);
    header.writeUInt32LE(PAGE_TRACE_HEADER_BYTES, 12);
    header.writeUInt32LE(4096, 16);
    header.writeUInt32LE(MAX_PAGES + 1, 24);
    writeSync(fd, header, 0, header.length, 0);
    ftruncateSync(fd, PAGE_TRACE_HEADER_BYTES + 8 * (MAX_PAGES + 1)); // sparse: the page map's size, no disk
    closeSync(fd);
    expect(() => openPageTrace(huge, 0, 0, false)).toThrow(
      `trace: ${huge} touches ${MAX_PAGES + 1} distinct pages; the emulated platform holds at most ${MAX_PAGES}`,
    );
    rmSync(huge);
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
    expect(() => createWorkload(trace, common, { file: src }, 1)).toThrow(
      `trace: ${src}:3: malformed lackey line " S 0000100O,4"`,
    );
  });
});
