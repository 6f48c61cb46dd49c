/**
 * A process for the signal tests (src/io/signals.test.ts): holds SIGINT and
 * SIGTERM, says `ready`, blocks its event loop as a synchronous write does (a
 * signal sent meanwhile is delivered only afterwards) until the file GO
 * exists, then prints what {@link settleSignals} reports and releases. The
 * test creates GO after it has sent its signal, so the signal always lands
 * inside the block, however late the test gets to send it.
 *
 * Usage: node --import tsx test/signal-writer.ts GO
 */
import { existsSync } from 'node:fs';
import { holdSignals, releaseSignals, settleSignals } from '../src/io/index.ts';

const go = process.argv[2]!;
holdSignals();
process.stdout.write('ready\n');
const slice = new Int32Array(new SharedArrayBuffer(4));
for (const end = Date.now() + 60_000; !existsSync(go) && Date.now() < end; ) Atomics.wait(slice, 0, 0, 10);
process.stdout.write(`settled ${(await settleSignals()) ?? 'none'}\n`);
releaseSignals();
process.stdout.write('released\n');
