/**
 * The nightly-sized property run, `npm run test:deep` (not in `npm test` or
 * CI): every strategy × every shipped profile, at least 10^4 cases in all
 * (`DIRTYBENCH_DEEP_RUNS`), on memories that overflow the TLB and access
 * patterns that make checkpoints flush it whole. Each case checks what the
 * property tests check on small memories: no written page missed, the
 * restored chain equal to B's memory at every checkpoint, stalls and pauses
 * within the analytic bounds, every cycle in one category, and the same
 * result when run again.
 *
 * The generator takes its variety from declarations, not from lists written
 * here, so it follows the model when the model grows:
 * - strategy parameters come from each strategy's declarations
 *   (`paramsArbitrary`, src/params/testing.ts);
 * - a case runs on its profile or on a variant of it that flips any of the
 *   schema's flags (capabilities, the MMU's dirty bit), shrinks any of its
 *   counts (TLB geometry, flush threshold, map order) and sets a few cycle
 *   figures to 0, 1 or ten times their value — whatever fields the schema
 *   declares, each variant validated by `parseProfile`. A strategy the
 *   shipped profile refuses runs on variants that offer what it needs;
 * - memory sizes straddle every page count the profile gives (a count field,
 *   or 2^v for one in log2 pages): TLB entries, flush threshold, largest
 *   flexpage, the superpage (`mmu.superpageOrder`, shrunk by the variants to
 *   superpages of a few pages);
 * - every checkpoint timer RunConfig offers (a grid at any phase, from the
 *   end of the previous checkpoint, in B's accesses), periodic jobs (the
 *   response-time bound checked with them), and each way A reaches B's
 *   memory (`copyVia`).
 *
 * Figures: at the end it prints the cases per strategy × profile, the cases
 * skipped (a drawn configuration the strategy refuses), the share that
 * overflowed the TLB, that flushed it whole, that mapped superpages and that
 * ran periodic jobs, and the duration; with
 * `DIRTYBENCH_DEEP_REPORT=FILE` it also writes them as JSON. The seed is
 * fixed (`DIRTYBENCH_DEEP_SEED` changes it); fast-check prints the seed and
 * path of a failing case to replay it.
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ParamError } from '../params/params.ts';
import { paramsArbitrary } from '../params/testing.ts';
import {
  CapabilityError,
  type CostProfile,
  Kernel,
  loadProfile,
  Mmu,
  Phase,
  PROFILE_NAMES,
  PROFILE_SCHEMA,
  ProfileError,
  parseProfile,
  profileFieldRows,
} from '../platform/index.ts';
import { COPY_VIA, type CopyVia, type StrategyDef, strategies } from '../strategies/index.ts';
import { type JobStructure, Prng, type WorkloadDef } from '../workloads/index.ts';
import { ConfigError, prepareRun, runExperiment, strategyBounds } from './index.ts';
import type { RunConfig } from './types.ts';

const TOTAL_RUNS = Number(process.env['DIRTYBENCH_DEEP_RUNS'] ?? 10_000);
const SEED = Number(process.env['DIRTYBENCH_DEEP_SEED'] ?? 20261201);
/** Largest memory a case draws, in pages: three times the largest shipped TLB. */
const MAX_PAGES = 3 * Math.max(...PROFILE_NAMES.map((n) => loadProfile(n).mmu.tlbEntries));
/** Most accesses of a case. */
const MAX_ACCESSES = 40_000;
/**
 * Most accesses × pages of a case: some strategies take host time linear in
 * B's memory per access (per-page-rm with a linear lookup walks every RM
 * session at each signal), and a checkpoint can follow every access; at most
 * 2^24 keeps such a case to seconds.
 */
const MAX_ACCESS_PAGES = 2 ** 24;

// ---------------------------------------------------------------------------
// Profiles: the shipped ones and variants drawn from the schema's own fields.

