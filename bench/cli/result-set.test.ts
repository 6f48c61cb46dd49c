/**
 * A result set is all or nothing (issue 12.3): the three files of --out are
 * switched in together, and two writers of one target take turns — a writer
 * paused in the middle of its write cannot end up with another's files
 * mixed into its set.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAUSE_WRITE_ENV } from '../../src/io/index.ts';
import { runCli, SMALL, tempDir } from './testing.ts';

const ONE = ['--strategy=oracle', '--workload=uniform', ...SMALL, '-j1', '-q'];
const FILES = ['results.csv', 'results.json', 'summary.md'];

async function until(path: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!existsSync(path)) {
    if (Date.now() > end) throw new Error(`${path} did not appear`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The seed each file of a set records. */
function seeds(dir: string): number[] {
  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).runs[0].seed;
  const [header, row] = readFileSync(join(dir, 'results.csv'), 'utf8').split('\n');
  const csv = Number(row!.split(',')[header!.split(',').indexOf('seed')]);
  const md = Number(/^- seed: (\d+)$/m.exec(readFileSync(join(dir, 'summary.md'), 'utf8'))![1]);
  return [json, csv, md];
}

describe('two writers of one --out', () => {
  it("take turns: the set is whole, the later writer's, and nothing temporary is left", async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const pause = join(dir, 'pause');
    mkdirSync(pause);
    const first = runCli([...ONE, '--seed=1', '--out', out], join(dir, 'r'), {
      env: { [PAUSE_WRITE_ENV]: pause },
    });
    await until(join(pause, 'paused'));
    const second = runCli([...ONE, '--seed=2', '--out', out], join(dir, 'r'));
    // Long enough for the second writer to run and reach its write.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    writeFileSync(join(pause, 'resume'), '');
    const [a, b] = await Promise.all([first, second]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(FILES);
    expect(seeds(out)).toEqual([2, 2, 2]);
    expect(readdirSync(dir).sort()).toEqual(['out', 'pause']);
  });
});

describe('two writers of one results root', () => {
  it('make two whole sets and point latest at one of them', async () => {
    const root = join(tempDir(), 'results');
    const [a, b] = await Promise.all([
      runCli([...ONE, '--seed=1'], root),
      runCli([...ONE, '--seed=2'], root),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const sets = readdirSync(root).filter((n) => n !== 'latest');
    expect(sets).toHaveLength(2);
    for (const s of sets) expect(readdirSync(join(root, s)).sort()).toEqual(FILES);
    expect(sets.map((s) => seeds(join(root, s))[0]).sort()).toEqual([1, 2]);
    expect(sets).toContain(readlinkSync(join(root, 'latest')));
  });
});
