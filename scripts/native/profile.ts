/**
 * A cost profile from a calibration file (`npm run calibrate`,
 * `dirtybench/calibration@1`): `linux-x86_64-here`, the shipped
 * `linux-x86_64` with every figure this machine's microbenchmarks measure
 * replaced by what they measured, in cycles at the machine's nominal clock,
 * each citing "measured: <command>, <date>, <machine>: <expression>".
 *
 * The figures on a fault's path are distributions where the tail lives: the
 * model composes a fault-notify fault as pageFaultTrap + 2·ipcOneWay +
 * handlerWork + mapPerPage + pageWalk (src/strategies/fault-notify) and a
 * kernel-log fault as pageFaultTrap + logAppend + pageWalk
 * (src/strategies/kernel-log). Quantile-by-quantile subtraction of
 * independent figures is no convolution, so each path carries its whole
 * measured spread in one figure: pageFaultTrap, ipcOneWay and mapPerPage are
 * medians (constants), and handlerWork (uffd-wp) and logAppend (uffd-async)
 * are the measured fault latency's quantiles less the constants on their
 * path and the page walk's median. A simulated fault then draws the
 * calibrated round trip plus the page walk's spread about its median.
 * Figures a benchmark measures on its own (the page walk, the copy, the
 * syscall) are distributions of their own samples less the clock read's
 * median. Slopes across pages (the protect series) are least-squares fits
 * of medians, constants.
 */
import { readFileSync } from 'node:fs';
import { type Distribution, QUANTILES } from './quantiles.ts';

/** The shipped profile the calibrated one starts from. */
const SHIPPED_LINUX = new URL('../../src/platform/profiles/linux-x86_64.json', import.meta.url);

/** The profile's name. */
export const HERE_PROFILE = 'linux-x86_64-here';

/** What the generator reads from a calibration file. */
export interface CalibrationInput {
  command: string;
  createdAt: string;
  machine: {
    cpuModel: string;
    cpus: number;
    hypervisor: boolean;
    pcid: boolean;
    kernel: string;
    nominalCpuHz: number | null;
  };
  benchmarks: Record<
    string,
    { distributions: Record<string, Distribution>; params: Record<string, unknown> }
  >;
}

/** A profile figure as JSON: a constant or a distribution, with its source. */
type Figure =
  | { value: number | boolean; source: string }
  | { distribution: Record<string, number>; source: string };

type ProfileJson = {
  name: string;
  description: string;
  arch: string;
} & Record<string, Record<string, Figure>>;

/** The names of the quantiles a calibration keeps that a profile distribution takes. */
const QUANTILE_KEYS = QUANTILES.map(([, name]) => name);

export class CalibrationError extends Error {
  override name = 'CalibrationError';
}

