/**
 * A process for the signal tests (src/io/signals.test.ts): holds SIGINT and
 * SIGTERM, says `ready`, blocks its event loop for BLOCK_MS as a synchronous
 * write does (a signal sent meanwhile is delivered only afterwards), then
 * prints what {@link settleSignals} reports and releases.
 *
 * Usage: node --import tsx test/signal-writer.ts BLOCK_MS
 */
import { holdSignals, releaseSignals, settleSignals } from '../src/io/index.ts';

holdSignals();
process.stdout.write('ready\n');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[2]));
process.stdout.write(`settled ${(await settleSignals()) ?? 'none'}\n`);
releaseSignals();
process.stdout.write('released\n');
