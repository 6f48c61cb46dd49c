/** `list` and `--help` are generated from the declarations: every name and parameter appears. */
import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../../src/platform/index.ts';
import { strategies } from '../../src/strategies/index.ts';
import { commonParamSpecs, workloads } from '../../src/workloads/index.ts';
import { COMMANDS, DEFAULT_COMMAND, optionsOf } from './commands.ts';
import { optionName } from './options.ts';
import { runCli, tempDir } from './testing.ts';

describe.concurrent('list and --help', () => {
  const dir = tempDir();

  it('list shows every strategy, workload and profile with its parameters, defaults and docs', async () => {
    const r = await runCli(['list'], dir);
    expect(r.code).toBe(0);
    for (const owner of [...strategies, ...workloads]) {
      expect(r.stdout).toContain(`${owner.name} — ${owner.doc}`);
      for (const [key, spec] of Object.entries(owner.params)) {
        expect(r.stdout).toMatch(new RegExp(`^  ${key} +${spec.type} +default `, 'm'));
        expect(r.stdout).toContain(spec.doc);
      }
    }
    for (const key of Object.keys(commonParamSpecs)) expect(r.stdout).toContain(`--${optionName(key)}`);
    for (const name of PROFILE_NAMES) expect(r.stdout).toMatch(new RegExp(`^${name} — `, 'm'));
    expect(r.stdout).toContain('requires (at defaults): hardwareDirtyBits');
  });

  it('--help lists every option, strategy, workload and --set key', async () => {
    const r = await runCli(['--help'], dir);
    expect(r.code).toBe(0);
    const options = optionsOf('run').map(([name]) => name);
    expect(options).toEqual(expect.arrayContaining(['strategy', 'out', 'export-json', 'quiet']));
    expect(options).toEqual(expect.arrayContaining(Object.keys(commonParamSpecs).map(optionName)));
    for (const o of options) expect(r.stdout).toContain(`--${o}`);
    for (const c of COMMANDS.filter((c) => c.name !== DEFAULT_COMMAND)) expect(r.stdout).toContain(c.name);
    const flat = r.stdout.replace(/\s+/g, ' ');
    for (const owner of [...strategies, ...workloads]) {
      expect(flat).toContain(owner.name);
      for (const key of Object.keys(owner.params)) expect(flat).toContain(key);
    }
  });
});
