import { defineConfig } from 'vitest/config';

/**
 * `npm run test:deep`: the nightly-sized property run (src/run/verification.deep.ts),
 * kept out of `npm test` and CI by its file name. One case takes tens of
 * milliseconds and there are at least 10^4: no per-test time limit applies.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.deep.ts'],
    testTimeout: 0,
    hookTimeout: 0,
  },
});
