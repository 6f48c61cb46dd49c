/**
 * Starts a compiled entry point of the harness in this process: `node
 * bench/start.mjs cli …` runs dist/bench/cli.js (`npm run bench`), `host`
 * runs dist/bench/host.js (`npm run bench:host`), with the arguments after
 * the name. When dist/ is missing or older than a source it is rebuilt first
 * (scripts/build.mjs, a line on stderr says why), so what runs is always the
 * code in src/ and bench/.
 *
 * npm runs this with `exec` (`exec node bench/start.mjs cli`): npm's shell
 * becomes this process, and this process becomes the CLI, so a signal sent to
 * npm's child or to the process group reaches the CLI's own handlers (a
 * wrapper process in between could kill it mid-write).
 */
import { buildIfStale } from '../scripts/build.mjs';

const ENTRIES = { cli: '../dist/bench/cli.js', host: '../dist/bench/host.js' };

const name = process.argv[2];
const entry = Object.hasOwn(ENTRIES, name) ? ENTRIES[name] : undefined;
if (entry === undefined) {
  process.stderr.write(`bench/start.mjs: start what? one of ${Object.keys(ENTRIES).join(', ')}\n`);
  process.exit(2);
}
try {
  buildIfStale();
} catch (e) {
  process.stderr.write(`dirtybench: cannot compile the harness: ${e.message}\n`);
  process.exit(1);
}
// The entry reads its arguments from process.argv.slice(2), as when started directly.
process.argv.splice(2, 1);
await import(entry);
