/**
 * Whether two result directories hold byte-identical `runs` (results.json):
 * the check a host-speed change must pass, since it may not move a figure.
 * Prints where the first difference lies, with context, and exits 1 on one.
 *
 * Usage: node scripts/same-runs.mjs REF_DIR NEW_DIR
 */
import { readFileSync } from 'node:fs';

const dirs = process.argv.slice(2);
if (dirs.length !== 2) {
  process.stderr.write('same-runs: usage: node scripts/same-runs.mjs REF_DIR NEW_DIR\n');
  process.exit(2);
}
const [a, b] = dirs.map((d) => JSON.stringify(JSON.parse(readFileSync(`${d}/results.json`, 'utf8')).runs));
if (a === b) {
  console.log(`runs identical (${a.length} bytes)`);
  process.exit(0);
}
let i = 0;
while (a[i] === b[i]) i++;
console.log(`runs differ at character ${i}:`);
console.log(` ref: ${a.slice(Math.max(0, i - 200), i + 100)}`);
console.log(` new: ${b.slice(Math.max(0, i - 200), i + 100)}`);
process.exit(1);
