/**
 * Writing files so that no reader sees half of one and no result is lost:
 * atomic files, sets of files switched in whole, locks between writers,
 * sweeping what killed writers left, and signals held during a write; and
 * finding the repository's files from a module, compiled or not.
 *
 * Why here: the CLI, the host suite and the workloads' trace import all
 * write files this way, and workloads may import nothing of the platform,
 * the strategies or the runner (README "Layout"). So this module is a leaf,
 * like src/params: it imports only Node, and nothing of the project.
 */
export { AtomicFile, symlinkAtomic, writeAtomically, writeFileAtomic } from './atomic.ts';
export { FAIL_WRITE_ENV, PAUSE_WRITE_ENV } from './hooks.ts';
export { acquireLock, type Lock, type LockOwner, lockPathFor, tryLock } from './lock.ts';
export { heldSignalExitCode, holdSignals, releaseSignals, settleSignals, signalExitCode } from './signals.ts';
export { sourceUrl } from './source.ts';
export { type FileSet, foreignEntries, StagedDirectory } from './stage.ts';
export { isAlive, parseTempName, sweepStaleTemps, tempPath } from './temp.ts';
