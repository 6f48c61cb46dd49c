/**
 * Cost profiles: what every operation of the emulated platform costs, in
 * integer cycles of one core, and what the platform can do.
 *
 * A profile is JSON. Every figure is `{ "value": …, "source": "…" }`, where the
 * source is a citation (see shared/calibration.md) or `assumed: <why>`, so a
 * reader can see which conclusions rest on guesses. The schema below is the one
 * place the fields are declared: loading, validation, `list` and the docs are
 * generated from it.
 *
 * A cost figure (kind `cycles`) may instead be an empirical distribution,
 * `{ "distribution": { "p0": …, "p50": …, "p99": …, "max": … }, "source": "…" }`:
 * quantiles in whole cycles, p0 and max required, any percentiles between,
 * never decreasing (docs/design.md §1). The loaded `CostProfile` keeps each such
 * figure's maximum where a constant keeps its value, so everything that
 * reasons about worst cases (the strategies' analytic bounds, the copy's
 * bound) reads the maxima unchanged; the distributions themselves are in
 * `distributions`, and a run draws from them through the platform's sampled
 * view of the profile (sampling.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_COST_CYCLES, MAX_OBJECT_BYTES } from './exact.ts';
import { MAX_PAGES } from './records.ts';

/** What kind of figure a field holds; decides validation and unit. */
type FieldKind = 'cycles' | 'count' | 'bytes' | 'hz' | 'flag';

interface FieldSpec {
  readonly kind: FieldKind;
  readonly doc: string;
  /** Smallest allowed value for numbers (default 0; cycles may be 0). */
  readonly min?: number;
  /** Largest allowed value, with the reason (default: the kind's, {@link KIND_MAX}). */
  readonly max?: { readonly value: number; readonly why: string };
}

/**
 * The largest value of each kind of figure (src/platform/exact.ts, rule 2):
 * one operation or one object is small against the 2^53 − 1 a total may
 * reach, so that totals over a run can be checked cheaply and stay exact.
 */
const KIND_MAX: Readonly<Record<FieldKind, FieldSpec['max']>> = {
  cycles: { value: MAX_COST_CYCLES, why: '2^32 cycles, see src/platform/exact.ts' },
  bytes: { value: MAX_OBJECT_BYTES, why: '2^20 bytes, see src/platform/exact.ts' },
  count: undefined,
  hz: undefined,
  flag: undefined,
};

/** B's largest memory bounds page counts and flexpage orders (records.ts). */
const PAGES_MAX = { value: MAX_PAGES, why: "2^29 pages, B's largest memory; see src/platform/exact.ts" };
/** ... and so the order (log2 pages) of a flexpage or superpage. */
const ORDER_MAX = {
  value: Math.log2(MAX_PAGES),
  why: "2^29 pages, B's largest memory; see src/platform/exact.ts",
};

/**
 * The profile schema: section → field → declaration. Adding a figure is one
 * line here plus its value in every profile JSON.
 */