const rows = profileFieldRows();
const flagPaths = rows.filter((r) => r.kind === 'flag').map((r) => r.path);
const countPaths = rows.filter((r) => r.kind === 'count').map((r) => r.path);
const cyclePaths = rows.filter((r) => r.kind === 'cycles').map((r) => r.path);
/** A count given in log2 pages (its doc says so): its page landmark is 2^value. */
const isLog2 = (path: string) => /log2/.test(rows.find((r) => r.path === path)!.doc);

function figure(p: CostProfile, path: string): number | boolean {
  const [section, field] = path.split('.') as [string, string];
  return (p as unknown as Record<string, Record<string, number | boolean>>)[section]![field]!;
}

/** The profile as the JSON it was read from. */
function profileJson(p: CostProfile): Record<string, Record<string, unknown> | string> {
  const out: Record<string, Record<string, unknown> | string> = {
    name: p.name,
    description: p.description,
    arch: p.arch,
  };
  for (const [section, fields] of Object.entries(PROFILE_SCHEMA)) {
    const sec: Record<string, unknown> = {};
    for (const field of Object.keys(fields)) {
      sec[field] = { value: figure(p, `${section}.${field}`), source: p.sources[`${section}.${field}`] };
    }
    out[section] = sec;
  }
  return out;
}

/** One change to a profile: a field's path and its new value. */
type Change = [string, number | boolean];

/**
 * `base` with `changes` applied one by one, each kept only if the profile
 * stays valid (a TLB of 16 entries and 12 ways is not).
 */
function variant(base: CostProfile, changes: Change[]): CostProfile {
  let profile = base;
  for (const [path, value] of changes) {
    const json = profileJson(profile);
    const [section, field] = path.split('.') as [string, string];
    (json[section] as Record<string, { value: unknown }>)[field]!.value = value;
    try {
      profile = parseProfile(json, base.name);
    } catch (e) {
      if (!(e instanceof ProfileError)) throw e;
    }
  }
  return profile;
}

/** Values worth trying for a count: its minimum, small powers of two, half and all of its value. */
function countCandidates(base: CostProfile, path: string): number[] {
  const v = figure(base, path) as number;
  return [...new Set([0, 1, 2, 4, 8, 16, 32, 64, Math.floor(v / 2), v])].filter((x) => x <= v);
}

/**
 * `profile` with the capabilities `force` on; a capability the profile's
 * validation refuses alone (dirty status on unmap without an MMU that sets
 * dirty bits) is set together with the first other flag that makes it valid.
 */
function forceOn(profile: CostProfile, force: readonly string[]): CostProfile {
  for (const c of force) {
    const path = `capabilities.${c}`;
    const candidates: Change[][] = [
      [[path, true]],
      ...flagPaths
        .filter((f) => f !== path)
        .map((f): Change[] => [
          [f, !figure(profile, f)],
          [path, true],
        ]),
    ];
    for (const changes of candidates) {
      const v = variant(profile, changes);
      if (figure(v, path) === true) {
        profile = v;
        break;
      }
    }
  }
  return profile;
}

/**
 * Variants of `base`: unchanged (often), or with a few flags flipped, counts
 * shrunk and cycle figures set to 0, 1 or ten times their value; then the
 * capabilities in `force` are set (forceOn).
 */
function profileArbitrary(base: CostProfile, force: readonly string[]): fc.Arbitrary<CostProfile> {
  const flip = fc.constantFrom(...flagPaths).map((path): Change => [path, !figure(base, path)]);
  const count = fc
    .constantFrom(...countPaths)
    .chain((path) => fc.constantFrom(...countCandidates(base, path)).map((v): Change => [path, v]));
  const cost = fc
    .tuple(fc.constantFrom(...cyclePaths), fc.constantFrom(0, 1, 10))
    .map(([path, k]): Change => [path, k === 10 ? 10 * (figure(base, path) as number) : k]);
  const changes = fc.tuple(
    fc.array(flip, { maxLength: 3 }),
    fc.array(count, { maxLength: 4 }),
    fc.array(cost, { maxLength: 2 }),
  );
  return fc
    .oneof(
      { arbitrary: fc.constant([] as Change[]), weight: 2 },
      { arbitrary: changes.map(([a, b, c]) => [...a, ...b, ...c]), weight: 3 },
    )
    .map((changes) => forceOn(variant(base, changes), force));
}

