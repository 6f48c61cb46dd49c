/**
 * Host-speed benchmarks of the workloads module (tinybench): how fast each
 * generator fills batches, how fast a page trace replays, and how fast
 * lackey traces import — plain and gzip, small and ≥ 100 MB — with the peak
 * RSS growth during an import to show that memory stays bounded.
 *
 * These measure the host, not the model: they are never timed tests.
 */

import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Bench, type Task } from 'tinybench';
import { writeAtomically } from '../../src/io/index.ts';
import { SHIPPED_LACKEY_TRACE } from '../../src/workloads/fixtures.ts';
import {
  type CommonWorkloadParams,
  createWorkload,
  findWorkload,
  importLackey,
  type LackeyImportStats,
  Prng,
  type WorkloadStream,
  workloads,
} from '../../src/workloads/index.ts';

/** The shipped real trace (valgrind lackey of /bin/true). */
export const SHIPPED_TRACE = SHIPPED_LACKEY_TRACE;

/** Configuration of the generator tasks. */
export const GENERATOR_SETUP = {
  /** B's memory: 64 Ki pages = 256 MiB. */
  pages: 65536,
  /** Batch size handed to fill(). */
  batch: 4096,
  /** Accesses drained per task iteration (a whole number of periodic's default 1000-access jobs). */
  accessesPerIteration: 4_096_000,
  /** Write ratio (0.5: the write decision really draws). */
  writeRatio: 0.5,
} as const;

/** Rate of one generator (or of trace replay). */
export interface GenerationFigure {
  /** Workload name. */
  workload: string;
  /** Accesses per second, from the mean iteration time. */
  accessesPerSecond: number;
  /** Relative margin of error of the mean iteration time, in %. */
  rmePct: number;
  /** Timed iterations. */
  samples: number;
}

/** Rate and memory of one lackey import. */
export interface ImportFigure {
  /** What was imported. */
  input: string;
  /** Whether the file was gzip. */
  gzip: boolean;
  /** Size of the file in bytes. */
  fileBytes: number;
  /** Lackey text in bytes (uncompressed). */
  textBytes: number;
  /** Mean seconds per import. */
  seconds: number;
  /** Uncompressed lackey text per second, in MB (10^6 B). */
  textMBps: number;
  /** File bytes per second, in MB. */
  fileMBps: number;
  /** Highest RSS seen during the imports minus RSS just before, in bytes. */
  peakRssDeltaBytes: number;
  /** Page accesses imported. */
  accesses: number;
  /** Distinct pages. */
  pages: number;
}

/** Everything the workload suite measured. */
export interface WorkloadFigures {
  /** One per generator, plus `trace (replay)`. */
  generation: GenerationFigure[];
  /** Lackey imports. */
  imports: ImportFigure[];
}

function drain(stream: WorkloadStream, pages: Int32Array, writes: Uint8Array): number {
  let n = 0;
  for (let k = stream.fill(pages, writes); k > 0; k = stream.fill(pages, writes)) n += k;
  stream.close();
  return n;
}

/**
 * Adds one task per generator to `bench`, each draining a fresh stream of
 * {@link GENERATOR_SETUP.accessesPerIteration} accesses per iteration (the
 * stream is created in `beforeEach`, outside the timed window). Returns the
 * number of accesses per iteration of each task, by task name.
 */
export function registerWorkloadBenchmarks(bench: Bench): Map<string, number> {
  const perIteration = new Map<string, number>();
  const pages = new Int32Array(GENERATOR_SETUP.batch);
  const writes = new Uint8Array(GENERATOR_SETUP.batch);
  const common: CommonWorkloadParams = {
    pages: GENERATOR_SETUP.pages,
    accesses: GENERATOR_SETUP.accessesPerIteration,
    writeRatio: GENERATOR_SETUP.writeRatio,
    computeCycles: 1,
  };
  for (const def of workloads) {
    if (def.name === 'trace') continue;
    let stream: WorkloadStream | undefined;
    let seed = 0;
    const name = `workload ${def.name}`;
    bench.add(name, () => drain(stream!, pages, writes), {
      beforeEach() {
        stream = createWorkload(def, common, {}, ++seed);
      },
    });
    perIteration.set(name, common.accesses);
  }
  return perIteration;
}