export const PROFILE_SCHEMA = {
  cpu: {
    hz: { kind: 'hz', doc: 'core clock, converts cycles to time', min: 1 },
    wordBits: {
      kind: 'count',
      doc: 'bits of a machine word: a bitmap is read, tested and cleared one word at a time',
      min: 8,
    },
    cacheLineBytes: {
      kind: 'bytes',
      doc: 'data-cache line size: cache maintenance by address works one line at a time',
      min: 1,
    },
    bitmapScanPerWord: {
      kind: 'cycles',
      doc: 'read, test and clear one word of a bitmap (kernel dirty log or a checkpointer bitmap)',
    },
    bitmapPerSetBit: {
      kind: 'cycles',
      doc: 'find one set bit of a bitmap word (tzcnt/clz) and store its page number',
    },
    ringEntry: {
      kind: 'cycles',
      doc: 'read one entry of a dirty ring and store its page number (the checkpointer draining the ring)',
    },
  },
  mmu: {
    tlbEntries: {
      kind: 'count',
      doc: 'TLB entries (one level, standing for the last-level data TLB)',
      min: 1,
      max: { value: 65535, why: 'the simulator indexes TLB slots in 16 bits' },
    },
    tlbWays: { kind: 'count', doc: 'TLB associativity; entries/ways must be a power of two', min: 1 },
    hardwareDirtyBit: {
      kind: 'flag',
      doc: 'the MMU sets the dirty bit in the page-table entry on the first write',
    },
    pageWalk: { kind: 'cycles', doc: 'a TLB miss: walk the page table and fill the TLB' },
    dirtyAssist: {
      kind: 'cycles',
      doc: 'first write through a TLB entry cached clean: the walk that sets D',
    },
    tlbInvalidatePage: {
      kind: 'cycles',
      doc: 'invalidate one page of the TLB (invlpg, TLBIMVA), where the kernel invalidates page by page',
    },
    tlbFlushAll: { kind: 'cycles', doc: 'flush the whole TLB, where the kernel invalidates page by page' },
    tlbFlushThresholdPages: {
      kind: 'count',
      doc: 'a page-by-page invalidation of more pages than this flushes the whole TLB instead',
      max: PAGES_MAX,
    },
    tlbTagged: {
      kind: 'flag',
      doc: "TLB entries carry an address-space tag (ARMv7 ASID, x86 PCID): B's entries survive a switch to another address space and back; untagged, every such switch empties B's TLB",
    },
    superpageOrder: {
      kind: 'count',
      doc: 'log2 pages of the large page the MMU and kernel map (9: 2 MiB on x86_64, 8: 1 MiB section on ARMv7): one TLB entry, one W and one D bit for all its pages; 0: none',
      max: { value: 20, why: 'a superpage of at most 2^20 pages' },
    },
  },
  kernel: {
    pageFaultTrap: {
      kind: 'cycles',
      doc: 'page-fault exception: kernel entry, fault decode, and the return to user',
    },
    ipcOneWay: { kind: 'cycles', doc: 'one-way IPC between address spaces (also a fault IPC or a reply)' },
    syscall: {
      kind: 'cycles',
      doc: 'entry and exit of a kernel call that is not IPC (map, unmap, log read)',
    },
    mapPerPage: {
      kind: 'cycles',
      doc: 'install or upgrade one page-table entry (mapping database included)',
    },
    unmapPerPage: {
      kind: 'cycles',
      doc: 'revoke or downgrade one page-table entry (a superpage counts once), reading its A/D status, with any per-entry TLB maintenance the kernel does',
    },
    unmapFlushesSpace: {
      kind: 'flag',
      doc: "an unmap drops all of B's TLB entries (Fiasco.OC), rather than invalidating the changed pages one by one up to mmu.tlbFlushThresholdPages (Linux)",
    },
    irqTrigger: { kind: 'cycles', doc: 'trigger an IRQ object (how core submits a Genode signal)' },
    threadSwitch: {
      kind: 'cycles',
      doc: "a preemption: the timer interrupt that ends a time slice or releases a thread, the scheduler's pick and the switch to the other thread and its address space (the copier thread of --copy=cow against B)",
    },
    logAppend: {
      kind: 'cycles',
      doc: 'kernel extension: log one written page (a bit, or a ring entry) and re-enable write',
    },
    logScanPerPage: {
      kind: 'cycles',
      doc: "kernel extension, Linux style: walk one page's page-table entry to read (and reset) its written state (PAGEMAP_SCAN, /proc/pid/pagemap)",
    },
    cacheMaintenanceCall: {
      kind: 'cycles',
      doc: 'entry and exit of the kernel call behind l4_cache_dma_coherent (0 where it is an empty inline)',
    },
    cacheMaintenancePerLine: {
      kind: 'cycles',
      doc: 'clean and invalidate one data-cache line by address, inner and outer cache (l4_cache_dma_coherent)',
    },
  },
  core: {
    regionLookup: {
      kind: 'cycles',
      doc: "core's lookup of the fault address in one region map (one nesting level)",
    },
    attachWork: {
      kind: 'cycles',
      doc: "core's work in Region_map::attach beyond the RPC (region alloc, faulter wake-up)",
    },
    detachWork: { kind: 'cycles', doc: "core's work in Region_map::detach beyond the RPC and the unmaps" },
    stateWork: { kind: 'cycles', doc: "core's work in Region_map::state() beyond the RPC" },
    signalWork: {
      kind: 'cycles',
      doc: "core's work on a signal, each time: queue it (Pd_session::submit) and dequeue it (wait_for_signal)",
    },
    threadControl: {
      kind: 'cycles',
      doc: 'core+kernel work to pause or to resume one thread (Cpu_thread, ex_regs)',
    },
    maxMapOrder: {
      kind: 'count',
      doc: 'largest flexpage (log2 pages) core maps to answer one fault (Fault_area, constrain_map_size_log2)',
      max: ORDER_MAX,
    },
  },
  checkpointer: {
    handlerWork: {
      kind: 'cycles',
      doc: "the checkpointer's own work per tracking fault beyond its list walks (mark the page or dataspace)",
    },
    copyPage: { kind: 'cycles', doc: 'copy one 4 KiB page into the checkpoint store' },
    bitmapScanPerPage: { kind: 'cycles', doc: 'read and clear one page of a dirty bitmap at a checkpoint' },
    listNodeVisit: {
      kind: 'cycles',
      doc: "one element of a Genode::List walked by A (rtcr's find_by_addr and dataspace list, the signal-context registry)",
    },
    signalContextVisit: {
      kind: 'cycles',
      doc: 'one signal context walked by Signal_receiver::pending_signal, its lock taken and released',
    },
  },
  capabilities: {
    hardwareDirtyBits: {
      kind: 'flag',
      doc: 'unmap returns (and clears) the dirty/accessed status of the pages',
    },
    managedDataspaces: {
      kind: 'flag',
      doc: 'Genode managed dataspaces with user-level region-map fault handlers',
    },
    readOnlyAttach: {
      kind: 'flag',
      doc: 'Region_map::attach accepts a read-only attribute (Genode 2018 and later)',
    },
    rmSessionPerManagedDataspace: {
      kind: 'flag',
      doc: 'every managed dataspace needs its own RM session (Genode before 16.05)',
    },
    kernelFaultNotification: {
      kind: 'flag',
      doc: 'the kernel notifies a tracker thread of write faults (extension)',
    },
    kernelDirtyLog: {
      kind: 'flag',
      doc: 'the kernel logs written pages itself and resumes the writer (extension)',
    },
  },
  memory: {
    rmSessionQuotaBytes: { kind: 'bytes', doc: 'RAM quota donated to core per RM session' },
    rmSessionUpgradeBytes: {
      kind: 'bytes',
      doc: 'RAM quota the checkpointer adds to an RM session on Out_of_metadata (one upgrade)',
      min: 1,
    },
    regionMapMetadataBytes: { kind: 'bytes', doc: "core's metadata per region map (allocator_avl block)" },
    attachmentMetadataBytes: {
      kind: 'bytes',
      doc: "core's metadata per attachment (Rm_region in the AVL tree)",
    },
    dataspaceMetadataBytes: { kind: 'bytes', doc: "core's metadata per RAM dataspace (Dataspace_component)" },
  },
} as const satisfies Record<string, Record<string, FieldSpec>>;

