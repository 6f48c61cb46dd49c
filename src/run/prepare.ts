/**
 * Preparing a run: names resolved against the registries (or overridden),
 * parameters resolved against their declarations, capabilities checked.
 * Nothing is simulated here, so the CLI prepares every run before any runs.
 */
import { type ParamSpecs, type ParamValues, resolveParams } from '../params/params.ts';
import { requireCapability } from '../platform/index.ts';
import { COPY_VIA, type CopyVia, findStrategy, type StrategyDef } from '../strategies/index.ts';
import { findWorkload, type WorkloadDef } from '../workloads/index.ts';
import {
  COPIER_PRIORITIES,
  COPY_MODES,
  COW_OVERRUNS,
  type CopierSettings,
  type CopyMode,
  defaultSliceCycles,
} from './cow.ts';
import type { CheckpointTimer, ReplayOutcome } from './replay.ts';
import type { RunConfig } from './types.ts';

/** Raised for a configuration that cannot run (unknown name); the message is one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A configuration resolved against the registries and checked, ready to run. */
export interface PreparedRun {
  config: RunConfig;
  strategy: StrategyDef;
  strategyParams: ParamValues<ParamSpecs>;
  workload: WorkloadDef;
  workloadParams: ParamValues<ParamSpecs>;
  /** Where the checkpoints fall. */
  timer: CheckpointTimer;
  /** How A reaches B's memory: the config's, else the strategy's default, else `mapped`. */
  copyVia: CopyVia;
  /** How a checkpoint copies: the config's, else `stop`. */
  copy: CopyMode;
  /** With `cow`, A's copier thread, every setting resolved; null under `stop`. */
  copier: CopierSettings | null;
}

/**
 * Definitions to use instead of the registries' (a literal access list in a
 * test, a strategy under development); the config's names are then labels.
 */
export interface RunOverrides {
  strategy?: StrategyDef;
  workload?: WorkloadDef;
  /**
   * Also verify every checkpoint by visiting every page, and raise a
   * ModelError where the incremental check (store.ts) disagrees (tests).
   */
  fullCheck?: boolean;
  /**
   * Fault injection (tests): a broken copy-on-write, where B's write to a page
   * not copied yet goes through and A copies the page after it
   * (kernel.ts `debugCowCopyAfterWrite`); the consistency check must fail the run.
   */
  brokenCow?: boolean;
  /**
   * Where the baseline will be, replayed elsewhere meanwhile (another worker
   * thread of the pool, bench/cli/pool.ts): a run whose baseline is not
   * known at its start then replays only the measured run, and asks this at
   * its end; undefined means it is not there yet, and the run replays the
   * baseline itself then. The result is the same either way.
   */
  baselineLater?: () => ReplayOutcome | undefined;
}

/**
 * Resolves names and parameters and checks capabilities, without running.
 * The CLI prepares every run first, so bad input fails before anything runs.
 * @throws ConfigError, ParamError, CapabilityError, WorkloadError.
 */
export function prepareRun(config: RunConfig, with_: RunOverrides = {}): PreparedRun {
  const strategy = with_.strategy ?? findStrategy(config.strategy);
  if (!strategy) throw new ConfigError(`unknown strategy '${config.strategy}'`);
  const workload = with_.workload ?? findWorkload(config.workload);
  if (!workload) throw new ConfigError(`unknown workload '${config.workload}'`);
  const strategyParams = resolveParams(strategy.name, strategy.params, config.strategyParams);
  for (const cap of strategy.requires(strategyParams)) {
    requireCapability(config.profile, cap, `strategy '${strategy.name}'`);
  }
  const workloadParams = resolveParams(workload.name, workload.params, config.workloadParams);
  const copyVia = config.copyVia ?? strategy.defaultCopyVia ?? 'mapped';
  if (!(COPY_VIA as readonly string[]).includes(copyVia)) {
    throw new ConfigError(`copy via '${String(copyVia)}' is not one of ${COPY_VIA.join(', ')}`);
  }
  // rtcr's attach goes through Genode core's region maps (and their 16.05 unmap): a Genode platform.
  if (copyVia === 'attach') requireCapability(config.profile, 'managedDataspaces', 'copy via attach');
  const copy = config.copy ?? 'stop';
  if (!(COPY_MODES as readonly string[]).includes(copy)) {
    throw new ConfigError(`copy '${String(copy)}' is not one of ${COPY_MODES.join(', ')}`);
  }
  const copier = copierSettings(config, copy);
  return {
    config,
    strategy,
    strategyParams,
    workload,
    workloadParams,
    timer: checkpointTimer(config),
    copyVia,
    copy,
    copier,
  };
}

