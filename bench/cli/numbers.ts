/**
 * Numbers as users type them: `16384`, `16_384`, `16Ki`, `1M`, `0.3`, and
 * checkpoint intervals either in cycles or as a time (`10ms`, `500us`, `2s`,
 * `250ns`) converted with the profile's clock. Ranges come from the
 * parameter declarations, so an error says what is accepted.
 */
import {
  checkParam,
  describeRange,
  type IntegerParam,
  type NumberParam,
  ParamError,
  parseNumberWord,
} from '../../src/params/params.ts';
import type { CostProfile } from '../../src/platform/index.ts';
import { UsageError } from './errors.ts';

/** How numbers may be written, for error messages and `--help`. */
export const NUMBER_SYNTAX = '`_` separators and k/M/G (x1000) or Ki/Mi/Gi (x1024) suffixes allowed';

/**
 * Parses the word given for option `--<option>` against its declaration.
 * @throws UsageError naming the option, the word and what is accepted.
 * @example parseOptionNumber('pages', commonParamSpecs.pages, '16Ki') // 16384
 */
export function parseOptionNumber(option: string, spec: IntegerParam | NumberParam, word: string): number {
  const n = parseNumberWord(word);
  const accepted = `${describeRange(spec)}${spec.unit ? ` (${spec.unit})` : ''}`;
  if (n === undefined) {
    throw new UsageError(`--${option}: '${word}' is not a number; expected ${accepted}, ${NUMBER_SYNTAX}`);
  }
  try {
    return checkParam(option, option, spec, n) as number;
  } catch (e) {
    if (e instanceof ParamError) throw new UsageError(`--${option} must be ${accepted}, got '${word}'`);
    throw e;
  }
}

/** Time units an interval may be given in, as seconds per unit. */
const TIME_UNITS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1 };

/** The accepted forms of `--interval`, for messages and `--help`. */
export const INTERVAL_SYNTAX = 'whole cycles (e.g. 34M) or a time: 10ms, 500us, 2s, 250ns';

/**
 * Parses a checkpoint interval (or another span of target time, given as
 * `--<option>`, of at least `min` cycles): a whole number of cycles, or a
 * time converted to whole cycles (rounded to nearest) with the profile's
 * `cpu.hz`.
 * @throws UsageError when malformed or below `min` cycles.
 * @example parseInterval('10ms', profile) // 34000000 at 3.4 GHz
 */
export function parseInterval(word: string, profile: CostProfile, option = 'interval', min = 1): number {
  const m = /^(.*?)(ns|us|µs|ms|s)$/.exec(word.trim());
  const value = parseNumberWord(m ? m[1]! : word);
  if (value === undefined) {
    throw new UsageError(
      `--${option}: '${word}' is not ${option === 'interval' ? 'an interval' : 'a span of time'}; expected ${INTERVAL_SYNTAX}`,
    );
  }
  const cycles = m ? Math.round(value * TIME_UNITS[m[2]!]! * profile.cpu.hz) : value;
  if (!Number.isSafeInteger(cycles) || cycles < min) {
    throw new UsageError(
      `--${option} must be at least ${min === 1 ? 'one cycle' : `${min} cycles`} and a whole number of cycles, got '${word}'${m ? ` (= ${cycles} cycles at ${profile.cpu.hz} Hz on ${profile.name})` : ''}; expected ${INTERVAL_SYNTAX}`,
    );
  }
  return cycles;
}
