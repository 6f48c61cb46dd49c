/**
 * Bad input (shared/contract.md): one clear line on stderr naming what was
 * wrong and what is accepted, exit code 2, and no result file or directory.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, SMALL, tempDir } from './testing.ts';

const dir = tempDir();
const badProfile = join(dir, 'bad-profile.json');
writeFileSync(badProfile, JSON.stringify({ name: 'broken', description: 'no sections', arch: 'x86_64' }));
const notJson = join(dir, 'not-json.json');
writeFileSync(notJson, '{ "name": ');

/** [what, arguments, text the message must contain]. */
const CASES: [string, string[], RegExp][] = [
  [
    'unknown strategy',
    ['--strategy=fault-notify,nope'],
    /unknown strategy 'nope' \(valid: full-copy, oracle, .*kernel-log, adaptive, or all\)/,
  ],
  [
    'unknown workload',
    ['--workload=zipfian'],
    /unknown workload 'zipfian' \(valid: sequential, uniform, zipf, .*trace, or all\)/,
  ],
  [
    'unknown profile',
    ['--profile=fiasco'],
    /unknown profile 'fiasco' \(shipped: fiasco-oc-x86_64, fiasco-oc-armv7, linux-x86_64/,
  ],
  ['malformed number', ['--pages=12x'], /--pages: '12x' is not a number; expected an integer >= 1/],
  [
    'out-of-range write ratio',
    ['--write-ratio=1.5'],
    /--write-ratio must be a number >= 0 and <= 1, got '1.5'/,
  ],
  ['zero pages', ['--pages=0'], /--pages must be an integer >= 1 .*got '0'/],
  [
    'malformed interval',
    ['--interval=10 parsecs'],
    /--interval: '10 parsecs' is not an interval; expected whole cycles/,
  ],
  [
    'phase not below the interval',
    ['--interval=1ms', '--phase=2ms'],
    /--phase must be below the interval \(3400000 cycles on fiasco-oc-x86_64\), got '2ms' \(= 6800000 cycles\)/,
  ],
  [
    'phase with an interval in accesses',
    ['--interval-accesses=100', '--phase=5'],
    /--phase and --interval-accesses cannot go together: give one/,
  ],
  [
    '--set key nobody declares',
    ['--set', 'granularity=16', '--strategy=fault-notify', '--workload=uniform'],
    /--set granularity: no selected strategy or workload declares 'granularity' \(accepted: rearm \(fault-notify\)\).*declared by managed-dataspace/,
  ],
  [
    '--set value out of range',
    ['--set', 'theta=0', '--workload=zipf'],
    /zipf: parameter 'theta' must be a number > 0, got 0/,
  ],
  ['--set without =', ['--set', 'theta'], /--set expects KEY=VALUE, got 'theta'/],
  [
    'missing capability',
    ['--strategy=dirty-bit-scan', '--profile=fiasco-oc-armv7'],
    /strategy 'dirty-bit-scan' needs capability 'hardwareDirtyBits', which profile fiasco-oc-armv7 lacks/,
  ],
  ['missing trace file', ['--trace', join(dir, 'no-such.lackey')], /trace: cannot read .*no-such\.lackey/],
  ['trace workload without a file', ['--workload=trace'], /trace: parameter 'file' is required/],
  [
    'malformed profile file',
    ['--profile', badProfile],
    /profile .*bad-profile\.json: cpu is missing or not an object/,
  ],
  ['profile file not JSON', ['--profile', notJson], /profile .*not-json\.json: not valid JSON/],
  [
    'missing profile file',
    ['--profile', join(dir, 'absent.json')],
    /profile .*absent\.json: cannot read \(ENOENT\)/,
  ],
  ['--seed with --seeds', ['--seed=1', '--seeds=1..3'], /--seed and --seeds cannot go together: give one/],
  [
    '--seeds range reversed',
    ['--seeds=5..2'],
    /--seeds '5..2': the range 5..2 is empty; expected a range A..B/,
  ],
  [
    'an interval in time and in accesses',
    ['--interval=1ms', '--interval-accesses=10k'],
    /--interval and --interval-accesses cannot go together: give one/,
  ],
  ['unknown option', ['--strategies=oracle'], /Unknown argument: strategies/],
  ['bad --format', ['--format=xml'], /format.*"xml".*Choices: "table", "json", "csv", "markdown"/],
  ['bad --copy-via', ['--copy-via=mmap'], /copy-via.*"mmap".*Choices: "attach", "mapped"/],
  ['bad --copy', ['--copy=fork'], /copy.*"fork".*Choices: "stop", "cow"/],
  [
    'copier option without --copy=cow',
    ['--strategy=oracle', '--copier-priority=above'],
    /--copier-priority is for --copy=cow/,
  ],
  ['bad --copier-slice', ['--strategy=oracle', '--copy=cow', '--copier-slice=soon'], /copier-slice/],
  [
    '--copy-via=attach without Genode',
    ['--strategy=oracle', '--copy-via=attach', '--profile=linux-x86_64'],
    /copy via attach needs capability 'managedDataspaces', which profile linux-x86_64 lacks/,
  ],
  [
    'export into a missing directory',
    ['--export-json', join(dir, 'absent', 'r.json')],
    /--export-json .*: directory .*absent does not exist/,
  ],
];

describe.concurrent('bad input exits 2 with one clear line and writes nothing', () => {
  for (const [what, args, message] of CASES) {
    it(what, async () => {
      const results = join(dir, `results-${what.replace(/\W+/g, '-')}`);
      const out = join(dir, `out-${what.replace(/\W+/g, '-')}`);
      const r = await runCli([...SMALL, ...args, '--out', out], results);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^dirtybench: [^\n]+\n$/);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(results)).toBe(false);
    });
  }
});
