/**
 * The machine a native measurement ran on, as results and calibration files
 * cite it: CPU (from /proc/cpuinfo), kernel, clock source, THP mode, and the
 * facts that change fault costs most (a hypervisor; page-table isolation
 * without PCID, which flushes the TLB on every kernel entry and exit).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, release, version } from 'node:os';

export interface Machine {
  /** `model name` of /proc/cpuinfo. */
  cpuModel: string;
  /** `vendor_id`, `cpu family`, `model` and `stepping`. */
  cpuId: string;
  /** `cpu MHz` of the first CPU as the kernel reports it (a VM reports the host's TSC rate). */
  cpuMHz: number;
  cpus: number;
  /** The `hypervisor` CPU flag: running in a virtual machine. */
  hypervisor: boolean;
  /** The `pcid` CPU flag. */
  pcid: boolean;
  /** /sys/devices/system/cpu/vulnerabilities/meltdown: "Mitigation: PTI" means page-table isolation. */
  meltdown: string;
  /** `uname -r` and `uname -v`. */
  kernel: string;
  kernelVersion: string;
  /** /sys/devices/system/clocksource/clocksource0/current_clocksource. */
  clocksource: string;
  /** /sys/kernel/mm/transparent_hugepage/enabled (the bracketed mode). */
  thp: string;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** The first processor block of /proc/cpuinfo as key → value. */
function cpuinfo(): Map<string, string> {
  const fields = new Map<string, string>();
  const text = read('/proc/cpuinfo');
  for (const line of text.split('\n')) {
    if (line.trim() === '') break;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return fields;
}

export function describeMachine(): Machine {
  const info = cpuinfo();
  const flags = new Set((info.get('flags') ?? '').split(/\s+/));
  const thp = read('/sys/kernel/mm/transparent_hugepage/enabled');
  return {
    cpuModel: info.get('model name') ?? 'unknown',
    cpuId: ['vendor_id', 'cpu family', 'model', 'stepping']
      .map((k) => `${k} ${info.get(k) ?? '?'}`)
      .join(', '),
    cpuMHz: Number(info.get('cpu MHz') ?? 'NaN'),
    cpus: availableParallelism(),
    hypervisor: flags.has('hypervisor'),
    pcid: flags.has('pcid'),
    meltdown: read('/sys/devices/system/cpu/vulnerabilities/meltdown'),
    kernel: release(),
    kernelVersion: version(),
    clocksource: read('/sys/devices/system/clocksource/clocksource0/current_clocksource'),
    thp: /\[(\w+)\]/.exec(thp)?.[1] ?? thp,
  };
}

/**
 * The nominal clock that converts measured ns to cycles: the `cpu MHz` the
 * kernel reports, to the kHz. It states a convention, not a measured core
 * frequency (which a VM does not expose); every result records it as `cpuHz`.
 */
export function nominalCpuHz(m: Machine): number | null {
  return Number.isFinite(m.cpuMHz) && m.cpuMHz > 0 ? Math.round(m.cpuMHz * 1000) * 1000 : null;
}
