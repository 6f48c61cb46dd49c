/**
 * `npm run bench`: compare dirty-page tracking strategies (shared/contract.md).
 * `npm run bench -- --help` for the options, `npm run bench -- list` for the
 * strategies, workloads and profiles. The pieces are in bench/cli/.
 *
 * npm runs this as `node --import tsx bench/cli.ts`, not through the `tsx`
 * command: tsx's wrapper process kills its child 60 ms after a signal unless
 * the child's event loop answers, which a write in progress may not.
 */
import { heldSignalExitCode, releaseSignals } from '../src/io/index.ts';
import { main } from './cli/main.ts';

const code = await main(process.argv.slice(2));
// A signal held during the result write decides the exit code (130, 143); from here on one ends the process.
process.exitCode = heldSignalExitCode() ?? code;
releaseSignals();
