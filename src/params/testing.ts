/**
 * Property-test arbitraries generated from parameter declarations, so a test
 * over "any valid parameters" needs no generator written by hand and follows
 * a declaration when it changes (for tests only: it imports fast-check).
 */
import fc from 'fast-check';
import type { ParamSpec, ParamSpecs, ParamValue, ParamValues } from './params.ts';

/** How far a generated number may go past a declaration's minimum. */
export interface ArbitraryLimits {
  /**
   * Numbers are drawn from [min, min(max, min + span)] (min 0 when the
   * declaration has none), so a parameter declared up to 2^53 stays at a size
   * a test can run. Default 64.
   */
  span?: number;
}

/** Values a declaration accepts (free text is its default: a path cannot be invented). */
export function paramArbitrary<S extends ParamSpec>(
  spec: S,
  limits: ArbitraryLimits = {},
): fc.Arbitrary<ParamValue<S>> {
  const span = limits.span ?? 64;
  const arb = (): fc.Arbitrary<unknown> => {
    switch (spec.type) {
      case 'integer': {
        const min = spec.min ?? 0;
        return fc.integer({ min, max: Math.min(spec.max ?? Number.POSITIVE_INFINITY, min + span) });
      }
      case 'number': {
        const min = spec.min ?? 0;
        return fc.double({
          min,
          max: Math.min(spec.max ?? Number.POSITIVE_INFINITY, min + span),
          minExcluded: spec.minExclusive === true,
          noNaN: true,
        });
      }
      case 'boolean':
        return fc.boolean();
      case 'enum':
        return fc.constantFrom(...spec.values);
      case 'string':
        return fc.constant(spec.default);
    }
  };
  return arb() as fc.Arbitrary<ParamValue<S>>;
}

/** Every parameter of `specs` at once, as `resolveParams` would return them. */
export function paramsArbitrary<S extends ParamSpecs>(
  specs: S,
  limits: ArbitraryLimits = {},
): fc.Arbitrary<ParamValues<S>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, spec] of Object.entries(specs)) fields[key] = paramArbitrary(spec, limits);
  return fc.record(fields) as unknown as fc.Arbitrary<ParamValues<S>>;
}