type Schema = typeof PROFILE_SCHEMA;

/**
 * An empirical distribution of one cost figure: the cycles at ascending
 * probabilities, from p0 (probability 0, the least) to max (probability 1),
 * read as a piecewise-linear quantile function. Plain data.
 */
export interface CostDistribution {
  /** Probabilities, strictly ascending, the first 0 and the last 1. */
  readonly p: readonly number[];
  /** Cycles at each probability: whole, never decreasing. */
  readonly cycles: readonly number[];
}
type FieldValue<F> = F extends { readonly kind: 'flag' } ? boolean : number;

/** A validated profile: plain numbers and booleans, read on the hot path without indirection. */
export type CostProfile = {
  /** Profile name, e.g. `fiasco-oc-x86_64`. */
  readonly name: string;
  /** One line: what platform this profile stands for. */
  readonly description: string;
  /** Architecture tag, informational. */
  readonly arch: string;
  /** The source of every figure, keyed `section.field`. */
  readonly sources: Readonly<Record<string, string>>;
  /**
   * The figures given as distributions, keyed `section.field`; each such
   * figure's number in its section is the distribution's maximum. Empty (or
   * absent, in a profile built by hand) when every figure is a constant.
   */
  readonly distributions?: Readonly<Record<string, CostDistribution>>;
} & { readonly [S in keyof Schema]: { readonly [F in keyof Schema[S]]: FieldValue<Schema[S][F]> } };

