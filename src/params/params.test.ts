import { describe, expect, expectTypeOf, it } from 'vitest';
import { ParamError, type ParamValues, resolveParams } from './params.ts';

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
