/**
 * Child process of the host suite: runs faultFigure's run (scaling.ts
 * `faultConfig`: managed-dataspace on uniform) once and counts its charged
 * operations — every `Clock.charge` and `Clock.chargeCategory` call, each a
 * piece of simulated work the model charges where it happens (a trap, an
 * IPC, a lookup, a page copied; the per-access loop charges its batches as
 * one) — and prints `{"faults": …, "charges": …}`. With the timed run's host
 * seconds this gives host time per charged operation: how fine the model is,
 * beside how fast the host runs it. The count wraps the clock's methods, so
 * it runs apart from anything timed.
 *
 * Usage: node dist/bench/host/charge-probe.js   (or tsx bench/host/charge-probe.ts)
 */
import { Clock } from '../../src/platform/clock.ts';
import { runExperiment } from '../../src/run/index.ts';
import { faultConfig } from './scaling.ts';

let charges = 0;
const { charge, chargeCategory } = Clock.prototype;
Clock.prototype.charge = function (this: Clock, ...args: Parameters<Clock['charge']>) {
  charges++;
  charge.apply(this, args);
};
Clock.prototype.chargeCategory = function (this: Clock, ...args: Parameters<Clock['chargeCategory']>) {
  charges++;
  chargeCategory.apply(this, args);
};
const result = runExperiment(faultConfig());
console.log(JSON.stringify({ faults: result.metrics.faults, charges }));
