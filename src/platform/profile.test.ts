import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/temp.ts';
import { loadProfile, PROFILE_NAMES, PROFILE_SCHEMA, parseProfile, profileFieldRows } from './profile.ts';

const shipped = (name: string) =>
  JSON.parse(readFileSync(new URL(`./profiles/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;

describe('cost profiles', () => {
  it.each(PROFILE_NAMES)('ships %s with every schema field and a source for each', (name) => {
    const p = loadProfile(name);
    expect(p.name).toBe(name);
    for (const row of profileFieldRows()) expect(p.sources[row.path]?.length).toBeGreaterThan(0);
    expect(Object.keys(p.sources)).toHaveLength(profileFieldRows().length);
  });

  it('marks ARMv7 Fiasco.OC as reporting no dirty status on unmap, and x86 as reporting it', () => {
    expect(loadProfile('fiasco-oc-armv7').capabilities.hardwareDirtyBits).toBe(false);
    expect(loadProfile('fiasco-oc-x86_64').capabilities.hardwareDirtyBits).toBe(true);
  });

  it('takes the IPC figures from l4re.org/perf', () => {
    expect(loadProfile('fiasco-oc-x86_64').kernel.ipcOneWay).toBe(1395);
    expect(loadProfile('fiasco-oc-armv7').kernel.ipcOneWay).toBe(691);
    expect(loadProfile('fiasco-oc-x86_64').sources['kernel.ipcOneWay']).toMatch(/l4re\.org\/perf/);
  });

  it('refuses a missing figure, naming the field', () => {
    const json = shipped('fiasco-oc-x86_64');
    delete json['kernel']!['ipcOneWay'];
    expect(() => parseProfile(json, 'test')).toThrow('profile test: kernel.ipcOneWay is missing');
  });

  it('refuses a negative figure, naming the field and the value', () => {
    const json = shipped('fiasco-oc-x86_64');
    json['mmu']!['pageWalk'] = { value: -3, source: 'assumed: test' };
    expect(() => parseProfile(json, 'test')).toThrow(
      'profile test: mmu.pageWalk.value must not be negative, got -3',
    );
  });

  it('refuses a figure without a source', () => {
    const json = shipped('fiasco-oc-x86_64');
    json['core']!['attachWork'] = { value: 10 };
    expect(() => parseProfile(json, 'test')).toThrow(/core\.attachWork has no source/);
    json['core']!['attachWork'] = { value: 10, source: '  ' };
    expect(() => parseProfile(json, 'test')).toThrow(/core\.attachWork has no source/);
  });

  it('refuses fractional cycles, a flag that is not boolean, an unknown field and a missing section', () => {
    const a = shipped('fiasco-oc-x86_64');
    a['kernel']!['syscall'] = { value: 1.5, source: 'x' };
    expect(() => parseProfile(a, 't')).toThrow(/kernel\.syscall\.value must be an integer/);
    const b = shipped('fiasco-oc-x86_64');
    b['capabilities']!['readOnlyAttach'] = { value: 'yes', source: 'x' };
    expect(() => parseProfile(b, 't')).toThrow(/capabilities\.readOnlyAttach\.value must be true or false/);
    const c = shipped('fiasco-oc-x86_64');
    c['kernel']!['ipcTwoWay'] = { value: 1, source: 'x' };
    expect(() => parseProfile(c, 't')).toThrow(/kernel\.ipcTwoWay is not a known field/);
    const d = shipped('fiasco-oc-x86_64');
    delete d['memory'];
    expect(() => parseProfile(d, 't')).toThrow(/profile t: memory is missing/);
  });

  it('refuses figures too large to sum exactly over a run, naming the field and the bound', () => {
    const json = shipped('fiasco-oc-x86_64');
    json['mmu']!['pageWalk'] = { value: Number.MAX_SAFE_INTEGER, source: 'assumed: test' };
    expect(() => parseProfile(json, 'test')).toThrow(
      'profile test: mmu.pageWalk.value must be <= 4294967296 (2^32 cycles, see src/platform/exact.ts), got 9007199254740991',
    );
    /** [section, field, largest accepted value]. */
    const limits: [string, string, number][] = [
      ['mmu', 'pageWalk', 2 ** 32],
      ['checkpointer', 'copyPage', 2 ** 32],
      ['memory', 'rmSessionQuotaBytes', 2 ** 20],
      ['mmu', 'tlbFlushThresholdPages', 2 ** 29],
      ['core', 'maxMapOrder', 29],
      ['mmu', 'superpageOrder', 20],
    ];
    for (const [section, field, max] of limits) {
      const j = shipped('fiasco-oc-x86_64');
      j[section]![field] = { value: max + 1, source: 'assumed: test' };
      expect(() => parseProfile(j, 'test')).toThrow(`${section}.${field}.value must be <= ${max} (`);
      j[section]![field] = { value: max, source: 'assumed: test' };
      expect(() => parseProfile(j, 'test')).not.toThrow();
    }
  });

  it('bounds every cost figure the schema declares to 2^32 cycles and every byte figure to 2^20, new ones included', () => {
    const bounded = profileFieldRows().filter((r) => r.kind === 'cycles' || r.kind === 'bytes');
    // The figures issue 10 added (superpages aside): cache maintenance, the dirty ring, bitmaps.
    for (const added of [
      'kernel.cacheMaintenancePerLine',
      'cpu.ringEntry',
      'cpu.bitmapScanPerWord',
      'cpu.cacheLineBytes',
    ])
      expect(bounded.map((r) => r.path)).toContain(added);
    for (const { path, kind } of bounded) {
      const [section, field] = path.split('.') as [string, string];
      const max = kind === 'cycles' ? 2 ** 32 : 2 ** 20;
      const j = shipped('fiasco-oc-x86_64');
      j[section]![field] = { value: max + 1, source: 'assumed: test' };
      expect(() => parseProfile(j, 'test'), path).toThrow(`${path}.value must be <= ${max} (`);
    }
  });

  it('refuses an unknown key at every level with the same message: top, section and figure', () => {
    const top = shipped('fiasco-oc-x86_64');
    top['tlb'] = {} as never;
    expect(() => parseProfile(top, 't')).toThrow(
      'profile t: tlb is not a known field (known: name, description, arch, cpu, mmu, kernel, core, checkpointer, capabilities, memory)',
    );
    const section = shipped('fiasco-oc-x86_64');
    section['kernel']!['ipcTwoWay'] = { value: 1, source: 'x' };
    expect(() => parseProfile(section, 't')).toThrow(
      /^profile t: kernel\.ipcTwoWay is not a known field \(known: pageFaultTrap, /,
    );
    const figure = shipped('fiasco-oc-x86_64');
    figure['mmu']!['pageWalk'] = { value: 30, source: 'x', sorce: 'typo' };
    expect(() => parseProfile(figure, 't')).toThrow(
      'profile t: mmu.pageWalk.sorce is not a known field (known: value, source)',
    );
  });

  it('reads a profile file that starts with a UTF-8 byte order mark', () => {
    const file = join(tempDir('dirtybench-profile-bom-'), 'bom.json');
    writeFileSync(file, `\uFEFF${JSON.stringify(shipped('linux-x86_64'))}`);
    expect(readFileSync(file)[0]).toBe(0xef);
    expect(loadProfile(file).name).toBe('linux-x86_64');
  });

  it('refuses a TLB geometry without a power-of-two number of sets', () => {
    const json = shipped('fiasco-oc-x86_64');
    json['mmu']!['tlbWays'] = { value: 5, source: 'x' };
    expect(() => parseProfile(json, 't')).toThrow(/mmu\.tlbWays must divide/);
  });

  it('refuses hardware dirty status on unmap without an MMU that sets dirty bits', () => {
    const json = shipped('fiasco-oc-armv7');
    json['capabilities']!['hardwareDirtyBits'] = { value: true, source: 'x' };
    expect(() => parseProfile(json, 't')).toThrow(
      /capabilities\.hardwareDirtyBits needs mmu\.hardwareDirtyBit/,
    );
  });

  it('names the shipped profiles when asked for an unknown one, and loads a profile by path', () => {
    expect(() => loadProfile('fiasco-oc-risc')).toThrow(
      "unknown profile 'fiasco-oc-risc' (shipped: fiasco-oc-x86_64, fiasco-oc-armv7, linux-x86_64",
    );
    const dir = tempDir('dirtybench-profile-');
    const json = shipped('linux-x86_64');
    json['name'] = 'my-linux' as never;
    writeFileSync(join(dir, 'p.json'), JSON.stringify(json));
    expect(loadProfile(join(dir, 'p.json')).name).toBe('my-linux');
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    expect(() => loadProfile(join(dir, 'bad.json'))).toThrow(/bad\.json: not valid JSON/);
    expect(() => loadProfile(join(dir, 'none.json'))).toThrow(/none\.json: cannot read \(ENOENT\)/);
  });

  describe('a cost figure given as a distribution', () => {
    const withWalk = (figure: unknown) => {
      const json = shipped('linux-x86_64');
      json['mmu']!['pageWalk'] = figure;
      return json;
    };
    const walk = { p0: 20, p50: 30, p99: 400, 'p99.9': 900, max: 5000 };

    it('loads its quantiles, and keeps its maximum where a constant keeps its value (what bounds read)', () => {
      const p = parseProfile(withWalk({ distribution: walk, source: 'npm run calibrate' }), 't');
      expect(p.mmu.pageWalk).toBe(5000);
      expect(p.distributions).toEqual({
        'mmu.pageWalk': { p: [0, 0.5, 0.99, 0.999, 1], cycles: [20, 30, 400, 900, 5000] },
      });
      expect(p.sources['mmu.pageWalk']).toBe('npm run calibrate');
      expect(loadProfile('linux-x86_64').distributions).toEqual({});
    });

    it('takes the quantiles in any order', () => {
      const p = parseProfile(withWalk({ distribution: { max: 9, p0: 1, p50: 5 }, source: 's' }), 't');
      expect(p.distributions!['mmu.pageWalk']).toEqual({ p: [0, 0.5, 1], cycles: [1, 5, 9] });
    });

    it.each([
      [{ distribution: { p50: 30, max: 40 }, source: 's' }, /mmu\.pageWalk\.distribution needs p0 and max/],
      [{ distribution: { p0: 30, p50: 40 }, source: 's' }, /needs p0 and max/],
      [
        { distribution: { p0: 30, p50: 20, max: 40 }, source: 's' },
        /must not decrease: p50 is 20, below p0 \(30\)/,
      ],
      [{ distribution: { p0: 30, p50: 31.5, max: 40 }, source: 's' }, /p50 must be a whole number of cycles/],
      [{ distribution: { p0: -1, max: 40 }, source: 's' }, /p0 must be a whole number of cycles >= 0/],
      [
        { distribution: { p0: 1, median: 2, max: 40 }, source: 's' },
        /distribution\.median is not a quantile/,
      ],
      [{ distribution: { p0: 1, p100: 2, max: 40 }, source: 's' }, /distribution\.p100 is not a quantile/],
      [{ distribution: { p0: 1, 'p50.0': 2, p50: 3, max: 40 }, source: 's' }, /names one quantile twice/],
      [{ distribution: [1, 2], source: 's' }, /distribution must be \{ "p0"/],
      [{ distribution: walk, value: 30, source: 's' }, /has both a value and a distribution/],
      [{ distribution: walk, n: 30, source: 's' }, /mmu\.pageWalk\.n is not a known key/],
      [{ distribution: walk }, /mmu\.pageWalk has no source/],
      [
        { distribution: { p0: 1, max: 2 ** 32 + 1 }, source: 's' },
        /mmu\.pageWalk\.distribution\.max must be <= 4294967296 \(2\^32 cycles/,
      ],
    ])('refuses %j, naming the figure', (figure, message) => {
      expect(() => parseProfile(withWalk(figure), 't')).toThrow(message);
    });

    it('is refused for a figure that is not a cost (a count, a flag, a clock)', () => {
      const json = shipped('linux-x86_64');
      json['mmu']!['tlbEntries'] = { distribution: { p0: 1, max: 2 }, source: 's' };
      expect(() => parseProfile(json, 't')).toThrow(
        'profile t: mmu.tlbEntries is a count: only cost figures (cycles) may be distributions',
      );
    });
  });

  it('declares every schema field with a doc line', () => {
    for (const fields of Object.values(PROFILE_SCHEMA)) {
      for (const spec of Object.values(fields)) expect(spec.doc.length).toBeGreaterThan(10);
    }
  });
});