/** Page counts the profile gives (landmarks a memory size should straddle). */
function pageLandmarks(p: CostProfile): number[] {
  const out = countPaths.map((path) => {
    const v = figure(p, path) as number;
    return isLog2(path) ? 2 ** v : v;
  });
  return [...new Set(out)].filter((n) => n >= 2 && n <= MAX_PAGES);
}

// ---------------------------------------------------------------------------
// Scenarios: B's memory, an access program, compute and the interval.

/** A stretch of accesses over a region of B's memory. */
interface Segment {
  /** uniform over the region, a sweep through it, or a walk with a stride. */
  kind: 'uniform' | 'sweep' | 'stride';
  /** Start of the region, in thousandths of B's memory. */
  from: number;
  /** Size of the region: a number of pages, or a fraction of B's memory. */
  span: { pages: number } | { fraction: number };
  count: number;
  /** Probability that an access writes. */
  writeRatio: number;
  stride: number;
  seed: number;
}

/** Where checkpoints fall (RunConfig's timer fields): a grid of target time, or every N of B's accesses. */
type Timer =
  | { kind: 'cycles'; interval: number; from: 'start' | 'end'; phase: number }
  | { kind: 'accesses'; accesses: number };

interface Scenario {
  pages: number;
  compute: number;
  timer: Timer;
  /** Periodic jobs of the program's accesses (the replay idles to each release), or none. */
  jobs: JobStructure | null;
  /** How A reaches B's memory, or the strategy's default. */
  copyVia: CopyVia | undefined;
  segments: Segment[];
}

const segment: fc.Arbitrary<Segment> = fc.record({
  kind: fc.constantFrom('uniform', 'sweep', 'stride'),
  from: fc.integer({ min: 0, max: 999 }),
  // A few pages (a hot set, a flush threshold's worth) or a share of the memory: fast-check's
  // doubles would crowd near 0, and so would the regions.
  span: fc.oneof(
    fc.integer({ min: 1, max: 64 }).map((pages) => ({ pages })),
    fc.constantFrom(0.1, 0.25, 0.5, 1).map((fraction) => ({ fraction })),
  ),
  count: fc.integer({ min: 1, max: 8000 }),
  writeRatio: fc.constantFrom(0, 0.1, 0.5, 1),
  stride: fc.integer({ min: 1, max: 64 }),
  seed: fc.nat(),
});

/**
 * Checkpoint intervals for a memory of `pages` pages: log-uniform from a few
 * cycles to 2^31, or only the final checkpoint. Below 64 cycles per page a
 * checkpoint, which copies, verifies and re-arms in time linear in the
 * pages, would follow the last too closely for 10^4 cases to finish in a
 * night; small memories may take an interval of a single cycle.
 */
function intervalArbitrary(pages: number): fc.Arbitrary<number> {
  const floor = pages > 64 ? 64 * pages : 1;
  const logUniform = fc
    .integer({ min: 0, max: 30 })
    .chain((e) => fc.integer({ min: Math.max(floor, 2 ** e), max: Math.max(floor, 2 ** (e + 1)) }));
  return fc.oneof(
    { arbitrary: logUniform, weight: 4 },
    { arbitrary: fc.constant(Number.MAX_SAFE_INTEGER), weight: 1 },
  );
}

/**
 * The checkpoint timer: every mode RunConfig offers — a grid from the start
 * at any phase, from the end of the previous checkpoint, or in B's accesses.
 */