/** The capability names a strategy can require. */
export type Capability = keyof Schema['capabilities'];

/** Raised when a profile is malformed; the message names the profile and the field. */
export class ProfileError extends Error {
  override name = 'ProfileError';
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The keys of a profile's top level: its identification, then the schema's sections. */
const TOP_KEYS = ['name', 'description', 'arch', ...Object.keys(PROFILE_SCHEMA)];
/** The keys of one figure. */
const FIGURE_KEYS = ['value', 'source'];

/**
 * The one rule for keys, at every level of a profile (top, section, figure):
 * a key the schema does not declare is an error, so a typo never passes as
 * an ignored field.
 * @throws ProfileError naming the first unknown key with its path and the known ones.
 */
function checkKeys(
  obj: Record<string, unknown>,
  known: readonly string[],
  path: string,
  origin: string,
): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const at = path === '' ? key : `${path}.${key}`;
    throw new ProfileError(`profile ${origin}: ${at} is not a known field (known: ${known.join(', ')})`);
  }
}

/**
 * Validates parsed JSON against the schema.
 * @throws ProfileError naming the first bad field: unknown (at any level),
 *   missing, wrong type, negative, out of range, not an integer where
 *   cycles/counts/bytes are required, or without a source.
 */
export function parseProfile(json: unknown, origin: string): CostProfile {
  const where = (field: string) => `profile ${origin}: ${field}`;
  if (!isRecord(json)) throw new ProfileError(`profile ${origin}: not a JSON object`);
  checkKeys(json, TOP_KEYS, '', origin);
  for (const key of ['name', 'description', 'arch'] as const) {
    if (typeof json[key] !== 'string' || json[key] === '') {
      throw new ProfileError(`${where(key)} is missing or not a non-empty string`);
    }
  }
  const sources: Record<string, string> = {};
  const distributions: Record<string, CostDistribution> = {};
  const out: Record<string, unknown> = {
    name: json['name'],
    description: json['description'],
    arch: json['arch'],
    sources,
    distributions,
  };
  for (const [section, fields] of Object.entries(PROFILE_SCHEMA)) {
    const sec = json[section];
    if (!isRecord(sec)) throw new ProfileError(`${where(section)} is missing or not an object`);
    checkKeys(sec, Object.keys(fields), section, origin);
    const values: Record<string, number | boolean> = {};
    for (const [field, spec] of Object.entries(fields) as [string, FieldSpec][]) {
      const path = `${section}.${field}`;
      const fig = sec[field];
      if (fig === undefined) throw new ProfileError(`${where(path)} is missing`);
      if (!isRecord(fig)) throw new ProfileError(`${where(path)} must be { "value": …, "source": "…" }`);
      // A distribution figure's keys are checked by parseDistribution (distribution and source).
      if (fig['distribution'] === undefined) checkKeys(fig, FIGURE_KEYS, path, origin);
      if (typeof fig['source'] !== 'string' || fig['source'].trim() === '') {
        throw new ProfileError(`${where(path)} has no source (cite one, or write "assumed: <why>")`);
      }
      if (fig['distribution'] !== undefined) {
        const d = parseDistribution(fig, spec, where(path));
        distributions[path] = d;
        values[field] = d.cycles.at(-1)!;
        sources[path] = fig['source'];
        continue;
      }
      const v = fig['value'];
      if (spec.kind === 'flag') {
        if (typeof v !== 'boolean') throw new ProfileError(`${where(path)}.value must be true or false`);
      } else {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new ProfileError(`${where(path)}.value must be a number`);
        }
        if (v < 0) throw new ProfileError(`${where(path)}.value must not be negative, got ${v}`);
        if (v < (spec.min ?? 0))
          throw new ProfileError(`${where(path)}.value must be >= ${spec.min}, got ${v}`);
        if (!Number.isSafeInteger(v))
          throw new ProfileError(`${where(path)}.value must be an integer, got ${v}`);
        const max = spec.max ?? KIND_MAX[spec.kind];
        if (max !== undefined && v > max.value)
          throw new ProfileError(`${where(path)}.value must be <= ${max.value} (${max.why}), got ${v}`);
      }
      values[field] = v;
      sources[path] = fig['source'];
    }
    out[section] = values;
  }
  const profile = out as CostProfile;
  const sets = profile.mmu.tlbEntries / profile.mmu.tlbWays;
  if (!Number.isInteger(sets) || (sets & (sets - 1)) !== 0) {
    throw new ProfileError(
      `${where('mmu.tlbWays')} must divide mmu.tlbEntries into a power-of-two number of sets`,
    );
  }
  const w = profile.cpu.wordBits;
  if (w > 64 || (w & (w - 1)) !== 0) {
    throw new ProfileError(`${where('cpu.wordBits')}.value must be a power of two up to 64, got ${w}`);
  }
  if (profile.capabilities.hardwareDirtyBits && !profile.mmu.hardwareDirtyBit) {
    throw new ProfileError(
      `${where('capabilities.hardwareDirtyBits')} needs mmu.hardwareDirtyBit: the kernel cannot report a bit the MMU never sets`,
    );
  }
  return Object.freeze(profile);
}

