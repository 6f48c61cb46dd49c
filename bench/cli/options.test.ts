/**
 * The command line follows the command and option tables: each kind of
 * option parses as declared, a command refuses options it does not take,
 * and every option names commands that exist.
 */
import { describe, expect, it } from 'vitest';
import { commonParamSpecs } from '../../src/workloads/index.ts';
import { COMMANDS, optionsOf, parseCommandLine } from './commands.ts';
import { UsageError } from './errors.ts';
import { COMMON_OPTIONS, OPTIONS, type OptionDecl, optionName } from './options.ts';

function parse(args: string[]) {
  const parsed = parseCommandLine(args, 'test');
  if (parsed.kind !== 'command') throw new Error(`printed ${parsed.text}`);
  return parsed;
}

describe('the command line', () => {
  it('parses every kind of option as its declaration says', () => {
    const { command, call } = parse([
      '--strategy=oracle',
      '--strategy',
      'kernel-log',
      '--set',
      'theta=0.8',
      '--set=granularity=4',
      '-q',
      '--format=json',
      '--out=',
      '--write-ratio',
      '0.25',
    ]);
    expect(command.name).toBe('run');
    const o = call.options as Record<string, unknown>;
    expect(o['strategy']).toBe('kernel-log'); // a word: the last one given
    expect(o['set']).toEqual(['theta=0.8', 'granularity=4']); // words: every one
    expect(o['quiet']).toBe(true);
    expect(o['format']).toBe('json');
    expect(o['out']).toBe(''); // an empty path stays empty: the output checks refuse it
    expect(o['exportJson']).toBeUndefined();
    expect(o['common']).toEqual({ writeRatio: '0.25' });
    expect(parse([]).call.options).toMatchObject({ format: 'table', quiet: false, set: [], common: {} });
  });

  it('gives every declared option of a command a field, and no other', () => {
    const fields = Object.keys(parse([]).call.options).sort();
    const declared = optionsOf('run')
      .filter(([, d]) => !('key' in d))
      .map(([name]) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
    expect(fields).toEqual([...declared, 'common'].sort());
  });

  it('refuses an option the command does not take, and an unknown command', () => {
    expect(parse(['list']).command.name).toBe('list');
    expect(() => parseCommandLine(['list', '--pages=3'], 'test')).toThrow(UsageError);
    expect(() => parseCommandLine(['list', '--pages=3'], 'test')).toThrow(/Unknown argument: pages/);
    expect(() => parseCommandLine(['lst'], 'test')).toThrow(/Unknown argument: lst/);
  });

  it('declares every option for commands that exist, and the common workload options from src/workloads', () => {
    const names = new Set(COMMANDS.map((c) => c.name));
    for (const [option, d] of Object.entries({ ...OPTIONS, ...COMMON_OPTIONS }) as [string, OptionDecl][]) {
      for (const c of d.commands) expect(names.has(c), `--${option} names command ${c}`).toBe(true);
    }
    expect(Object.keys(COMMON_OPTIONS)).toEqual(Object.keys(commonParamSpecs).map(optionName));
  });
});
