/**
 * Typed parameter declarations shared by strategies and workloads.
 *
 * Every tunable of a strategy or a workload is declared once, as data: a type,
 * a default, a one-line doc, and its valid range. `list`, `--help`, `--set`
 * parsing, validation and the `param_*` result columns are all generated from
 * these declarations (gem5-style), never written twice.
 *
 * This module imports nothing: strategies, workloads and the runner all depend
 * on it, and it depends on none of them.
 */

/** A parameter declaration. */
export type ParamSpec = IntegerParam | NumberParam | BooleanParam | EnumParam | StringParam;

interface ParamBase {
  /** One sentence a user reads in `list` and `--help`. */
  readonly doc: string;
  /** Unit shown next to the value (e.g. `pages`, `cycles`), if any. */
  readonly unit?: string;
}

/** A whole number (safe integer) in [min, max]. */
export interface IntegerParam extends ParamBase {
  readonly type: 'integer';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
}

/** A real number; `min` may be exclusive (e.g. θ > 0). */
export interface NumberParam extends ParamBase {
  readonly type: 'number';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  /** When true, `min` itself is not allowed. */
  readonly minExclusive?: boolean;
}

export interface BooleanParam extends ParamBase {
  readonly type: 'boolean';
  readonly default: boolean;
}

/**
 * One of a fixed set of words. Declared `as const`, its value is typed as the
 * union of those words (`'linear' | 'indexed'`), so no user narrows it by hand.
 */
export interface EnumParam<V extends string = string> extends ParamBase {
  readonly type: 'enum';
  readonly values: readonly V[];
  readonly default: NoInfer<V>;
}

/** Free text, e.g. a file path. An empty default means "not given". */
export interface StringParam extends ParamBase {
  readonly type: 'string';
  readonly default: string;
}

/** A set of declarations keyed by parameter name (the `--set` key). */
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** The value type a declaration produces: an enum's own words, a boolean, a string, or a number. */
export type ParamValue<S extends ParamSpec> = S extends BooleanParam
  ? boolean
  : S extends EnumParam<infer V>
    ? V
    : S extends StringParam
      ? string
      : number;

/** Resolved values for a set of declarations. */
export type ParamValues<S extends ParamSpecs> = { -readonly [K in keyof S]: ParamValue<S[K]> };

/** Raised for any bad parameter; the message names the owner, the key, and what is accepted. */
export class ParamError extends Error {
  override name = 'ParamError';
}

/** Describes the accepted values of a declaration, for error messages and `list`. */
export function describeRange(spec: ParamSpec): string {
  switch (spec.type) {
    case 'integer':
    case 'number': {
      const kind = spec.type === 'integer' ? 'an integer' : 'a number';
      const lo =
        spec.min === undefined
          ? ''
          : spec.type === 'number' && spec.minExclusive
            ? `> ${spec.min}`
            : `>= ${spec.min}`;
      const hi = spec.max === undefined ? '' : `<= ${spec.max}`;
      const range = [lo, hi].filter((s) => s !== '').join(' and ');
      return range === '' ? kind : `${kind} ${range}`;
    }
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'string':
      return 'text';
  }
}

function reject(owner: string, key: string, spec: ParamSpec, got: unknown): never {
  throw new ParamError(
    `${owner}: parameter '${key}' must be ${describeRange(spec)}, got ${JSON.stringify(got)}`,
  );
}

/** Checks one value against its declaration and returns it in its proper type. */
export function checkParam(
  owner: string,
  key: string,
  spec: ParamSpec,
  value: unknown,
): ParamValue<ParamSpec> {
  switch (spec.type) {
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) reject(owner, key, spec, value);
      if (spec.type === 'integer' && !Number.isSafeInteger(value)) reject(owner, key, spec, value);
      if (spec.min !== undefined) {
        const exclusive = spec.type === 'number' && spec.minExclusive === true;
        if (exclusive ? value <= spec.min : value < spec.min) reject(owner, key, spec, value);
      }
      if (spec.max !== undefined && value > spec.max) reject(owner, key, spec, value);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') reject(owner, key, spec, value);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) reject(owner, key, spec, value);
      return value;
    case 'string':
      if (typeof value !== 'string') reject(owner, key, spec, value);
      return value;
  }
}

/**
 * Parses a command-line word into the declared type (for `--set KEY=VALUE`).
 * Numbers accept `_` separators and k/M/G (×1000) or Ki/Mi/Gi (×1024) suffixes.
 * @throws ParamError naming owner and key when the word is malformed or out of range.
 */
export function parseParamWord(
  owner: string,
  key: string,
  spec: ParamSpec,
  word: string,
): ParamValue<ParamSpec> {
  switch (spec.type) {
    case 'integer':
    case 'number': {
      const n = parseNumberWord(word);
      if (n === undefined) reject(owner, key, spec, word);
      return checkParam(owner, key, spec, n);
    }
    case 'boolean': {
      const w = word.toLowerCase();
      if (w === 'true' || w === '1' || w === 'yes') return true;
      if (w === 'false' || w === '0' || w === 'no') return false;
      return reject(owner, key, spec, word);
    }
    case 'enum':
    case 'string':
      return checkParam(owner, key, spec, word);
  }
}

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

/** Parses `1000`, `1_000`, `1e6`, `0.5`, `64Ki`, `10M`; undefined when malformed. */
export function parseNumberWord(word: string): number | undefined {
  const m = /^\s*([+-]?(?:\d[\d_]*)(?:\.\d+)?(?:[eE][+-]?\d+)?|[+-]?\.\d+)\s*(k|K|M|G|Ki|Mi|Gi)?\s*$/.exec(
    word,
  );
  if (!m) return undefined;
  const n = Number(m[1]!.replaceAll('_', '')) * SUFFIX[m[2] ?? '']!;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Resolves given values against declarations: fills defaults, validates every
 * value, and refuses keys that are not declared.
 * @throws ParamError on an unknown key (listing the declared ones) or a bad value.
 * @example resolveParams('zipf', { theta: { type: 'number', default: 0.99, doc: '…' } }, { theta: 0.8 })
 */
export function resolveParams<S extends ParamSpecs>(
  owner: string,
  specs: S,
  given: Readonly<Record<string, unknown>> = {},
): ParamValues<S> {
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(specs, key)) {
      const known = Object.keys(specs);
      throw new ParamError(
        `${owner}: unknown parameter '${key}' (${known.length ? `accepted: ${known.join(', ')}` : 'it takes none'})`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const value = Object.hasOwn(given, key) ? given[key] : spec.default;
    out[key] = checkParam(owner, key, spec, value);
  }
  return out as ParamValues<S>;
}
