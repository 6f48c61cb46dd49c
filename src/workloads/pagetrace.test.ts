import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_LACKEY_TRACE } from './fixtures.ts';
import { importLackey } from './lackey.ts';
import { PAGE_TRACE_HEADER_BYTES, readPageMap, readPageTraceHeader } from './pagetrace.ts';
import { collectStream } from './testing.ts';
import { openPageTrace } from './trace.ts';

const dir = mkdtempSync(join(tmpdir(), 'dirtybench-pagetrace-test-'));
const good = join(dir, 'good.pgtrace');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await importLackey(SHIPPED_LACKEY_TRACE, good);
});

/** A copy of the good trace with `edit` applied to its bytes. */
function damaged(name: string, edit: (bytes: Buffer) => Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, edit(readFileSync(good)));
  return file;
}

describe('binary page trace', () => {
  it('has the documented header and sizes', () => {
    const h = readPageTraceHeader(good);
    const bytes = readFileSync(good);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('DBPTRACE');
    expect(h.version).toBe(1);
    expect(h.pageSize).toBe(4096);
    expect(h.instructions).toBe(true);
    expect(bytes.length).toBe(PAGE_TRACE_HEADER_BYTES + 4 * h.recordWords + 8 * h.pages);
    expect(h.records).toBeLessThan(h.accesses); // run-length encoding merged something
    expect(readPageMap(good).length).toBe(h.pages);
  });

  it('replays the same whatever the batch size, and as far as asked', () => {
    const all = collectStream(openPageTrace(good, 0, 0, true), 4096);
    const small = collectStream(openPageTrace(good, 0, 0, true), 7);
    expect(Buffer.from(small.pages.buffer).equals(Buffer.from(all.pages.buffer))).toBe(true);
    expect(Buffer.from(small.writes.buffer).equals(Buffer.from(all.writes.buffer))).toBe(true);
    const part = collectStream(openPageTrace(good, 1000, 0, true), 64);
    expect([...part.pages]).toEqual([...all.pages.subarray(0, 1000)]);
  });

  it('fails the checksum when a record is corrupted', () => {
    const file = damaged('flip.pgtrace', (b) => {
      b[PAGE_TRACE_HEADER_BYTES + 40]! ^= 0x04;
      return b;
    });
    expect(() => openPageTrace(file, 0, 0, true)).toThrow(
      /^trace: page trace .*flip\.pgtrace fails its checksum \(CRC32 [0-9a-f]{8}, header says [0-9a-f]{8}\): the file is corrupt/,
    );
  });

  it('fails the checksum when a header count is corrupted', () => {
    const file = damaged('header.pgtrace', (b) => {
      b[33]! ^= 0x01; // accesses
      return b;
    });
    expect(() => openPageTrace(file, 0, 0, true)).toThrow(/fails its checksum/);
  });

  it('fails the checksum when the page map is corrupted', () => {
    const file = damaged('map.pgtrace', (b) => {
      b[b.length - 3]! ^= 0x80;
      return b;
    });
    expect(() => openPageTrace(file, 0, 0, true)).toThrow(/fails its checksum/);
  });

  it('reports truncation clearly, at any length', () => {
    const size = readFileSync(good).length;
    for (const keep of [
      0,
      5,
      60,
      PAGE_TRACE_HEADER_BYTES,
      PAGE_TRACE_HEADER_BYTES + 11,
      size - 8,
      size - 1,
    ]) {
      const file = damaged(`cut${keep}.pgtrace`, (b) => b.subarray(0, keep));
      expect(() => openPageTrace(file, 0, 0, true)).toThrow(
        /^trace: page trace .* is truncated|^trace: .* not a page trace/,
      );
    }
    const longer = damaged('longer.pgtrace', (b) => Buffer.concat([b, Buffer.alloc(4)]));
    expect(() => openPageTrace(longer, 0, 0, true)).toThrow(/is corrupt/);
  });

  it('refuses a file that is not a page trace, or of another version', () => {
    const text = join(dir, 'text.pgtrace');
    writeFileSync(text, 'I  00001000,4\n'.repeat(20));
    expect(() => readPageTraceHeader(text)).toThrow(/is not a page trace \(bad magic\)/);
    const v2 = damaged('v2.pgtrace', (b) => {
      b[8] = 2;
      return b;
    });
    expect(() => openPageTrace(v2, 0, 0, true)).toThrow(/format version 2, this build reads version 1/);
  });

  it('keeps replaying correctly across the read buffer boundary of a long trace', async () => {
    // A trace longer than one 256 KiB read slice, with runs crossing slice boundaries.
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const page = (i * 7919) % 5000;
      const repeat = 1 + (i % 3);
      for (let r = 0; r < repeat; r++)
        lines.push(` ${i % 4 === 0 ? 'S' : 'L'} ${(page * 4096 + 8).toString(16)},8`);
    }
    const src = join(dir, 'long.lackey');
    writeFileSync(src, `${lines.join('\n')}\n`);
    const dst = join(dir, 'long.pgtrace');
    const stats = await importLackey(src, dst);
    expect(stats.records * 4).toBeGreaterThan(256 * 1024);
    const got = collectStream(openPageTrace(dst, 0, 0, true), 1000);
    const map = readPageMap(dst);
    let at = 0;
    for (let i = 0; i < 200_000; i++) {
      const page = (i * 7919) % 5000;
      const repeat = 1 + (i % 3);
      for (let r = 0; r < repeat; r++, at++) {
        if (map[got.pages[at]!] !== page || got.writes[at] !== (i % 4 === 0 ? 1 : 0)) {
          throw new Error(`access ${at} differs`);
        }
      }
    }
    expect(at).toBe(got.pages.length);
    copyFileSync(dst, join(dir, 'long-copy.pgtrace'));
  });
});