/** A quantile's name in a profile (`p0` … `p99.9`, `max`) → its probability, or NaN. */
function quantileProbability(name: string): number {
  if (name === 'max') return 1;
  const m = /^p(\d+(?:\.\d+)?)$/.exec(name);
  // `${percent}e-2`: the probability parsed from its decimal digits, so p99.9 is exactly 0.999.
  return m && Number(m[1]) < 100 ? Number(`${m[1]}e-2`) : Number.NaN;
}

/**
 * A figure's `distribution`: whole cycles (at least the field's minimum) at
 * named quantiles, p0 and max among them, never decreasing.
 * @throws ProfileError naming the figure and what is wrong.
 */
function parseDistribution(fig: Record<string, unknown>, spec: FieldSpec, where: string): CostDistribution {
  if (spec.kind !== 'cycles') {
    throw new ProfileError(`${where} is a ${spec.kind}: only cost figures (cycles) may be distributions`);
  }
  if (fig['value'] !== undefined) {
    throw new ProfileError(`${where} has both a value and a distribution: give one`);
  }
  const unknownKey = Object.keys(fig).find((k) => k !== 'distribution' && k !== 'source');
  if (unknownKey !== undefined) {
    throw new ProfileError(
      `${where}.${unknownKey} is not a known key (a distribution figure has distribution and source)`,
    );
  }
  const d = fig['distribution'];
  if (!isRecord(d)) {
    throw new ProfileError(`${where}.distribution must be { "p0": …, "p50": …, "max": … } in cycles`);
  }
  const points: [number, number, string][] = [];
  for (const [name, v] of Object.entries(d)) {
    const p = quantileProbability(name);
    if (Number.isNaN(p)) {
      throw new ProfileError(`${where}.distribution.${name} is not a quantile (p0 … p99.9, or max)`);
    }
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < (spec.min ?? 0)) {
      throw new ProfileError(
        `${where}.distribution.${name} must be a whole number of cycles >= ${spec.min ?? 0}, got ${JSON.stringify(v)}`,
      );
    }
    // The same cap as a constant's (src/platform/exact.ts): a draw is at most the maximum.
    const max = spec.max ?? KIND_MAX[spec.kind];
    if (max !== undefined && v > max.value) {
      throw new ProfileError(`${where}.distribution.${name} must be <= ${max.value} (${max.why}), got ${v}`);
    }
    points.push([p, v, name]);
  }
  points.sort((a, b) => a[0] - b[0]);
  if (points[0]?.[0] !== 0 || points.at(-1)?.[0] !== 1) {
    throw new ProfileError(`${where}.distribution needs p0 and max (the least and the greatest cycles)`);
  }
  for (let i = 1; i < points.length; i++) {
    const [p, v, name] = points[i]!;
    const [q, u, before] = points[i - 1]!;
    if (p === q)
      throw new ProfileError(`${where}.distribution names one quantile twice (${before}, ${name})`);
    if (v < u) {
      throw new ProfileError(
        `${where}.distribution must not decrease: ${name} is ${v}, below ${before} (${u})`,
      );
    }
  }
  return { p: points.map((x) => x[0]), cycles: points.map((x) => x[1]) };
}

