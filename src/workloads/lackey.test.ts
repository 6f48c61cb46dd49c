import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_PAGES } from './common.ts';
import { SHIPPED_LACKEY_TRACE } from './fixtures.ts';
import { DEFAULT_IMPORT_MAX_PAGES, importLackey, importLackeySync, LackeyImporter } from './lackey.ts';
import { PageTraceWriter, readPageMap, readPageTraceHeader } from './pagetrace.ts';
import { collectStream } from './testing.ts';
import { openPageTrace } from './trace.ts';

const SHIPPED = SHIPPED_LACKEY_TRACE;
const dir = mkdtempSync(join(tmpdir(), 'dirtybench-lackey-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The independent reader: obviously-correct code over the trace text. Every
 * access line becomes one access per page its bytes touch, with BigInt
 * addresses; S and M are writes; I is a read (dropped without instructions).
 */
function independentAccesses(text: string, instructions = true): { vpn: bigint; write: boolean }[] {
  const out: { vpn: bigint; write: boolean }[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('==')) continue;
    const m = /^(I | L| S| M) ([0-9a-f]+),(\d+)$/.exec(line);
    if (!m) throw new Error(`unexpected line ${line}`);
    if (m[1] === 'I ' && !instructions) continue;
    const addr = BigInt(`0x${m[2]}`);
    const size = BigInt(m[3]!);
    const write = m[1] === ' S' || m[1] === ' M';
    for (let vpn = addr >> 12n; vpn <= (addr + size - 1n) >> 12n; vpn++) out.push({ vpn, write });
  }
  return out;
}

/** The expected replay: dense indices in first-touch order. */
function denseSequence(accesses: { vpn: bigint; write: boolean }[]) {
  const index = new Map<bigint, number>();
  const pages = new Int32Array(accesses.length);
  const writes = new Uint8Array(accesses.length);
  accesses.forEach((a, i) => {
    if (!index.has(a.vpn)) index.set(a.vpn, index.size);
    pages[i] = index.get(a.vpn)!;
    writes[i] = a.write ? 1 : 0;
  });
  return { pages, writes, pageMap: [...index.keys()] };
}

/** Index of the first difference of two typed arrays, −1 when equal (fast, unlike a deep equal). */
function firstDifference(a: Int32Array | Uint8Array, b: Int32Array | Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function replay(file: string, instructions = true) {
  const stream = openPageTrace(file, 0, 0, instructions);
  return { stream, ...collectStream(stream, 1000) };
}

describe('lackey import of the shipped /bin/true trace', () => {
  const text = gunzipSync(readFileSync(SHIPPED)).toString('latin1');
  const expected = independentAccesses(text);

  it('finds the same distinct touched and written pages as an independent count', async () => {
    const stats = await importLackey(SHIPPED, join(dir, 'true.pgtrace'));
    const touched = new Set(expected.map((a) => a.vpn));
    const written = new Set(expected.filter((a) => a.write).map((a) => a.vpn));
    expect(stats.pages).toBe(touched.size);
    expect(stats.writtenPages).toBe(written.size);
    expect(stats.accesses).toBe(expected.length);
    expect(stats.lines).toBe(text.split('\n').length - 1);
    expect(stats.skippedLines).toBe(text.split('\n').filter((l) => l.startsWith('==')).length);
    expect(stats.gzip).toBe(true);
    expect(stats.textBytes).toBe(text.length);
    expect(stats.straddlingLines).toBeGreaterThan(0); // the trace does straddle pages
    const header = readPageTraceHeader(join(dir, 'true.pgtrace'));
    expect([header.pages, header.writtenPages, header.accesses]).toEqual([
      touched.size,
      written.size,
      expected.length,
    ]);
  });

  it('replays exactly the access sequence of the independent reader, with its page map', async () => {
    await importLackey(SHIPPED, join(dir, 'true-rt.pgtrace'));
    const want = denseSequence(expected);
    const got = replay(join(dir, 'true-rt.pgtrace'));
    expect(got.stream.pages).toBe(want.pageMap.length);
    expect(firstDifference(got.pages, want.pages)).toBe(-1);
    expect(firstDifference(got.writes, want.writes)).toBe(-1);
    expect([...readPageMap(join(dir, 'true-rt.pgtrace'))].map(BigInt)).toEqual(want.pageMap);
  });

  it('drops instruction fetches when asked', async () => {
    const stats = await importLackey(SHIPPED, join(dir, 'true-noi.pgtrace'), { instructions: false });
    const want = denseSequence(independentAccesses(text, false));
    expect(stats.pages).toBe(want.pageMap.length);
    const got = replay(join(dir, 'true-noi.pgtrace'), false);
    expect(firstDifference(got.pages, want.pages)).toBe(-1);
    expect(firstDifference(got.writes, want.writes)).toBe(-1);
  });

  it('gives the identical page trace from plain text and from gzip, async or sync', async () => {
    const plain = join(dir, 'true.lackey'); // no .gz, and the gzip copy below has no .gz either: magic decides
    writeFileSync(plain, text, 'latin1');
    const gz = join(dir, 'true-compressed.txt');
    writeFileSync(gz, gzipSync(Buffer.from(text, 'latin1')));
    await importLackey(plain, join(dir, 'a.pgtrace'));
    await importLackey(gz, join(dir, 'b.pgtrace'));
    importLackeySync(gz, join(dir, 'c.pgtrace'));
    const a = readFileSync(join(dir, 'a.pgtrace'));
    expect(readFileSync(join(dir, 'b.pgtrace')).equals(a)).toBe(true);
    expect(readFileSync(join(dir, 'c.pgtrace')).equals(a)).toBe(true);
    expect(readFileSync(join(dir, 'true.pgtrace')).equals(a)).toBe(true);
  });
});

/** Imports `text` (written to a temp file) and returns stats and the replay. */
async function importText(text: string, name: string, instructions = true) {
  const src = join(dir, `${name}.lackey`);
  writeFileSync(src, text, 'latin1');
  const dst = join(dir, `${name}.pgtrace`);
  const stats = await importLackey(src, dst, { instructions });
  return { stats, ...replay(dst, instructions), map: [...readPageMap(dst)] };
}

describe('lackey line rules', () => {
  it('touches both pages of an access that straddles a page boundary', async () => {
    const r = await importText(' S 00000ffe,4\n L 00001000,8\n L 00000fff,1\n M 00002ffc,8\n', 'straddle');
    expect(r.map).toEqual([0, 1, 2, 3]);
    expect([...r.pages]).toEqual([0, 1, 1, 0, 2, 3]);
    expect([...r.writes]).toEqual([1, 1, 0, 0, 1, 1]);
    expect(r.stats.straddlingLines).toBe(2);
  });

  it('reads 64-bit addresses exactly, without BigInt', async () => {
    const r = await importText(
      ' L ffffffffff600000,8\n S 7ffd1234abcd,8\nI  0000000000401000,3\n L 7ffd1234bfff,2\n',
      'wide',
    );
    expect(r.map.map(BigInt)).toEqual([0xffffffffff600n, 0x7ffd1234an, 0x401n, 0x7ffd1234bn, 0x7ffd1234cn]);
    expect([...r.pages]).toEqual([0, 1, 2, 3, 4]);
  });

  it('skips valgrind lines (== and --), empty lines and a trailing CR; takes a last line without newline', async () => {
    const text = '==1== Lackey\r\n--1-- verbose\n\nI  00001000,4\r\n==1== \n S 00002000,4';
    const r = await importText(text, 'skip');
    expect(r.stats.lines).toBe(6);
    expect(r.stats.skippedLines).toBe(4);
    expect(r.map).toEqual([1, 2]);
    expect([...r.writes]).toEqual([0, 1]);
  });

  it('emits a modify as one write and merges repeats losslessly', async () => {
    const r = await importText(
      ' M 00001000,4\n M 00001008,4\n L 00001000,4\n L 00001000,4\n S 00001000,4\n L 00001000,1\n',
      'rle',
    );
    expect([...r.writes]).toEqual([1, 1, 0, 0, 1, 0]);
    expect(r.stats.records).toBe(4);
    expect(r.stats.accesses).toBe(6);
  });

  it.each([
    ['I  00001000,21', /an instruction fetch of 21 bytes: lackey's are 1 to 20 bytes/],
    ['I  00001000,0', /an instruction fetch of 0 bytes: lackey's are 1 to 20 bytes/],
    [' L 00001000,513', /a data access of 513 bytes: lackey's are 1 to 512 bytes/],
    [' S 00001000,0', /a data access of 0 bytes: lackey's are 1 to 512 bytes/],
    [' M 00001000,4294967296', /a data access of 4294967296 bytes/],
  ])('refuses a size no instruction can have (%s), naming the line and the bound', async (line, message) => {
    const src = join(dir, 'size.lackey');
    writeFileSync(src, `==1== x\n L 00001000,4\n${line}\n`);
    await expect(importLackey(src, join(dir, 'size.pgtrace'))).rejects.toThrow(message);
    await expect(importLackey(src, join(dir, 'size.pgtrace'))).rejects.toThrow(`trace: ${src}:3: `);
  });

  it('takes the largest sizes lackey emits: a 20-byte instruction (a client request on ARM) and a 512-byte access', async () => {
    const r = await importText('I  00001000,20\n S 00002f00,512\n', 'largest');
    expect(r.map).toEqual([1, 2, 3]);
    expect([...r.writes]).toEqual([0, 1, 1]);
  });

  it('refuses an access that wraps past 2^64, and takes one that ends on its last byte', async () => {
    const src = join(dir, 'wrap.lackey');
    writeFileSync(src, ' L fffffffffffffff8,8\n L ffffffffffffffff,2\n');
    await expect(importLackey(src, join(dir, 'wrap.pgtrace'))).rejects.toThrow(
      `trace: ${src}:2: " L ffffffffffffffff,2" reads or writes past the last address, 2^64 − 1 (it would wrap to 0)`,
    );
    const r = await importText(' L fffffffffffffff8,8\n', 'last-byte');
    expect(r.map.map(BigInt)).toEqual([0xfffffffffffffn]);
  });

  it('stops at the page limit as soon as a trace passes it, before its tables grow', async () => {
    const src = join(dir, 'many.lackey');
    writeFileSync(src, ' L 00001000,4\n L 00002000,4\n L 00001000,4\n L 00003000,4\n L 00004000,4\n');
    await expect(importLackey(src, join(dir, 'many.pgtrace'), { maxPages: 3 })).rejects.toThrow(
      `trace: ${src}:5: the trace touches more than 3 distinct pages`,
    );
    expect((await importLackey(src, join(dir, 'many.pgtrace'), { maxPages: 4 })).pages).toBe(4);
  });

  it("imports up to the pages the emulated platform holds, the run's own limit", () => {
    expect(DEFAULT_IMPORT_MAX_PAGES).toBe(MAX_PAGES);
  });

  it.each([
    ['X  00001000,4', 'bad kind'],
    [' L 00001000', 'no size'],
    [' L 0000g000,4', 'bad hex'],
    [' L 00001000,4x', 'bad size'],
    [' L ,4', 'no address'],
    [' L 10000000000000000,4', '17 hex digits'],
    ['I 00001000,4', 'one space after I'],
    ['hello from the program', 'program output'],
  ])('reports a malformed line with its line number and text (%s: %s)', async (line) => {
    const src = join(dir, 'bad.lackey');
    writeFileSync(src, `==1== x\n L 00001000,4\n\n${line}\n L 00001000,4\n`);
    await expect(importLackey(src, join(dir, 'bad.pgtrace'))).rejects.toThrow(
      `trace: ${src}:4: malformed lackey line ${JSON.stringify(line)}`,
    );
    expect(() => importLackeySync(src, join(dir, 'bad.pgtrace'))).toThrow(`${src}:4: malformed lackey line`);
  });

  it('reports an unreadable file and a corrupt gzip stream clearly', async () => {
    await expect(importLackey(join(dir, 'missing.lackey'), join(dir, 'x.pgtrace'))).rejects.toThrow(
      /^trace: cannot read .*missing\.lackey: ENOENT/,
    );
    const broken = join(dir, 'broken.gz');
    writeFileSync(broken, gzipSync(Buffer.from(' L 00001000,4\n'.repeat(1000))).subarray(0, 40));
    await expect(importLackey(broken, join(dir, 'x.pgtrace'))).rejects.toThrow(
      /^trace: cannot import .*broken\.gz/,
    );
  });

  it('gives the same page trace however the text is cut into chunks', () => {
    const text = Buffer.from(
      '==7== start\nI  04001000,3\n' +
        ' L 1ffefff000,8\n S 1ffeffeffc,8\n M 04002000,16\n' +
        'I  04001003,5\n L 7ffd1234bfff,2\n\n==7== end\n',
    );
    const importWith = (cuts: number[]): Buffer => {
      const file = join(dir, 'chunks.pgtrace');
      const fd = openSync(file, 'w');
      const importer = new LackeyImporter(new PageTraceWriter(fd, true), 'chunks');
      let at = 0;
      for (const cut of [...cuts, text.length]) {
        importer.push(text.subarray(at, Math.max(at, cut)));
        at = Math.max(at, cut);
      }
      importer.finish();
      closeSync(fd);
      return readFileSync(file);
    };
    const whole = importWith([]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }), (cuts) => {
        expect(importWith(cuts.sort((a, b) => a - b)).equals(whole)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
