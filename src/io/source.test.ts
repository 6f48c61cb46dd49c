import { describe, expect, it } from 'vitest';
import { sourceUrl } from './source.ts';

describe('sourceUrl', () => {
  it('names the same repository file from a source module and from its compiled copy in dist/', () => {
    const fromSource = new URL('../../test/x.gz', sourceUrl('file:///repo/src/workloads/fixtures.ts'));
    const fromDist = new URL('../../test/x.gz', sourceUrl('file:///repo/dist/src/workloads/fixtures.js'));
    expect(fromSource.href).toBe('file:///repo/test/x.gz');
    expect(fromDist.href).toBe('file:///repo/test/x.gz');
  });

  it('takes the last dist/ of the path, so a repository inside a dist/ directory works', () => {
    expect(sourceUrl('file:///dist/repo/dist/bench/cli/paths.js').href).toBe(
      'file:///dist/repo/bench/cli/paths.ts',
    );
  });
});
