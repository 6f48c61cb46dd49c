/**
 * Errors the platform raises. A `ModelError` means the model reached a state
 * the real system would not survive (a thread blocked forever, a misaligned
 * flexpage, an overlapping attach): a bug in a strategy or in the model, never
 * a result. A `CapabilityError` refuses a strategy where the platform lacks
 * what it needs, instead of emulating it silently.
 */
import type { Capability, CostProfile } from './profile.ts';

export class ModelError extends Error {
  override name = 'ModelError';
}

export class CapabilityError extends Error {
  override name = 'CapabilityError';
}

/**
 * @throws CapabilityError naming the capability, the profile and who needs it.
 * @example requireCapability(profile, 'hardwareDirtyBits', "strategy 'dirty-bit-scan'")
 */
export function requireCapability(profile: CostProfile, capability: Capability, who: string): void {
  if (!profile.capabilities[capability]) {
    throw new CapabilityError(
      `${who} needs capability '${capability}', which profile ${profile.name} lacks (${profile.sources[`capabilities.${capability}`]})`,
    );
  }
}