function timerArbitrary(pages: number): fc.Arbitrary<Timer> {
  const cycles = intervalArbitrary(pages).chain((interval) =>
    fc.record({
      kind: fc.constant('cycles' as const),
      interval: fc.constant(interval),
      from: fc.constantFrom('start' as const, 'end' as const),
      phase: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: Math.min(interval - 1, 2 ** 31) })),
    }),
  );
  const accesses = fc.record({
    kind: fc.constant('accesses' as const),
    accesses: fc.integer({ min: Math.max(1, Math.ceil(pages / 64)), max: 10_000 }),
  });
  return fc.oneof({ arbitrary: cycles, weight: 3 }, { arbitrary: accesses, weight: 1 });
}

/**
 * Periodic jobs (their page set left to B's whole memory: the program does
 * not keep to one): a job's accesses, and its period as `stretch` times the
 * job's compute plus 200 cycles an access, so B idles up to 7/8 of the time
 * (or overruns, at stretch 1 with faults and checkpoints) — an idle time
 * that is a multiple of the busy time keeps the checkpoints a case takes,
 * which the interval's floor counts against the memory, within a night.
 */
const jobsArbitrary: fc.Arbitrary<{ accessesPerJob: number; stretch: number } | null> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 3 },
  {
    arbitrary: fc.record({
      accessesPerJob: fc.integer({ min: 1, max: 2000 }),
      stretch: fc.integer({ min: 1, max: 8 }),
    }),
    weight: 1,
  },
);

function scenarioArbitrary(profile: CostProfile): fc.Arbitrary<Scenario> {
  const around = pageLandmarks(profile).map((l) =>
    fc.integer({ min: Math.max(1, l - 2), max: Math.min(MAX_PAGES, 2 * l + 2) }),
  );
  const pages = fc.oneof(fc.integer({ min: 1, max: 64 }), ...around);
  return pages.chain((n) =>
    fc
      .record({
        pages: fc.constant(n),
        compute: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 500 })),
        timer: timerArbitrary(n),
        jobs: jobsArbitrary,
        copyVia: fc.constantFrom(undefined, ...COPY_VIA),
        segments: fc.array(segment, { minLength: 1, maxLength: 8, size: 'max' }),
      })
      .map(({ jobs, ...rest }) => ({
        ...rest,
        jobs: jobs && {
          accessesPerJob: jobs.accessesPerJob,
          periodCycles: jobs.accessesPerJob * (rest.compute + 200) * jobs.stretch,
        },
      })),
  );
}

/** The accesses of a scenario, at most MAX_ACCESSES and MAX_ACCESS_PAGES / pages (but 1000). */
function expand(s: Scenario): { pages: Int32Array; writes: Uint8Array } {
  const total = Math.min(
    MAX_ACCESSES,
    Math.max(1000, Math.floor(MAX_ACCESS_PAGES / s.pages)),
    s.segments.reduce((n, g) => n + g.count, 0),
  );
  const pages = new Int32Array(total);
  const writes = new Uint8Array(total);
  let at = 0;
  for (const g of s.segments) {
    const rng = Prng.seeded(g.seed);
    const start = Math.floor((g.from * s.pages) / 1000);
    const wanted = 'pages' in g.span ? g.span.pages : Math.ceil(g.span.fraction * s.pages);
    const size = Math.max(1, Math.min(s.pages, wanted));
    for (let k = 0; k < g.count && at < total; k++, at++) {
      const offset =
        g.kind === 'uniform' ? rng.below(size) : g.kind === 'sweep' ? k % size : (k * g.stride) % size;
      pages[at] = (start + offset) % s.pages;
      writes[at] = rng.float() < g.writeRatio ? 1 : 0;
    }
  }
  return { pages, writes };
}

function scenarioWorkload(s: Scenario): WorkloadDef {
  const { pages, writes } = expand(s);
  return {
    name: 'deep',
    doc: 'a generated access program (deep property run)',
    params: {},
    create() {
      let next = 0;
      return {
        pages: s.pages,
        accesses: pages.length,
        computeCycles: s.compute,
        jobs: s.jobs,
        fill(outPages, outWrites) {
          const n = Math.min(outPages.length, pages.length - next);
          outPages.set(pages.subarray(next, next + n));
          outWrites.set(writes.subarray(next, next + n));
          next += n;
          return n;
        },
        close() {},
      };
    },
  };
}

