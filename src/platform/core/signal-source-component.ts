/**
 * Signals: receivers, contexts and their delivery.
 *
 * A signal context carries an imprint, an integer its receiver gets back with
 * each signal, so one handler serves many contexts: core's
 * `Signal_source_component::wait_for_signal` returns the pending context's
 * `imprint()` (repos/base/src/core/signal_source_component.cc), and
 * `Signal_receiver::manage` (base/signal.h) allocates each context with its
 * own imprint.
 */
import { Actor, type Clock } from '../clock.ts';
import { ModelError } from '../errors.ts';
import type { Kernel } from '../kernel.ts';
import type { CostProfile } from '../profile.ts';
import { capacityFor, resized } from './tables.ts';
import type { SignalContext, SignalReceiver } from './types.ts';

export class Signals {
  /** Each receiver's handler: the function A's signal handler thread calls. */
  private readonly receivers: ((imprint: number) => void)[] = [];
  /** Contexts created so far, and each one's receiver and imprint. */
  private count = 0;
  private receiverOf = new Uint16Array(16);
  private imprintOf = new Int32Array(16);

  constructor(
    private readonly profile: CostProfile,
    private readonly clock: Clock,
    private readonly kernel: Kernel,
  ) {}

  /** Makes room for `extra` more contexts (exactly, or by doubling). */
  grow(extra: number, exact: boolean): void {
    const need = this.count + extra;
    if (need <= this.imprintOf.length) return;
    const n = capacityFor(this.imprintOf.length, need, exact);
    this.receiverOf = resized(this.receiverOf, n);
    this.imprintOf = resized(this.imprintOf, n);
  }

  /** A signal receiver whose thread calls `handler(imprint)` for each signal it receives. */
  createReceiver(handler: (imprint: number) => void): SignalReceiver {
    if (this.receivers.length > 0xffff) throw new ModelError('core: too many signal receivers');
    this.receivers.push(handler);
    return (this.receivers.length - 1) as SignalReceiver;
  }

  /** `Signal_receiver::manage`: a signal context of `receiver` carrying `imprint` (an int32). */
  createContext(receiver: SignalReceiver, imprint: number): SignalContext {
    if (!Number.isInteger(receiver) || receiver < 0 || receiver >= this.receivers.length)
      throw new ModelError(`no signal receiver ${receiver}`);
    if ((imprint | 0) !== imprint) throw new ModelError(`signal imprint ${imprint} is not an int32`);
    this.grow(1, false);
    const c = this.count++;
    this.receiverOf[c] = receiver;
    this.imprintOf[c] = imprint;
    return c as SignalContext;
  }

  /** Whether `ctx` is a signal context of this core. */
  has(ctx: SignalContext): boolean {
    return Number.isInteger(ctx) && ctx >= 0 && ctx < this.count;
  }

  /**
   * Submits a signal: core triggers the IRQ object of the receiver, A's signal
   * handler thread runs (B is blocked; one core), fetches the signal by RPC
   * and calls the handler with the context's imprint.
   */
  submit(ctx: SignalContext): void {
    this.clock.charge(Actor.ipc, this.profile.kernel.irqTrigger);
    this.kernel.rpc(this.profile.core.signalWork, Actor.core);
    this.receivers[this.receiverOf[ctx]!]!(this.imprintOf[ctx]!);
  }
}
