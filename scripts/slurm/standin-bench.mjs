// A stand-in for `npm run bench --` in the job-array test (DIRTYBENCH_BENCH_CMD):
// the same arguments as the bench's sweep, shard and merge commands, and the
// same resume behaviour in miniature, so the test can drive the Slurm scripts
// before the bench has them. Plain Node (no build step): jobs start in ~50 ms.
//
//   standin-bench.mjs --sweep FILE --shard I/N --out DIR
//     FILE is {"runs": R, "msPerRun": T}. Runs every index ≡ I (mod N) below R,
//     each taking T ms, each written atomically to DIR/run-<index>.txt; an index
//     whose file exists is skipped. DIR/started.log gets a line per run started,
//     so a test can count what was computed twice.
//   standin-bench.mjs merge DIR… --out OUT
//     checks the shards are one sweep's N shards, each complete, and writes
//     OUT/results.txt: every run's file in index order.
// Bad arguments or shards: one line on stderr, exit 2.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

function fail(message) {
  process.stderr.write(`standin-bench: ${message}\n`);
  process.exit(2);
}

function writeAtomic(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/** The indices of shard I of N in a sweep of R runs. */
const shardRuns = (i, n, r) => Array.from({ length: Math.ceil((r - i) / n) }, (_, k) => i + k * n);

async function shard(args) {
  const opts = {};
  for (let k = 0; k < args.length; k += 2) {
    const [key, value] = [args[k], args[k + 1]];
    if (!['--sweep', '--shard', '--out'].includes(key) || value === undefined || key in opts)
      fail(`expected --sweep FILE --shard I/N --out DIR, got ${args.join(' ')}`);
    opts[key] = value;
  }
  if (Object.keys(opts).length !== 3)
    fail(`expected --sweep FILE --shard I/N --out DIR, got ${args.join(' ')}`);
  const m = /^(\d+)\/(\d+)$/.exec(opts['--shard']);
  if (!m || Number(m[1]) >= Number(m[2])) fail(`--shard must be I/N with I < N, got ${opts['--shard']}`);
  const [i, n] = [Number(m[1]), Number(m[2])];
  const sweep = JSON.parse(readFileSync(opts['--sweep'], 'utf8'));
  const out = opts['--out'];
  mkdirSync(out, { recursive: true });
  writeAtomic(
    join(out, 'shard.json'),
    JSON.stringify({ sweep: resolve(opts['--sweep']), i, n, runs: sweep.runs }),
  );
  let skipped = 0;
  for (const index of shardRuns(i, n, sweep.runs)) {
    const file = join(out, `run-${index}.txt`);
    if (existsSync(file)) {
      skipped++;
      continue;
    }
    appendFileSync(join(out, 'started.log'), `${index}\n`);
    await new Promise((done) => setTimeout(done, sweep.msPerRun));
    writeAtomic(file, `run ${index}\n`);
  }
  process.stdout.write(`shard ${i}/${n}: skipped ${skipped} runs already written\n`);
}

function merge(args) {
  const at = args.indexOf('--out');
  if (at < 0 || at !== args.length - 2) fail(`expected merge DIR… --out OUT, got ${args.join(' ')}`);
  const dirs = args.slice(0, at);
  const shards = dirs.map((dir) => {
    const file = join(dir, 'shard.json');
    if (!existsSync(file)) fail(`${dir} is not a shard (no shard.json)`);
    return { dir, ...JSON.parse(readFileSync(file, 'utf8')) };
  });
  const first = shards[0] ?? fail('merge needs at least one shard');
  const seen = new Map();
  for (const s of shards) {
    if (s.sweep !== first.sweep || s.n !== first.n)
      fail(`${s.dir} is shard ${s.i}/${s.n} of ${s.sweep}, not of ${first.sweep} in ${first.n}`);
    if (seen.has(s.i)) fail(`shard ${s.i}/${s.n} twice: ${seen.get(s.i)} and ${s.dir}`);
    seen.set(s.i, s.dir);
  }
  for (let i = 0; i < first.n; i++) if (!seen.has(i)) fail(`shard ${i}/${first.n} missing`);
  const lines = [];
  for (let index = 0; index < first.runs; index++) {
    const file = join(seen.get(index % first.n), `run-${index}.txt`);
    if (!existsSync(file)) fail(`${seen.get(index % first.n)} lacks run ${index}: the shard did not finish`);
    lines.push(readFileSync(file, 'utf8'));
  }
  const out = args[at + 1];
  mkdirSync(out, { recursive: true });
  writeAtomic(join(out, 'results.txt'), lines.join(''));
  process.stdout.write(`merged ${first.n} shards, ${first.runs} runs, into ${out}\n`);
}

const argv = process.argv.slice(2);
if (argv[0] === 'merge') merge(argv.slice(1));
else await shard(argv);
