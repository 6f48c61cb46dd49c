/**
 * Helpers for tests of the platform and of strategies: shipped profiles with
 * some figures changed, and a machine with B's memory set up as a plain
 * component has it.
 */
import { Phase } from './clock.ts';
import { createPlatform, type Platform } from './platform.ts';
import { type CostProfile, loadProfile } from './profile.ts';

type Overrides = {
  [S in keyof CostProfile]?: CostProfile[S] extends object ? Partial<CostProfile[S]> : never;
};

/** A shipped profile with some figures replaced (sources kept; for tests only). */
export function profileWith(name: string, overrides: Overrides = {}): CostProfile {
  const base = loadProfile(name);
  const out: Record<string, unknown> = { ...base };
  for (const [section, values] of Object.entries(overrides)) {
    out[section] = { ...(base as unknown as Record<string, object>)[section], ...values };
  }
  return out as CostProfile;
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
  { touch = true, superpages = false }: { touch?: boolean; superpages?: boolean } = {},
): Platform {
  const platform = createPlatform(profile, pages);
  platform.clock.phase = Phase.setup;
  const ds = platform.core.allocRam(pages, !superpages);
  platform.core.attach(platform.core.root, ds, 0);
  if (touch) for (let p = 0; p < pages; p++) platform.mmu.access(p, true);
  platform.clock.phase = Phase.run;
  return platform;
}