/**
 * A's copier thread of a copy-on-write run, defaults filled in; null under
 * `stop`. Copy-on-write needs the kernel to notify A of B's write faults.
 * @throws ConfigError for settings that are not ones, or given under `stop`.
 * @throws CapabilityError where the kernel notifies no write faults.
 */
function copierSettings(config: RunConfig, copy: CopyMode): CopierSettings | null {
  const given = config.copier ?? {};
  if (copy === 'stop') {
    if (Object.keys(given).length > 0)
      throw new ConfigError(
        `copier settings (${Object.keys(given).join(', ')}) are for copy 'cow', not 'stop'`,
      );
    return null;
  }
  requireCapability(config.profile, 'kernelFaultNotification', 'copy-on-write checkpoints (copy cow)');
  const priority = given.priority ?? 'same';
  if (!(COPIER_PRIORITIES as readonly string[]).includes(priority))
    throw new ConfigError(
      `copier priority '${String(priority)}' is not one of ${COPIER_PRIORITIES.join(', ')}`,
    );
  const overrun = given.overrun ?? 'finish';
  if (!(COW_OVERRUNS as readonly string[]).includes(overrun))
    throw new ConfigError(
      `copy-on-write overrun '${String(overrun)}' is not one of ${COW_OVERRUNS.join(', ')}`,
    );
  const sliceCycles = given.sliceCycles ?? defaultSliceCycles(config.profile.cpu.hz);
  if (!Number.isSafeInteger(sliceCycles) || sliceCycles < 1)
    throw new ConfigError(`copier slice must be a whole number of cycles >= 1, got ${sliceCycles}`);
  const periodCycles = given.periodCycles ?? sliceCycles;
  if (!Number.isSafeInteger(periodCycles) || periodCycles < sliceCycles)
    throw new ConfigError(
      `copier period must be a whole number of cycles >= its slice (${sliceCycles}), got ${periodCycles}`,
    );
  return { priority, sliceCycles, periodCycles, overrun };
}

/** The timer `config` asks for. @throws ConfigError for an interval that is not one. */
function checkpointTimer(config: RunConfig): CheckpointTimer {
  const { intervalCycles, intervalFrom, intervalAccesses, phaseCycles } = config;
  if (intervalAccesses !== undefined) {
    if (phaseCycles !== undefined)
      throw new ConfigError(
        `a checkpoint interval in accesses takes no phase (a time offset of the timer), got ${phaseCycles}`,
      );
    if (!Number.isSafeInteger(intervalAccesses) || intervalAccesses < 1)
      throw new ConfigError(
        `checkpoint interval in accesses must be a whole number >= 1, got ${intervalAccesses}`,
      );
    if (intervalCycles !== 0 || intervalFrom !== undefined)
      throw new ConfigError(
        `a checkpoint interval in accesses takes intervalCycles 0 and no intervalFrom, got ${intervalCycles} and ${intervalFrom}`,
      );
    return { kind: 'accesses', accesses: intervalAccesses };
  }
  if (!Number.isSafeInteger(intervalCycles) || intervalCycles < 1) {
    throw new ConfigError(`checkpoint interval must be a whole number of cycles >= 1, got ${intervalCycles}`);
  }
  if (intervalFrom !== undefined && intervalFrom !== 'start' && intervalFrom !== 'end')
    throw new ConfigError(`intervalFrom must be 'start' or 'end', got '${intervalFrom}'`);
  const phase = phaseCycles ?? 0;
  if (!Number.isSafeInteger(phase) || phase < 0 || phase >= intervalCycles)
    throw new ConfigError(
      `checkpoint phase must be a whole number of cycles from 0 to the interval (${intervalCycles}) exclusive, got ${phase}`,
    );
  return { kind: 'cycles', cycles: intervalCycles, from: intervalFrom ?? 'start', phase };
}
