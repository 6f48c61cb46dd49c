/**
 * Helpers for the plots' tests: the fixture results file, counting the marks
 * a rendered SVG drew, reading a PNG's header.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../bench/cli/paths.ts';
import { type LoadedResults, parseResults } from './results.ts';

/** test/fixtures/plots/results.json: small real runs holding every figure's data (see make.sh there). */
export const FIXTURE = join(REPO_ROOT, 'test/fixtures/plots/results.json');

/** The charts the fixture makes, in order: every figure's (overhead has two). */
export const CHARTS: readonly string[] = [
  'overhead',
  'overhead-breakdown',
  'worst-case',
  'stall-cdf',
  'memory',
  'granularity',
  'flexpage-order',
  'interval',
  'realtime',
];

export type JsonObject = Record<string, unknown>;

/** The fixture as parsed JSON, a fresh copy each call (tests may change it). */
export function fixtureJson(): { runs: JsonObject[] } & JsonObject {
  return JSON.parse(readFileSync(FIXTURE, 'utf8'));
}

/** The object at the dotted `path` inside `o`; throws when a step is not an object. */
export function objectAt(o: unknown, path: string): JsonObject {
  let v = o;
  for (const key of path === '' ? [] : path.split('.')) {
    if (typeof v !== 'object' || v === null) throw new Error(`no object at ${path}`);
    v = (v as JsonObject)[key];
  }
  if (typeof v !== 'object' || v === null) throw new Error(`no object at ${path}`);
  return v as JsonObject;
}

function parentOf(o: JsonObject, path: string): [JsonObject, string] {
  const i = path.lastIndexOf('.');
  return i < 0 ? [o, path] : [objectAt(o, path.slice(0, i)), path.slice(i + 1)];
}

/** Sets the field at the dotted `path`. */
export function setField(o: JsonObject, path: string, value: unknown): void {
  const [parent, key] = parentOf(o, path);
  parent[key] = value;
}

/** Deletes the field at the dotted `path`. */
export function deleteField(o: JsonObject, path: string): void {
  const [parent, key] = parentOf(o, path);
  delete parent[key];
}

/** A spec's inline data (every figure's spec has its rows at `data.values`). */
export function dataValues(spec: unknown): JsonObject[] {
  return objectAt(spec, 'data')['values'] as JsonObject[];
}

/** The fixture, loaded as `npm run plots` loads it (optionally after `change` edits the JSON). */
export function loadFixture(change?: (doc: ReturnType<typeof fixtureJson>) => void): LoadedResults {
  const doc = fixtureJson();
  change?.(doc);
  return parseResults(doc, FIXTURE);
}

/**
 * The items vega drew for the marks named `name` (a layer's `name`; with
 * facets or concatenation one group per panel): the leaf elements of every
 * `<g class="mark-… role-mark <name>_marks">`. Names are matched whole, so
 * `points` does not count `points_r0_p1`; pass a RegExp for a family.
 */
export function countMarks(svg: string, name: string | RegExp): number {
  const groups = /<g class="mark-[a-z]+ role-mark ([A-Za-z0-9_]+)_marks"[^>]*>/g;
  let count = 0;
  for (const m of svg.matchAll(groups)) {
    const matches = typeof name === 'string' ? m[1] === name : name.test(m[1]!);
    if (!matches) continue;
    const start = m.index! + m[0].length;
    const body = svg.slice(start, svg.indexOf('</g>', start));
    count += (body.match(/<(path|line|rect|text|circle)\b/g) ?? []).length;
  }
  return count;
}

/** The width and height a PNG's IHDR chunk records; throws unless the signature is PNG's. */
export function pngSize(png: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!png.subarray(0, 8).equals(signature)) throw new Error('not a PNG: bad signature');
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG: no IHDR first');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The width and height of an SVG document's root element. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]* width="([\d.]+)" height="([\d.]+)"/.exec(svg);
  if (!m) throw new Error('no width and height on <svg>');
  return { width: Number(m[1]), height: Number(m[2]) };
}
