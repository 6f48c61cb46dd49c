/**
 * `npm run bench`: compare dirty-page tracking strategies (shared/contract.md).
 * `npm run bench -- --help` for the options, `npm run bench -- list` for the
 * strategies, workloads and profiles. The pieces are in bench/cli/.
 */
import { main } from './cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
