/**
 * Every output target is checked before the first run (issue 12.2): the
 * results root, --out and every --export-*, empty strings and duplicates
 * included; bad ones exit 2 with one line and nothing written or run. A
 * write that fails anyway (a full disk, simulated) keeps the runs in a
 * recoverable file and says where.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAIL_WRITE_ENV } from '../../src/io/index.ts';
import { runCli, SMALL, tempDir } from './testing.ts';

const ONE = ['--strategy=oracle', '--workload=uniform', ...SMALL, '-j1'];

describe.concurrent('a bad output target exits 2 before any run and writes nothing', () => {
  const dir = tempDir();
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, '');
  const foreign = join(dir, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'notes.txt'), 'mine');

  /** [what, arguments, results root, message]. */
  const CASES: [string, string[], string, RegExp][] = [
    ['empty --out', ['--out='], join(dir, 'r1'), /--out is empty; expected a directory/],
    ['empty --export-json', ['--export-json='], join(dir, 'r2'), /--export-json is empty; expected a file/],
    ['empty --export-csv', ['--export-csv', ''], join(dir, 'r3'), /--export-csv is empty; expected a file/],
    [
      'two exports to one file',
      ['--export-json', join(dir, 'x'), '--export-csv', join(dir, 'x')],
      join(dir, 'r4'),
      /--export-json and --export-csv both write .*x; give each its own file/,
    ],
    [
      'an export into the --out set',
      ['--out', join(dir, 'set'), '--export-json', join(dir, 'set', 'results.json')],
      join(dir, 'r5'),
      /--out and --export-json both write .*results\.json; give each its own file/,
    ],
    [
      '--out that is a file',
      ['--out', aFile],
      join(dir, 'r6'),
      /--out .*a-file: exists and is not a directory/,
    ],
    [
      '--out holding files that are no results',
      ['--out', foreign],
      join(dir, 'r7'),
      /--out .*foreign: holds notes\.txt, which is no result file; give a new or empty directory, or one an earlier --out wrote/,
    ],
    [
      'a results root that is a file',
      [],
      join(aFile, 'results'),
      /results root .*a-file\/results: .*a-file is not a directory/,
    ],
    [
      'an export where no file can be made',
      ['--export-json', '/proc/self/results.json'],
      join(dir, 'r8'),
      /--export-json \/proc\/self\/results\.json: cannot create a file in \/proc\/self/,
    ],
  ];

  for (const [what, args, root, message] of CASES) {
    it(what, async () => {
      const cwd = join(dir, `cwd-${what.replace(/\W+/g, '-')}`);
      mkdirSync(cwd);
      const r = await runCli([...ONE, ...args], root, { cwd });
      expect(r.stderr).toMatch(/^dirtybench: [^\n]+\n$/);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(readdirSync(cwd)).toEqual([]);
      expect(existsSync(root)).toBe(false);
    });
  }
});

describe('a write that fails anyway', () => {
  it('keeps the runs in a recoverable file, says where, and leaves no partial set', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const r = await runCli([...ONE, '--out', out], join(dir, 'results'), {
      env: { [FAIL_WRITE_ENV]: 'summary.md', TMPDIR: dir },
    });
    expect(r.code).toBe(2);
    const m = /the runs are kept in (\S+results\.json)/.exec(r.stderr);
    expect(r.stderr).toMatch(/cannot write the results .*ENOSPC/);
    expect(m, r.stderr).not.toBeNull();
    const kept = JSON.parse(readFileSync(m![1]!, 'utf8'));
    expect(kept.schema).toBe('dirtybench/results@1');
    expect(kept.runs).toHaveLength(1);
    expect(kept.runs[0].strategy).toBe('oracle');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