/**
 * Adds a task replaying the page trace `file` whole per iteration (opened and
 * checksummed in `beforeEach`, outside the timed window).
 */
export function registerReplayBenchmark(bench: Bench, file: string, accesses: number): Map<string, number> {
  const def = findWorkload('trace')!;
  const pages = new Int32Array(GENERATOR_SETUP.batch);
  const writes = new Uint8Array(GENERATOR_SETUP.batch);
  const common: CommonWorkloadParams = { pages: 1, accesses: 0, writeRatio: 0, computeCycles: 1 };
  let stream: WorkloadStream | undefined;
  bench.add('workload trace (replay)', () => drain(stream!, pages, writes), {
    beforeEach() {
      stream = createWorkload(def, common, { file }, 1);
    },
  });
  return new Map([['workload trace (replay)', accesses]]);
}

/** Mean seconds per iteration of a finished task. */
function meanSeconds(task: Task): { seconds: number; rmePct: number; samples: number } {
  const r = task.result;
  if (r.state === 'errored') throw new Error(`benchmark task ${task.name} failed: ${r.error.message}`);
  if (!('latency' in r)) throw new Error(`benchmark task ${task.name} did not complete (${r.state})`);
  return { seconds: r.latency.mean / 1000, rmePct: r.latency.rme, samples: r.latency.samplesCount };
}

/** Appends text lines to a file descriptor through one 1 MiB buffer. */
class LineWriter {
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  /** Bytes written so far. */
  bytes = 0;
  constructor(private readonly fd: number) {}
  line(s: string): void {
    if (this.used + s.length + 1 > this.buf.length) this.flush();
    this.used += this.buf.write(s, this.used, 'latin1');
    this.buf[this.used++] = 10;
  }
  private flush(): void {
    writeSync(this.fd, this.buf, 0, this.used);
    this.bytes += this.used;
    this.used = 0;
  }
  /** Writes what is buffered (the descriptor stays open). */
  end(): void {
    this.flush();
  }
}

/**
 * Writes (once; reused while it exists) a synthetic lackey trace of at least
 * `mib` MiB of text, shaped like a real one: instruction fetches walking a
 * 2 MiB text segment with loops and calls, stack loads and stores, heap
 * accesses spread over 256 MiB, some modifies, and accesses straddling pages.
 * Returns the plain file and a gzip copy.
 */
export async function syntheticLackey(mib: number): Promise<{ plain: string; gzip: string }> {
  const dir = join(tmpdir(), 'dirtybench-bench');
  mkdirSync(dir, { recursive: true });
  const plain = join(dir, `synthetic-${mib}MiB.lackey`);
  const gzip = `${plain}.gz`;
  if (!existsSync(plain)) {
    writeAtomically(
      plain,
      (file) => {
        const out = new LineWriter(file.fd);
        const rng = Prng.seeded(2024);
        const hex = (n: number): string => n.toString(16).padStart(8, '0');
        out.line('==4242== Lackey, an example Valgrind tool');
        out.line('==4242== Command: ./synthetic');
        let pc = 0x401000;
        const stack = 0x1ffefff000;
        const heap = 0x4a000000;
        const target = mib * 1024 * 1024;
        while (out.bytes < target) {
          for (let i = 0; i < 4096; i++) {
            const size = 1 + rng.below(8);
            out.line(`I  ${hex(pc)},${size}`);
            pc += size;
            const r = rng.below(100);
            if (r < 15) out.line(` L ${hex(stack - 8 * rng.below(512))},8`);
            else if (r < 22) out.line(` S ${hex(stack - 8 * rng.below(512))},8`);
            else if (r < 30) out.line(` L ${hex(heap + 8 * rng.below(1 << 25))},${1 << rng.below(4)}`);
            else if (r < 34) out.line(` S ${hex(heap + 8 * rng.below(1 << 25))},${1 << rng.below(4)}`);
            else if (r < 35) out.line(` M ${hex(heap + 8 * rng.below(1 << 25))},4`);
            else if (r < 36) out.line(` S ${hex(heap + 4096 * rng.below(1 << 16) + 4090)},16`); // straddles
            if (rng.below(32) === 0) pc = 0x401000 + rng.below(1 << 21); // jump or call
          }
        }
        out.end();
      },
      { durable: false },
    );
  }
  if (!existsSync(gzip)) {
    await writeAtomically(
      gzip,
      (file) =>
        pipeline(
          createReadStream(plain),
          createGzip({ level: 6 }),
          createWriteStream(file.temp, { fd: file.fd, autoClose: false }),
        ),
      { durable: false },
    );
  }
  return { plain, gzip };
}

