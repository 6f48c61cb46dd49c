/**
 * Helpers for tests of the platform and of strategies: shipped profiles with
 * some figures changed, and a machine with B's memory set up as a plain
 * component has it.
 */
import { readFileSync } from 'node:fs';
import { Phase } from './clock.ts';
import { createPlatform, type Platform } from './platform.ts';
import { type CostProfile, loadProfile, parseProfile } from './profile.ts';
import type { CostStreams, RandomStream } from './sampling.ts';

type Overrides = {
  [S in keyof CostProfile]?: CostProfile[S] extends object ? Partial<CostProfile[S]> : never;
};

/**
 * A shipped profile (or a loaded one) with some figures replaced by
 * constants (sources kept; a replaced figure's distribution dropped; for
 * tests only).
 */
export function profileWith(name: string | CostProfile, overrides: Overrides = {}): CostProfile {
  const base = typeof name === 'string' ? loadProfile(name) : name;
  const distributions = { ...base.distributions };
  const out: Record<string, unknown> = { ...base, distributions };
  for (const [section, values] of Object.entries(overrides)) {
    out[section] = { ...(base as unknown as Record<string, object>)[section], ...values };
    for (const field of Object.keys(values as object)) delete distributions[`${section}.${field}`];
  }
  return out as CostProfile;
}

/**
 * A shipped profile with some cost figures given as distributions instead
 * (`section.field` → quantile name → cycles, as in a profile's JSON), loaded
 * through `parseProfile` (for tests only).
 */
export function profileWithDistributions(
  name: string,
  figures: Record<string, Record<string, number>>,
): CostProfile {
  const json = JSON.parse(readFileSync(new URL(`./profiles/${name}.json`, import.meta.url), 'utf8'));
  for (const [path, distribution] of Object.entries(figures)) {
    const [section, field] = path.split('.') as [string, string];
    json[section][field] = { distribution, source: 'assumed: a test distribution' };
  }
  return parseProfile(json, `${name} with distributions`);
}

/**
 * Cost streams for platform tests (a run's come from src/run/cost-streams.ts,
 * which the platform may not import): figure f's stream is the Weyl sequence
 * of the golden ratio from f, equidistributed, which is what quantile tests need.
 */
export function weylStreams(figure: number): RandomStream {
  let x = figure;
  return { u32: () => (x = (x + 0x9e3779b9) >>> 0) };
}

/**
 * A platform whose B has one RAM dataspace of `pages` pages attached and every
 * page written once (setup phase). B's entries are 4 KiB pages unless
 * `superpages` (then core maps the dataspace as a plain component's, in
 * superpages where the profile and the region allow).
 */
export function plainPlatform(
  profile: CostProfile,
  pages: number,
  {
    touch = true,
    superpages = false,
    streams = weylStreams,
  }: { touch?: boolean; superpages?: boolean; streams?: CostStreams } = {},
): Platform {
  const platform = createPlatform(profile, pages, streams);
  platform.clock.phase = Phase.setup;
  const ds = platform.core.allocRam(pages, !superpages);
  platform.core.attach(platform.core.root, ds, 0);
  if (touch) for (let p = 0; p < pages; p++) platform.mmu.access(p, true);
  platform.clock.phase = Phase.run;
  return platform;
}
