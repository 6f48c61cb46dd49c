/**
 * Every strategy, by the name typed on the command line. Adding a strategy is
 * one folder (copy `full-copy/`) and one line here; a test or a strategy under
 * development can also register one at run time (`registerStrategy`).
 */
import type { ParamSpecs, ParamValues } from '../params/params.ts';
import type { Platform } from '../platform/index.ts';
import { adaptive } from './adaptive/index.ts';
import { dirtyBitScan } from './dirty-bit-scan/index.ts';
import { faultNotify } from './fault-notify/index.ts';
import { fullCopy } from './full-copy/index.ts';
import { kernelLog } from './kernel-log/index.ts';
import { managedDataspace } from './managed-dataspace/index.ts';
import { oracle } from './oracle/index.ts';
import { perPageRm } from './per-page-rm/index.ts';
import type { Strategy, StrategyDef, TrackerContext } from './types.ts';

const registered: StrategyDef[] = [
  fullCopy,
  oracle,
  managedDataspace,
  perPageRm,
  dirtyBitScan,
  faultNotify,
  kernelLog,
  adaptive,
];

/** Every registered strategy, in the order `list` and the default comparison show them. */
export const strategies: readonly StrategyDef[] = registered;

/** The strategy registered under `name`, or undefined. */
export function findStrategy(name: string): StrategyDef | undefined {
  return strategies.find((s) => s.name === name);
}

/**
 * Registers `def` under its name, after the shipped ones, for this process
 * (the CLI's worker threads see only what this file registers).
 * @throws Error when a strategy of that name is registered already.
 */
export function registerStrategy<S extends ParamSpecs>(def: StrategyDef<S>): void {
  if (findStrategy(def.name)) throw new Error(`a strategy named '${def.name}' is registered already`);
  registered.push(def as unknown as StrategyDef);
}

/**
 * Creates `def`'s instance on `platform`: hands it the tracker context (the
 * platform without its memory oracle), and the oracle only when `def`
 * declares `groundTruth: true`.
 */
export function createStrategy(
  def: StrategyDef,
  platform: Platform,
  params: ParamValues<ParamSpecs>,
): Strategy {
  const { costs, clock, kernel, core, pages } = platform;
  // The hooks charge the profile as the run draws it (sampling.ts); `bounds` gets the maxima.
  const ctx: TrackerContext = { profile: costs, clock, kernel, core, pages };
  return def.groundTruth === true
    ? def.create({ ...ctx, groundTruth: platform.memory }, params)
    : def.create(ctx, params);
}