/**
 * Runs `body` while sampling RSS every 5 ms; returns its result and the
 * highest RSS seen minus the RSS just before.
 */
async function withPeakRss<T>(body: () => Promise<T>): Promise<{ result: T; peakRssDeltaBytes: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const result = await body();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakRssDeltaBytes: peak - before };
  } finally {
    clearInterval(timer);
  }
}

/** Imports `file` `iterations` times through a tinybench task and reports rate and peak memory. */
async function importFigure(input: string, file: string, iterations: number): Promise<ImportFigure> {
  const out = join(tmpdir(), 'dirtybench-bench', `import-${process.pid}.pgtrace`);
  const bench = new Bench({ iterations, time: 0, warmup: false });
  let stats: LackeyImportStats | undefined;
  bench.add(input, async () => {
    stats = await importLackey(file, out);
  });
  const { peakRssDeltaBytes } = await withPeakRss(() => bench.run());
  rmSync(out, { force: true });
  const { seconds } = meanSeconds(bench.tasks[0]!);
  const s = stats!;
  return {
    input,
    gzip: s.gzip,
    fileBytes: s.fileBytes,
    textBytes: s.textBytes,
    seconds,
    textMBps: s.textBytes / seconds / 1e6,
    fileMBps: s.fileBytes / seconds / 1e6,
    peakRssDeltaBytes,
    accesses: s.accesses,
    pages: s.pages,
  };
}

/** Options of {@link runWorkloadBenchmarks}. */
export interface WorkloadBenchOptions {
  /** Size of the synthetic lackey trace in MiB (default 128; at least 100 shows the bounded memory). */
  syntheticMiB?: number;
  /** Called with a line of progress. */
  log?: (line: string) => void;
}

/**
 * Runs the whole workload suite: imports first (so the RSS figures are not
 * inflated by the generator tasks' garbage), then generation and replay.
 */
export async function runWorkloadBenchmarks(opts: WorkloadBenchOptions = {}): Promise<WorkloadFigures> {
  const log = opts.log ?? (() => {});
  const mib = opts.syntheticMiB ?? 128;
  log(
    `preparing a ${mib} MiB synthetic lackey trace (plain and gzip) in ${join(tmpdir(), 'dirtybench-bench')}`,
  );
  const synthetic = await syntheticLackey(mib);

  const imports: ImportFigure[] = [];
  log('importing the shipped trace');
  imports.push(await importFigure('true.lackey.gz (shipped, gzip)', SHIPPED_TRACE, 10));
  log('importing the synthetic trace, plain');
  imports.push(await importFigure(`synthetic ${mib} MiB (plain)`, synthetic.plain, 2));
  log('importing the synthetic trace, gzip');
  imports.push(await importFigure(`synthetic ${mib} MiB (gzip)`, synthetic.gzip, 2));

  // Replay the synthetic page trace: long enough to time, and its size is known from the import.
  const replayFile = join(tmpdir(), 'dirtybench-bench', `synthetic-${mib}MiB.pgtrace`);
  const replayStats = await importLackey(synthetic.plain, replayFile);

  log('timing generators and replay');
  const bench = new Bench({ iterations: 10, time: 500, warmupIterations: 2, warmupTime: 100 });
  const perIteration = registerWorkloadBenchmarks(bench);
  for (const [k, v] of registerReplayBenchmark(bench, replayFile, replayStats.accesses))
    perIteration.set(k, v);
  await bench.run();
  const generation = bench.tasks.map((task) => {
    const { seconds, rmePct, samples } = meanSeconds(task);
    return {
      workload: task.name.replace(/^workload /, ''),
      accessesPerSecond: perIteration.get(task.name)! / seconds,
      rmePct,
      samples,
    };
  });
  return { generation, imports };
}
