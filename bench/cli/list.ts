/**
 * `list`: strategies, workloads and profiles with their parameters, defaults,
 * ranges and docs — all generated from the declarations (gem5-style), so it
 * cannot drift from what the harness accepts.
 */
import { describeRange, type ParamSpec, type ParamSpecs, resolveParams } from '../../src/params/params.ts';
import { type CostProfile, loadProfile, PROFILE_NAMES, profileFieldRows } from '../../src/platform/index.ts';
import { strategies } from '../../src/strategies/index.ts';
import { commonParamSpecs, workloads } from '../../src/workloads/index.ts';
import { textTable } from '../table.ts';
import { optionName } from './options.ts';

/** Rows in columns under an indent, the last column ragged. */
function align(rows: readonly (readonly string[])[], indent: string): string[] {
  return textTable(
    (rows[0] ?? []).map(() => ({})),
    rows,
    { indent },
  );
}

function paramRow(name: string, spec: ParamSpec): string[] {
  const def = spec.type === 'string' && spec.default === '' ? "''" : String(spec.default);
  const unit = 'unit' in spec && spec.unit ? ` (${spec.unit})` : '';
  return [name, spec.type, `default ${def}`, `${describeRange(spec)}${unit}`, spec.doc];
}

function paramLines(specs: ParamSpecs, how: (key: string) => string): string[] {
  const keys = Object.keys(specs);
  if (keys.length === 0) return ['  no parameters'];
  return align(
    keys.map((k) => paramRow(how(k), specs[k]!)),
    '  ',
  );
}

function profileLines(profile: CostProfile): string[] {
  const caps = Object.entries(profile.capabilities);
  const has = caps.filter(([, v]) => v).map(([k]) => k);
  const lacks = caps.filter(([, v]) => !v).map(([k]) => k);
  return [
    `${profile.name} — ${profile.description}`,
    `  ${profile.arch}, ${profile.cpu.hz / 1e9} GHz`,
    `  capabilities: ${has.join(', ') || 'none'}`,
    `  lacks: ${lacks.join(', ') || 'nothing'}`,
  ];
}

/** The text `list` prints. */
export function renderList(): string {
  const out: string[] = ['STRATEGIES (--strategy NAME; parameters with --set KEY=VALUE)', ''];
  for (const s of strategies) {
    const needs = s.requires(resolveParams(s.name, s.params, {}));
    out.push(`${s.name} — ${s.doc}`);
    out.push(`  requires (at defaults): ${needs.length > 0 ? needs.join(', ') : 'nothing'}`);
    out.push(...paramLines(s.params, (k) => k));
    out.push('');
  }
  out.push('WORKLOADS (--workload NAME; parameters with --set KEY=VALUE)', '');
  out.push('common parameters of every workload:');
  out.push(...paramLines(commonParamSpecs, (k) => `--${optionName(k)}`));
  out.push('');
  for (const w of workloads) {
    out.push(`${w.name} — ${w.doc}`);
    out.push(...paramLines(w.params, (k) => k));
    out.push('');
  }
  out.push('PROFILES (--profile NAME, or a path to a JSON profile with the fields below)', '');
  for (const name of PROFILE_NAMES) out.push(...profileLines(loadProfile(name)), '');
  out.push('profile fields (each { "value": …, "source": "…" }):');
  out.push(
    ...align(
      profileFieldRows().map((f) => [f.path, f.kind, f.doc]),
      '  ',
    ),
  );
  return `${out.join('\n')}\n`;
}