// ---------------------------------------------------------------------------
// The run and its figures.

/**
 * Full TLB flushes after setup, counted by wrapping the MMU's flush (the
 * kernel calls it; it is not on the per-access path). Arming a tracker
 * flushes in most setups, which says nothing about the measured run.
 */
let flushes = 0;
const flushAll = Mmu.prototype.flushAll;
Mmu.prototype.flushAll = function (this: Mmu) {
  const clock = (this as unknown as { clock?: { phase: number } }).clock;
  if (clock?.phase !== Phase.setup) flushes++;
  flushAll.call(this);
};

/** Superpages mapped, counted by wrapping the kernel's map (not on the per-access path). */
let superpages = 0;
const map = Kernel.prototype.map;
Kernel.prototype.map = function (this: Kernel, ...args: Parameters<Kernel['map']>) {
  const before = this.counters.superpagesMapped;
  map.apply(this, args);
  superpages += this.counters.superpagesMapped - before;
};

interface PairFigures {
  strategy: string;
  profile: string;
  /** The shipped profile lacks what the strategy needs: it ran on variants that offer it. */
  refusedByShipped: string[];
  cases: number;
  skipped: number;
  tlbOverflow: number;
  fullFlush: number;
  /** Cases whose B was mapped with at least one superpage. */
  superpage: number;
  /** Cases with periodic jobs. */
  periodic: number;
  checkpoints: number;
}

const figures: PairFigures[] = [];
const started = Date.now();

/** Whether the configuration can run: capabilities, parameter combinations, exact bounds. */
function runnable(config: RunConfig, workload: WorkloadDef, pages: number): boolean {
  try {
    strategyBounds(prepareRun(config, { workload }), pages, pages);
    return true;
  } catch (e) {
    if (e instanceof CapabilityError || e instanceof ParamError || e instanceof ConfigError) return false;
    throw e;
  }
}

function pairs(): [StrategyDef, CostProfile][] {
  return strategies.flatMap((s) =>
    PROFILE_NAMES.map((n) => [s, loadProfile(n)] as [StrategyDef, CostProfile]),
  );
}

const all = pairs();
const perPair = Math.ceil(TOTAL_RUNS / all.length);

