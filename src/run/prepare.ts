/**
 * Preparing a run: names resolved against the registries (or overridden),
 * parameters resolved against their declarations, capabilities checked.
 * Nothing is simulated here, so the CLI prepares every run before any runs.
 */
import { type ParamSpecs, type ParamValues, resolveParams } from '../params/params.ts';
import { requireCapability } from '../platform/index.ts';
import { COPY_VIA, type CopyVia, findStrategy, type StrategyDef } from '../strategies/index.ts';
import { findWorkload, type WorkloadDef } from '../workloads/index.ts';
import type { CheckpointTimer } from './replay.ts';
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
  return {
    config,
    strategy,
    strategyParams,
    workload,
    workloadParams,
    timer: checkpointTimer(config),
    copyVia,
  };
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
