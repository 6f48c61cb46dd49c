/**
 * `npm run plots -- [results.json…]`: the thesis figures (vega-lite → SVG/PNG).
 * Not built yet: its issue comes after the engine. Results already carry what
 * a figure needs (see shared/contract.md and src/run/types.ts).
 */
console.error(
  'dirtybench plots: not yet — the thesis plots are a later issue; results.json already holds their data.',
);
process.exit(0);
