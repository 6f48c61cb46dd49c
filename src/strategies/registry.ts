/**
 * Every strategy, by the name typed on the command line. Adding a strategy is
 * one folder (copy `full-copy/`) and one line here.
 */
import { dirtyBitScan } from './dirty-bit-scan/index.ts';
import { faultNotify } from './fault-notify/index.ts';
import { fullCopy } from './full-copy/index.ts';
import { kernelLog } from './kernel-log/index.ts';
import { managedDataspace } from './managed-dataspace/index.ts';
import { oracle } from './oracle/index.ts';
import { perPageRm } from './per-page-rm/index.ts';
import type { StrategyDef } from './types.ts';

export const strategies: readonly StrategyDef[] = [
  fullCopy,
  oracle,
  managedDataspace,
  perPageRm,
  dirtyBitScan,
  faultNotify,
  kernelLog,
];

/** The strategy registered under `name`, or undefined. */
export function findStrategy(name: string): StrategyDef | undefined {
  return strategies.find((s) => s.name === name);
}
