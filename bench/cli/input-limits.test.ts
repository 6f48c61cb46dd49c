/**
 * Inputs that used to run and give wrong figures, hang, or crash with a
 * RangeError: each now exits 2 with one line saying what is wrong, and
 * writes nothing (shared/contract.md).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRACE_CACHE_ENV } from '../../src/workloads/index.ts';
import { accessFreeTraces } from '../../src/workloads/testing.ts';
import { runCli, SMALL, tempDir } from './testing.ts';

const dir = tempDir();
// The CLI children inherit a trace cache of this file's own, removed with `dir`.
process.env[TRACE_CACHE_ENV] = join(dir, 'trace-cache');

const { empty: emptyTrace, noTraceMem, zeroPages: zeroPageTrace } = await accessFreeTraces(dir);

/** A copy of a shipped profile with `change` applied to its JSON, written to `dir`. */
function profileFile(name: string, change: (json: Record<string, Record<string, unknown>>) => void): string {
  const json = JSON.parse(
    readFileSync(new URL(`../../src/platform/profiles/fiasco-oc-x86_64.json`, import.meta.url), 'utf8'),
  );
  change(json);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

const hugeWalk = profileFile('huge-walk', (j) => {
  j['mmu']!['pageWalk'] = { value: Number.MAX_SAFE_INTEGER, source: 'assumed: test' };
});

/** [what, arguments, text the message must contain]. */
const CASES: [string, string[], RegExp][] = [
  [
    'compute cycles of 2^53 − 1 per access',
    ['--compute-cycles=9007199254740991'],
    /--compute-cycles must be an integer >= 0 and <= 4294967296 \(cycles\), got '9007199254740991'/,
  ],
  [
    'compute that alone passes 2^53 − 1 cycles',
    ['--strategy=oracle', '--workload=uniform', '--compute-cycles=4Gi', '--accesses=4M'],
    /uniform: accesses × computeCycles = 4000000 × 4294967296 cycles of compute alone pass 2\^53 − 1/,
  ],
  [
    'a profile whose page walk costs 2^53 − 1 cycles',
    ['--profile', hugeWalk, '--strategy=managed-dataspace', '--workload=periodic'],
    /profile .*huge-walk\.json: mmu\.pageWalk\.value must be <= 4294967296 \(2\^32 cycles/,
  ],
  [
    'a periodic task whose last release passes 2^53 − 1 cycles',
    ['--workload=periodic', '--set', 'periodCycles=2251799813685248', '--accesses=10000'],
    /periodic: the last job is released at \(10 − 1\) × periodCycles = \d+ cycles, past 2\^53 − 1/,
  ],
  [
    'an empty trace file',
    ['--trace', emptyTrace],
    /trace: .*empty\.lackey is empty: it holds no memory accesses to replay/,
  ],
  [
    'a lackey log recorded without --trace-mem=yes',
    ['--trace', noTraceMem],
    /trace: .*no-trace-mem\.lackey holds no memory accesses \(2 lines, none an access; lackey prints them only when run with --trace-mem=yes\)/,
  ],
  [
    'a page trace of 0 pages',
    ['--trace', zeroPageTrace],
    /trace: .*zero\.pgtrace is empty: it holds no memory accesses to replay/,
  ],
  [
    '--trace together with --set file=',
    ['--trace', noTraceMem, '--set', `file=${emptyTrace}`],
    /--trace and --set file=… both name the trace to replay; give one/,
  ],
];

describe.concurrent('inputs that used to give wrong figures, hang or crash exit 2 and write nothing', () => {
  for (const [what, args, message] of CASES) {
    it(what, async () => {
      const slug = what.replace(/\W+/g, '-');
      const results = join(dir, `results-${slug}`);
      const out = join(dir, `out-${slug}`);
      const r = await runCli([...SMALL, ...args, '--out', out], results);
      expect(r.stderr).toMatch(/^dirtybench: [^\n]+\n$/);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
      expect(existsSync(results)).toBe(false);
    });
  }
});
