/**
 * A progress bar on stderr — runs done / total and ETA — for runs that take
 * more than a second, and only when stderr is a terminal (never in logs, CI
 * or pipes) and not `--quiet`.
 */

/** Milliseconds before the bar appears: short invocations stay silent. */
const SHOW_AFTER_MS = 1000;
const BAR_WIDTH = 24;

/** The bar's text, e.g. `[#########---------------]  9/28 runs  ETA 12s`. */
export function formatProgress(done: number, total: number, elapsedMs: number): string {
  const filled = total > 0 ? Math.round((done / total) * BAR_WIDTH) : BAR_WIDTH;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const width = String(total).length;
  const eta = done > 0 ? `ETA ${formatSeconds(((elapsedMs / done) * (total - done)) / 1000)}` : 'ETA ?';
  return `${bar} ${String(done).padStart(width)}/${total} runs  ${eta}`;
}

function formatSeconds(s: number): string {
  const whole = Math.ceil(s);
  return whole >= 60 ? `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
}

export interface Progress {
  /** `done` runs have finished. */
  update(done: number): void;
  /** Removes the bar. */
  finish(): void;
}

/** A progress bar on `stream`, or a silent one when `enabled` is false or the stream is no TTY. */
export function createProgress(
  total: number,
  stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>,
  enabled: boolean,
): Progress {
  if (!enabled || !stream.isTTY) return { update() {}, finish() {} };
  const start = Date.now();
  let done = 0;
  let shown = false;
  const draw = () => {
    const elapsed = Date.now() - start;
    if (elapsed < SHOW_AFTER_MS) return;
    shown = true;
    stream.write(`\r${formatProgress(done, total, elapsed)}\x1b[K`);
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  return {
    update(n) {
      done = n;
      draw();
    },
    finish() {
      clearInterval(timer);
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
