/**
 * SIGINT and SIGTERM held back while results are written, so an interrupted
 * command finishes its write and then exits 130 or 143 (128 + the signal's
 * number, as a shell reports a process the signal killed).
 *
 * Once held, the handlers stay installed until the process exits: a signal
 * that arrives during a synchronous write is delivered only when the event
 * loop next polls, possibly after the write returned, and removing the
 * handlers before that would let the default action kill the process (or
 * drop the signal). The caller asks {@link settleSignals} after its write —
 * it lets the event loop poll twice first — and {@link releaseSignals} when
 * it is done: from then on a signal ends the process at once.
 */
import { constants } from 'node:os';

const HELD = ['SIGINT', 'SIGTERM'] as const;

let received: NodeJS.Signals | undefined;
let state: 'free' | 'held' | 'released' = 'free';

/** 128 + the signal's number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

function onSignal(signal: NodeJS.Signals): void {
  received ??= signal;
  if (state === 'released') process.exit(signalExitCode(received));
}

/** Holds SIGINT and SIGTERM from now on (idempotent). */
export function holdSignals(): void {
  if (state !== 'free') return;
  state = 'held';
  for (const s of HELD) process.on(s, onSignal);
}

/**
 * The first held signal, after letting the event loop poll twice so one
 * that arrived during a synchronous write has been delivered.
 */
export async function settleSignals(): Promise<NodeJS.Signals | undefined> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
  return received;
}

/** The exit code a held signal asks for, if one arrived. */
export function heldSignalExitCode(): number | undefined {
  return received === undefined ? undefined : signalExitCode(received);
}

/** Ends the hold: a signal held meanwhile, or any later one, exits the process now with 128 + its number. */
export function releaseSignals(): void {
  if (state !== 'held') return;
  state = 'released';
  if (received !== undefined) process.exit(signalExitCode(received));
}
