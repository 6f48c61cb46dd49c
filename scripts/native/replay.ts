/**
 * Running the native replayer (replay.c) from TypeScript: one replay of a
 * page trace under one mechanism, its raw output parsed, or the reason the
 * mechanism is unavailable on this kernel.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNative } from './build.ts';
import { NativeRunError } from './command.ts';
import type { Mechanism, RawReplay } from './results.ts';

/** The replayer's exit codes (replay.c). */
export const REPLAY_EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 3 } as const;

/** What one replay is asked to do. */
export interface ReplayRequest {
  /** A page trace (`npm run bench -- export-trace`). */
  trace: string;
  mechanism: Mechanism;
  /** Checkpoint after every `interval` accesses (0: only at the end). */
  interval: number;
  /** A file of checkpoint positions (access counts), in addition to the interval. */
  checkpoints?: string;
  /** CPU of the replaying thread. */
  cpu?: number;
  /** The uffd-wp handler thread on the replay's CPU (default) or the other one. */
  handlerCpu?: 'same' | 'other';
}

export type ReplayOutcome = { kind: 'measured'; raw: RawReplay } | { kind: 'unavailable'; reason: string };

/** The replayer's command line for `r` (without the program and --out). */
export function replayArgs(r: ReplayRequest): string[] {
  const args = ['--trace', r.trace, '--mechanism', r.mechanism, '--interval', String(r.interval)];
  if (r.checkpoints !== undefined) args.push('--checkpoints', r.checkpoints);
  if (r.cpu !== undefined) args.push('--cpu', String(r.cpu));
  if (r.handlerCpu !== undefined) args.push('--handler-cpu', r.handlerCpu);
  return args;
}

/**
 * Builds the replayer if needed and runs one replay.
 * @throws NativeBuildError without a compiler; NativeRunError when the replay fails (1) or refuses its input (2).
 */
export function runReplay(r: ReplayRequest): ReplayOutcome {
  const program = buildNative('replay');
  const dir = mkdtempSync(join(tmpdir(), 'dirtybench-native-'));
  const out = join(dir, 'raw.json');
  try {
    try {
      execFileSync(program, [...replayArgs(r), '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const status = (e as { status?: number }).status;
      const stderr = ((e as { stderr?: Buffer }).stderr?.toString() ?? '').trim();
      if (status === REPLAY_EXIT.unavailable) {
        return { kind: 'unavailable', reason: stderr.replace(/^replay: unavailable: /, '') };
      }
      throw new NativeRunError(
        stderr || `replay exited with ${status}`,
        status === REPLAY_EXIT.usage ? 2 : 1,
      );
    }
    return { kind: 'measured', raw: JSON.parse(readFileSync(out, 'utf8')) as RawReplay };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
