import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/platform/index.ts';
import { commonParamSpecs } from '../../src/workloads/index.ts';
import { UsageError } from './errors.ts';
import { parseInterval, parseOptionNumber } from './numbers.ts';
import { formatProgress } from './progress.ts';

const x86 = loadProfile('fiasco-oc-x86_64'); // 3.4 GHz

describe('parseInterval', () => {
  it('takes whole cycles, with separators and suffixes', () => {
    expect(parseInterval('34000000', x86)).toBe(34_000_000);
    expect(parseInterval('34_000_000', x86)).toBe(34_000_000);
    expect(parseInterval('34M', x86)).toBe(34_000_000);
  });

  it('converts times to whole cycles with the profile clock', () => {
    expect(parseInterval('10ms', x86)).toBe(34_000_000);
    expect(parseInterval('500us', x86)).toBe(1_700_000);
    expect(parseInterval('500µs', x86)).toBe(1_700_000);
    expect(parseInterval('2s', x86)).toBe(6_800_000_000);
    expect(parseInterval('250ns', x86)).toBe(850);
    expect(parseInterval('0.3ns', x86)).toBe(1); // 1.02 cycles, rounded to nearest
  });

  it('refuses malformed words, fractions of cycles and zero', () => {
    for (const w of ['', 'ms', '10 parsecs', '1.5', '0', '-5ms', '0.01ns']) {
      expect(() => parseInterval(w, x86), w).toThrow(UsageError);
    }
  });
});

describe('parseOptionNumber', () => {
  it('checks against the declaration and names the option', () => {
    expect(parseOptionNumber('pages', commonParamSpecs.pages, '16Ki')).toBe(16384);
    expect(() => parseOptionNumber('pages', commonParamSpecs.pages, '1.5')).toThrow(
      /--pages must be an integer/,
    );
    expect(() => parseOptionNumber('pages', commonParamSpecs.pages, 'many')).toThrow(
      /--pages: 'many' is not a number/,
    );
  });
});

describe('formatProgress', () => {
  it('shows runs done of total and the remaining time at the rate so far', () => {
    expect(formatProgress(0, 28, 500)).toBe('[------------------------]  0/28 runs  ETA ?');
    expect(formatProgress(7, 28, 3000)).toBe('[######------------------]  7/28 runs  ETA 9s');
    expect(formatProgress(1, 100, 2000)).toMatch(/ETA 3m18s$/);
  });
});
