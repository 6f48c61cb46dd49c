import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportPageTrace } from './export.ts';
import { PageTraceWriter, readPageMap, readPageTraceHeader } from './pagetrace.ts';
import { createWorkload, findWorkload, workloads } from './registry.ts';
import { collectStream } from './testing.ts';
import { openPageTrace, trace } from './trace.ts';
import type { CommonWorkloadParams } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'dirtybench-export-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const common: CommonWorkloadParams = { pages: 300, accesses: 20_000, writeRatio: 0.4, computeCycles: 50 };
/** Parameters that make the small generators valid (periodic's job must fit its pages and period). */
const given: Record<string, Record<string, unknown>> = { periodic: { jobPages: 64, accessesPerJob: 1000 } };

describe('export-trace: a generator written as a page trace', () => {
  for (const def of workloads.filter((w) => w.name !== 'trace')) {
    it(`${def.name}: replaying the export through trace gives the generator's accesses exactly`, () => {
      const file = join(dir, `${def.name}.pgtrace`);
      const header = exportPageTrace(createWorkload(def, common, given[def.name] ?? {}, 7), file);
      const expected = collectStream(createWorkload(def, common, given[def.name] ?? {}, 7));
      const replayed = createWorkload(trace, { ...common, accesses: 0 }, { file }, 99);
      expect(replayed.pages).toBe(common.pages);
      const got = collectStream(replayed);
      expect(Buffer.from(got.pages.buffer).equals(Buffer.from(expected.pages.buffer))).toBe(true);
      expect(Buffer.from(got.writes.buffer).equals(Buffer.from(expected.writes.buffer))).toBe(true);
      const written = new Set(Array.from(expected.pages).filter((_, i) => expected.writes[i] === 1)).size;
      expect(header).toMatchObject({
        pageNumbers: true,
        pages: 300,
        accesses: 20_000,
        writtenPages: written,
      });
    });
  }

  it('names page numbers, not first-touch indices, and keeps untouched pages in P', () => {
    const file = join(dir, 'sparse.pgtrace');
    // stride 100 over 300 pages touches 0, 100, 200, 1, 101, …: far from first-touch order.
    exportPageTrace(
      createWorkload(findWorkload('stride')!, { ...common, accesses: 3 }, { stride: 100 }, 1),
      file,
    );
    const h = readPageTraceHeader(file);
    expect([h.pages, h.accesses, h.pageNumbers, h.instructions]).toEqual([300, 3, true, false]);
    expect(Array.from(collectStream(openPageTrace(file, 0, 0, true)).pages)).toEqual([0, 100, 200]);
    expect(Array.from(readPageMap(file).subarray(0, 4))).toEqual([0, 1, 2, 3]);
  });

  it('leaves nothing behind when the stream fails', () => {
    const file = join(dir, 'failed.pgtrace');
    const stream = createWorkload(findWorkload('uniform')!, common, {}, 1);
    const broken = {
      ...stream,
      fill: () => {
        throw new Error('generator broke');
      },
    };
    expect(() => exportPageTrace(broken, file)).toThrow('generator broke');
    expect(() => readFileSync(file)).toThrow();
  });

  it('refuses a page-numbers trace that names a page outside its memory', () => {
    const file = join(dir, 'outside.pgtrace');
    const fd = openSync(file, 'w');
    const w = new PageTraceWriter(fd, false, true);
    w.access(5, 1);
    w.finish({ pageMap: null, pages: 4, writtenPages: 1, sourceTextBytes: 0, sourceLines: 0 });
    closeSync(fd);
    expect(() => openPageTrace(file, 0, 0, true)).toThrow(/inconsistent: page 5 outside the trace's 4 pages/);
  });

  it('refuses a trace with a flag bit this build does not know', () => {
    const file = join(dir, 'future.pgtrace');
    exportPageTrace(createWorkload(findWorkload('uniform')!, { ...common, accesses: 10 }, {}, 1), file);
    const bytes = readFileSync(file);
    bytes.writeUInt32LE(bytes.readUInt32LE(20) | 4, 20);
    writeFileSync(file, bytes);
    expect(() => readPageTraceHeader(file)).toThrow(/flags 0x6, this build knows only 0x3/);
  });
});
