import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/temp.ts';
import {
  AtomicFile,
  FAIL_WRITE_ENV,
  StagedDirectory,
  sweepStaleTemps,
  symlinkAtomic,
  tempPath,
  writeFileAtomic,
} from './index.ts';

const SET = new Set(['a.json', 'b.csv']);

afterEach(() => {
  delete process.env[FAIL_WRITE_ENV];
});

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('writeFileAtomic', () => {
  it('writes and replaces a file, leaving no temporary', () => {
    const dir = tempDir();
    const path = join(dir, 'r.json');
    writeFileAtomic(path, 'one');
    writeFileAtomic(path, new Uint8Array([116, 119, 111]));
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['r.json']);
  });

  it('leaves the target as it was when the disk fills up, and no temporary', () => {
    const dir = tempDir();
    const path = join(dir, 'r.json');
    writeFileAtomic(path, 'old');
    process.env[FAIL_WRITE_ENV] = 'r.json';
    expect(() => writeFileAtomic(path, 'new')).toThrow(/ENOSPC/);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['r.json']);
  });

  it('streams through a descriptor and appears only on commit', () => {
    const dir = tempDir();
    const path = join(dir, 'trace.bin');
    const file = AtomicFile.open(path);
    file.write('abc');
    expect(existsSync(path)).toBe(false);
    file.commit({ durable: false });
    expect(readFileSync(path, 'utf8')).toBe('abc');
    const dropped = AtomicFile.open(join(dir, 'dropped.bin'));
    dropped.write('x');
    dropped.abandon();
    expect(readdirSync(dir)).toEqual(['trace.bin']);
  });
});

describe('symlinkAtomic', () => {
  it('points a link at a new target in one rename', () => {
    const dir = tempDir();
    const latest = join(dir, 'latest');
    symlinkAtomic(latest, 'one');
    symlinkAtomic(latest, 'two');
    expect(readlinkSync(latest)).toBe('two');
    expect(readdirSync(dir)).toEqual(['latest']);
  });
});

describe('StagedDirectory', () => {
  it('switches a set in whole, and replaces a previous set whole', async () => {
    const dir = tempDir();
    const target = join(dir, 'out');
    const first = await StagedDirectory.create(target, { 'a.json': '1', 'b.csv': '1' });
    expect(existsSync(target)).toBe(false);
    first.commitReplacing(target, SET);
    const second = await StagedDirectory.create(target, { 'a.json': '2', 'b.csv': '2' });
    second.commitReplacing(target, SET);
    expect(readFileSync(join(target, 'a.json'), 'utf8') + readFileSync(join(target, 'b.csv'), 'utf8')).toBe(
      '22',
    );
    expect(readdirSync(dir)).toEqual(['out']);
  });

  it('does not replace a directory holding anything else, and keeps the staged set', async () => {
    const dir = tempDir();
    const target = join(dir, 'out');
    mkdirSync(target);
    writeFileSync(join(target, 'notes.txt'), 'mine');
    const staged = await StagedDirectory.create(target, { 'a.json': '1' });
    expect(() => staged.commitReplacing(target, SET)).toThrow(/holds notes\.txt, which is no result file/);
    expect(readdirSync(target)).toEqual(['notes.txt']);
    expect(readFileSync(join(staged.temp, 'a.json'), 'utf8')).toBe('1');
    staged.abandon();
    expect(readdirSync(dir)).toEqual(['out']);
  });

  it('leaves nothing when a file of the set cannot be written', async () => {
    const dir = tempDir();
    process.env[FAIL_WRITE_ENV] = 'b.csv';
    await expect(StagedDirectory.create(join(dir, 'out'), { 'a.json': '1', 'b.csv': '1' })).rejects.toThrow(
      /ENOSPC/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('sweepStaleTemps', () => {
  it("removes a dead writer's temporaries, restores its moved-aside set, and keeps a live one's", () => {
    const dir = tempDir();
    const pid = deadPid();
    writeFileSync(join(dir, `.r.json.${pid}.0.tmp`), 'half');
    mkdirSync(join(dir, `.out.${pid}.3.old`));
    writeFileSync(join(dir, `.out.${pid}.3.old`, 'a.json'), 'previous set');
    const live = tempPath(join(dir, 'r.json'));
    writeFileSync(live, 'in progress');
    writeFileSync(join(dir, '.hidden'), 'not a temporary');
    expect(sweepStaleTemps(dir).sort()).toEqual(
      [join(dir, `.out.${pid}.3.old`), join(dir, `.r.json.${pid}.0.tmp`)].sort(),
    );
    expect(readFileSync(join(dir, 'out', 'a.json'), 'utf8')).toBe('previous set');
    expect(readdirSync(dir).sort()).toEqual(['.hidden', live.slice(dir.length + 1), 'out'].sort());
  });
});
