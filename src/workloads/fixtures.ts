/** Paths of the repository's test fixtures, for tests and the host-speed suite. */
import { fileURLToPath } from 'node:url';
import { sourceUrl } from '../io/index.ts';

/** A real valgrind lackey trace of /bin/true (test/fixtures/true.lackey.gz). */
export const SHIPPED_LACKEY_TRACE = fileURLToPath(
  new URL('../../test/fixtures/true.lackey.gz', sourceUrl(import.meta.url)),
);
