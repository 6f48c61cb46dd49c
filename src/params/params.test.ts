import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ParamError, type ParamValues, resolveParams } from './params.ts';
import { paramsArbitrary } from './testing.ts';

const specs = {
  lookup: { type: 'enum', values: ['linear', 'indexed'], default: 'linear', doc: 'how to look up' },
  granularity: { type: 'integer', default: 1, min: 1, doc: 'pages per dataspace' },
  readOnlyFirst: { type: 'boolean', default: false, doc: 'attach read-only first' },
  file: { type: 'string', default: '', doc: 'an input file' },
} as const;

describe('parameter declarations', () => {
  it('type an enum parameter as its own words, so no user narrows a string by hand', () => {
    const p = resolveParams('demo', specs, { lookup: 'indexed' });
    expectTypeOf(p.lookup).toEqualTypeOf<'linear' | 'indexed'>();
    expectTypeOf(p.granularity).toEqualTypeOf<number>();
    expectTypeOf(p.readOnlyFirst).toEqualTypeOf<boolean>();
    expectTypeOf(p.file).toEqualTypeOf<string>();
    expectTypeOf<ParamValues<typeof specs>>().toEqualTypeOf<{
      lookup: 'linear' | 'indexed';
      granularity: number;
      readOnlyFirst: boolean;
      file: string;
    }>();
    expect(p).toEqual({ lookup: 'indexed', granularity: 1, readOnlyFirst: false, file: '' });
  });

  it('refuse a word an enum does not declare, naming the words it accepts', () => {
    expect(() => resolveParams('demo', specs, { lookup: 'hashed' })).toThrow(ParamError);
    expect(() => resolveParams('demo', specs, { lookup: 'hashed' })).toThrow(
      `demo: parameter 'lookup' must be one of linear, indexed, got "hashed"`,
    );
  });
});

describe('arbitraries generated from declarations', () => {
  const wide = {
    ...specs,
    theta: { type: 'number', default: 0.99, min: 0, minExclusive: true, doc: 'a skew' },
    huge: { type: 'integer', default: 5, min: 1, max: Number.MAX_SAFE_INTEGER, doc: 'a count' },
  } as const;

  it('draw only values the declarations accept, within the span past each minimum', () => {
    fc.assert(
      fc.property(paramsArbitrary(wide, { span: 10 }), (values) => {
        expect(resolveParams('demo', wide, values)).toEqual(values);
        expect(values.theta).toBeGreaterThan(0);
        expect(values.theta).toBeLessThanOrEqual(10);
        expect(values.huge).toBeLessThanOrEqual(11);
        expect(values.file).toBe('');
      }),
      { numRuns: 200, seed: 20261126 },
    );
  });
});