describe('deep verification: every strategy × every profile', () => {
  afterAll(() => {
    const cases = figures.reduce((n, f) => n + f.cases, 0);
    const sum = (k: 'tlbOverflow' | 'fullFlush' | 'superpage' | 'periodic' | 'skipped' | 'checkpoints') =>
      figures.reduce((n, f) => n + f[k], 0);
    const seconds = (Date.now() - started) / 1000;
    const report = {
      cases,
      skipped: sum('skipped'),
      tlbOverflowCases: sum('tlbOverflow'),
      fullFlushCases: sum('fullFlush'),
      superpageCases: sum('superpage'),
      periodicCases: sum('periodic'),
      checkpoints: sum('checkpoints'),
      seconds,
      seed: SEED,
      pairs: figures,
    };
    const pct = (n: number) => `${((100 * n) / Math.max(1, cases)).toFixed(1)} %`;
    const lines = [
      `deep verification: ${cases} cases (${report.skipped} drawn configurations skipped as refused) in ${seconds.toFixed(0)} s, seed ${SEED}`,
      `  TLB overflowed (more pages than entries): ${pct(report.tlbOverflowCases)}; flushed whole at least once: ${pct(report.fullFlushCases)}; mapped superpages: ${pct(report.superpageCases)}; periodic jobs: ${pct(report.periodicCases)}; ${report.checkpoints} checkpoints`,
      `  ${'strategy'.padEnd(18)} ${'profile'.padEnd(17)} ${'cases'.padStart(5)} ${'skipped'.padStart(7)} ${'TLB over'.padStart(8)} ${'flushed'.padStart(7)} ${'super'.padStart(5)}`,
      ...figures.map(
        (f) =>
          `  ${f.strategy.padEnd(18)} ${f.profile.padEnd(17)} ${String(f.cases).padStart(5)} ${String(f.skipped).padStart(7)} ${String(f.tlbOverflow).padStart(8)} ${String(f.fullFlush).padStart(7)} ${String(f.superpage).padStart(5)}` +
          `${f.refusedByShipped.length > 0 ? `  (on variants with ${f.refusedByShipped.join(', ')})` : ''}`,
      ),
    ];
    console.log(lines.join('\n'));
    const out = process.env['DIRTYBENCH_DEEP_REPORT'];
    if (out) writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  });

  it.each(all.map(([s, p], i) => [s.name, p.name, s, p, i] as const))(
    '%s on %s',
    (_s, _p, def, base, index) => {
      const needs = def.requires(paramsDefaults(def)).filter((c) => !base.capabilities[c]);
      const f: PairFigures = {
        strategy: def.name,
        profile: base.name,
        refusedByShipped: needs,
        cases: 0,
        skipped: 0,
        tlbOverflow: 0,
        fullFlush: 0,
        superpage: 0,
        periodic: 0,
        checkpoints: 0,
      };
      figures.push(f);
      const arb = profileArbitrary(base, needs).chain((profile) =>
        fc.tuple(
          fc.constant(profile),
          scenarioArbitrary(profile),
          paramsArbitrary(def.params, { span: 2 * MAX_PAGES }),
        ),
      );
      fc.assert(
        fc.property(arb, ([profile, s, params]) => {
          const workload = scenarioWorkload(s);
          const config: RunConfig = {
            profile,
            strategy: def.name,
            strategyParams: params,
            workload: 'deep',
            workloadParams: {},
            common: { pages: 1, accesses: 1, writeRatio: 0, computeCycles: 0 },
            intervalCycles: s.timer.kind === 'cycles' ? s.timer.interval : 0,
            seed: 1,
          };
          if (s.timer.kind === 'accesses') config.intervalAccesses = s.timer.accesses;
          else {
            if (s.timer.from === 'end') config.intervalFrom = 'end';
            if (s.timer.phase > 0) config.phaseCycles = s.timer.phase;
          }
          if (s.copyVia !== undefined) config.copyVia = s.copyVia;
          if (!runnable(config, workload, s.pages)) {
            f.skipped++;
            fc.pre(false);
          }
          const flushesBefore = flushes;
          const superpagesBefore = superpages;
          const a = runExperiment(config, { workload });
          expect(a.failures).toEqual([]);
          expect(a.metrics.verification).toEqual({ missedPages: 0, restoreOk: true, boundsOk: true });
          expect(a.metrics.stalls.maxCycles).toBeLessThanOrEqual(a.bounds.maxStallCycles);
          expect(a.metrics.pause.maxCycles).toBeLessThanOrEqual(a.bounds.maxPauseCycles);
          const sum = Object.values(a.metrics.breakdownCycles).reduce((x, y) => x + y, 0);
          expect(sum).toBe(a.metrics.runtimeCycles);
          const flushed = flushes > flushesBefore;
          const superpaged = superpages > superpagesBefore;
          expect(runExperiment(config, { workload })).toEqual(a);
          f.cases++;
          f.checkpoints += a.checkpoints;
          if (s.pages > profile.mmu.tlbEntries) f.tlbOverflow++;
          if (flushed) f.fullFlush++;
          if (superpaged) f.superpage++;
          if (s.jobs !== null) f.periodic++;
        }),
        { numRuns: perPair, seed: SEED + index },
      );
    },
  );
});

/** A strategy's default parameters (what `requires` is asked about first). */
function paramsDefaults(def: StrategyDef): never {
  return Object.fromEntries(Object.entries(def.params).map(([k, s]) => [k, s.default])) as never;
}