const PROFILE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'profiles');

/** Names of the profiles shipped in src/platform/profiles. */
export const PROFILE_NAMES = ['fiasco-oc-x86_64', 'fiasco-oc-armv7', 'linux-x86_64'] as const;

/** Reads and validates a profile JSON file. @throws ProfileError on unreadable or malformed files. */
export function loadProfileFile(path: string): CostProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ProfileError(
      `profile ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  let json: unknown;
  try {
    // A UTF-8 byte order mark (editors on Windows write one) is not part of the JSON.
    json = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (e) {
    throw new ProfileError(`profile ${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseProfile(json, path);
}

/**
 * Loads a shipped profile by name, or a JSON file by path (anything with a `/`
 * or ending in `.json`).
 * @throws ProfileError listing the shipped names when the name is unknown.
 */
export function loadProfile(nameOrPath: string): CostProfile {
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.json')) return loadProfileFile(nameOrPath);
  if (!(PROFILE_NAMES as readonly string[]).includes(nameOrPath)) {
    throw new ProfileError(
      `unknown profile '${nameOrPath}' (shipped: ${PROFILE_NAMES.join(', ')}; or give a path to a JSON file)`,
    );
  }
  return loadProfileFile(join(PROFILE_DIR, `${nameOrPath}.json`));
}

/** Converts cycles to microseconds with the profile's clock (for display only; results keep cycles). */
export function cyclesToMicros(profile: CostProfile, cycles: number): number {
  return (cycles * 1e6) / profile.cpu.hz;
}

/** The schema entries as rows, for `list` and documentation. */
export function profileFieldRows(): { path: string; kind: FieldKind; doc: string }[] {
  // This order also numbers each figure's random stream (sampling.ts `figureIndex`).
  const rows: { path: string; kind: FieldKind; doc: string }[] = [];
  for (const [section, fields] of Object.entries(PROFILE_SCHEMA)) {
    for (const [field, spec] of Object.entries(fields) as [string, FieldSpec][]) {
      rows.push({ path: `${section}.${field}`, kind: spec.kind, doc: spec.doc });
    }
  }
  return rows;
}