/** Builds `linux-x86_64-here` from a calibration; the base is the shipped `linux-x86_64`. */
export function calibratedProfile(cal: CalibrationInput, base?: ProfileJson): ProfileJson {
  const profile: ProfileJson = base ?? (JSON.parse(readFileSync(SHIPPED_LINUX, 'utf8')) as ProfileJson);
  const hz = cal.machine.nominalCpuHz;
  if (hz === null) throw new CalibrationError('the calibration names no nominal clock (cpu MHz)');
  const cycles = (ns: number) => Math.max(0, Math.round((ns * hz) / 1e9));
  const day = cal.createdAt.slice(0, 10);
  const where = `${cal.machine.cpuModel}, ${cal.machine.cpus} CPUs${cal.machine.hypervisor ? ' (a VM)' : ''}, Linux ${cal.machine.kernel}`;
  const measured = (what: string) => `measured: ${cal.command}, ${day}, ${where}: ${what}`;

  const series = (bench: string, name: string): Distribution => {
    const d = cal.benchmarks[bench]?.distributions[name];
    if (d === undefined) throw new CalibrationError(`the calibration has no ${bench}.${name}`);
    return d;
  };
  const p50 = (bench: string, name: string) => series(bench, name)['p50']!;
  /** A distribution figure: the series' quantiles less `lessNs`, in whole cycles, never below 0. */
  const shifted = (d: Distribution, lessNs: number, source: string): Figure => {
    const out: Record<string, number> = {};
    for (const k of QUANTILE_KEYS) if (d[k] !== undefined) out[k] = cycles(d[k]! - lessNs);
    return { distribution: out, source };
  };
  const constant = (ns: number, source: string): Figure => ({ value: cycles(ns), source });
  /** Least squares of the protect series' medians over pages: [intercept, slope] in ns. */
  const leastSquares = (kind: 'uffd' | 'mprotect', pages: (k: number) => boolean): [number, number] => {
    const points: [number, number][] = [];
    for (const [key, b] of Object.entries(cal.benchmarks)) {
      const m = /^protect\.(\w+)\.(\d+)$/.exec(key);
      if (m?.[1] !== kind || !pages(Number(m[2]))) continue;
      points.push([Number(m[2]), b.distributions['protect']!['p50']!]);
    }
    if (points.length < 2) throw new CalibrationError(`the calibration has too few protect.${kind}.K series`);
    const n = points.length;
    const mx = points.reduce((a, [x]) => a + x, 0) / n;
    const my = points.reduce((a, [, y]) => a + y, 0) / n;
    const slope =
      points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) /
      points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
    return [my - slope * mx, slope];
  };

  const clock = p50('clock', 'clock');
  const store = p50('store.untracked', 'store');
  const syscall = p50('syscall', 'syscall');
  const walk = p50('read.random', 'read') - clock;
  const trap = Math.max(0, p50('fault.mprotect', 'outsideHandler') - store);
  const ipc = Math.max(0, (p50('fault.uffd-wp.same-cpu', 'outsideHandler') - trap - store) / 2);
  const map = Math.max(0, p50('protect.uffd.1', 'unprotect') - syscall);
  const [below, perPageBelow] = leastSquares('uffd', (k) => k <= 33);
  const [above, perPageAbove] = leastSquares('uffd', (k) => k > 33);
  const unmap = Math.max(0, perPageAbove);
  const scanPages = Number(cal.benchmarks['scan.uffd-async.0']?.params['pages'] ?? 0);

  const set = (section: string, field: string, figure: Figure) => {
    if (profile[section]?.[field] === undefined) throw new CalibrationError(`no figure ${section}.${field}`);
    profile[section]![field] = figure;
  };
  profile.name = HERE_PROFILE;
  profile.description = `Linux x86_64 as measured on this machine (${where}) by npm run calibrate on ${day}: write-fault notification = userfaultfd-wp with a handler thread on B's CPU, dirty log = uffd WP_ASYNC with PAGEMAP_SCAN (kernel-log log=pagemap-scan); figures the calibration does not measure are linux-x86_64's`;
  set('cpu', 'hz', {
    value: hz,
    source: measured('the kernel’s cpu MHz (/proc/cpuinfo), the nominal clock ns are converted at'),
  });
  set(
    'mmu',
    'pageWalk',
    shifted(
      series('read.random', 'read'),
      clock,
      measured(
        'read.random − clock p50: a load from a random line of B-sized memory, the walk and the cache misses a TLB miss costs a model without caches',
      ),
    ),
  );
  set('mmu', 'tlbTagged', {
    value: cal.machine.pcid,
    source: measured(
      'the pcid flag of /proc/cpuinfo: without it Linux flushes the TLB on every switch of address space',
    ),
  });
  set('mmu', 'superpageOrder', {
    value: 0,
    source: 'assumed: the replayer maps B MADV_NOHUGEPAGE (scripts/native/replay.c): 4 KiB pages only',
  });
  set(
    'mmu',
    'tlbInvalidatePage',
    constant(
      Math.max(0, perPageBelow - unmap),
      measured('slope of protect.uffd.K.protect p50 over K ≤ 33 (least squares) − kernel.unmapPerPage'),
    ),
  );
  set(
    'mmu',
    'tlbFlushAll',
    constant(
      Math.max(0, above - below),
      measured(
        'intercept of protect.uffd.K.protect p50 over K > 33 − its intercept over K ≤ 33: the full flush above the 33-page ceiling',
      ),
    ),
  );
  set(
    'kernel',
    'syscall',
    shifted(series('syscall', 'syscall'), clock, measured('syscall (getppid) − clock p50')),
  );
  set(
    'kernel',
    'pageFaultTrap',
    constant(
      trap,
      measured(
        'fault.mprotect.outsideHandler p50 − store.untracked p50: trap, signal delivery and sigreturn',
      ),
    ),
  );
  set(
    'kernel',
    'ipcOneWay',
    constant(
      ipc,
      measured(
        '(fault.uffd-wp.same-cpu.outsideHandler p50 − kernel.pageFaultTrap − store.untracked p50) / 2: the two thread switches',
      ),
    ),
  );
  set(
    'kernel',
    'mapPerPage',
    constant(map, measured('protect.uffd.1.unprotect p50 − syscall p50: write-enabling one page')),
  );
  set(
    'kernel',
    'unmapPerPage',
    constant(
      unmap,
      measured(
        'slope of protect.uffd.K.protect p50 over K > 33 (least squares): per page, after the full flush',
      ),
    ),
  );
  set(
    'kernel',
    'logAppend',
    shifted(
      series('fault.uffd-async', 'fault'),
      trap + walk,
      measured(
        'fault.uffd-async.fault − kernel.pageFaultTrap − mmu.pageWalk p50, quantile by quantile: a kernel-log fault draws the measured round trip (its spread carried here)',
      ),
    ),
  );
  if (scanPages > 0) {
    set(
      'kernel',
      'logScanPerPage',
      constant(
        p50('scan.uffd-async.0', 'scan') / scanPages,
        measured(`scan.uffd-async.0 p50 / ${scanPages} pages: PAGEMAP_SCAN's walk per page`),
      ),
    );
  }
  set(
    'checkpointer',
    'handlerWork',
    shifted(
      series('fault.uffd-wp.same-cpu', 'fault'),
      trap + 2 * ipc + map + walk,
      measured(
        'fault.uffd-wp.same-cpu.fault − kernel.pageFaultTrap − 2·kernel.ipcOneWay − kernel.mapPerPage − mmu.pageWalk p50, quantile by quantile: a fault-notify fault draws the measured round trip (its spread carried here)',
      ),
    ),
  );
  set(
    'checkpointer',
    'copyPage',
    shifted(
      series('copy.cold', 'copy-cold'),
      clock,
      measured('copy.cold − clock p50: 4 KiB memcpy between pages out of cache'),
    ),
  );
  return profile;
}
