/**
 * When `npm run bench` rebuilds dist/ (scripts/build.mjs): whenever a source
 * it compiles or a config was modified, added or removed since the build
 * started reading — never running a stale harness — and not otherwise.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp.ts';
import { sourceFiles, staleReason, stampFor } from './build.mjs';

function tree(): string {
  const root = tempDir();
  for (const f of [
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'src/a.ts',
    'src/a.test.ts',
    'src/p/x.json',
    'bench/b.ts',
  ]) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '{}');
    utimesSync(join(root, f), 1000, 1000);
  }
  return root;
}

function stamp(root: string, startedMs: number): void {
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'dist', 'build.json'), stampFor(startedMs, sourceFiles(root)));
}

describe('a build of the harness', () => {
  it('reads the sources and configs, not the tests', () => {
    expect(sourceFiles(tree())).toEqual([
      'bench/b.ts',
      'package.json',
      'src/a.ts',
      'src/p/x.json',
      'tsconfig.build.json',
      'tsconfig.json',
    ]);
  });

  it('is current until a source changes, a source is added or removed, or a config changes', () => {
    const root = tree();
    expect(staleReason(root)).toBe('dist/ has no complete build');
    stamp(root, 2_000_000);
    expect(staleReason(root)).toBeNull();
    // A test is not compiled: changing one needs no build.
    utimesSync(join(root, 'src/a.test.ts'), 3000, 3000);
    expect(staleReason(root)).toBeNull();
    utimesSync(join(root, 'src/p/x.json'), 3000, 3000);
    expect(staleReason(root)).toBe('src/p/x.json changed');
    stamp(root, 4_000_000);
    writeFileSync(join(root, 'bench/new.ts'), '');
    utimesSync(join(root, 'bench/new.ts'), 1000, 1000);
    expect(staleReason(root)).toBe('source files were added or removed');
    stamp(root, 4_000_000);
    utimesSync(join(root, 'tsconfig.build.json'), 5000, 5000);
    expect(staleReason(root)).toBe('tsconfig.build.json changed');
  });
});
