/**
 * Signals: receivers, contexts and their delivery, from core's queue to A's
 * handler (Genode 16.05 on base-foc).
 *
 * A signal context carries an imprint, an integer its receiver gets back with
 * each signal, so one handler serves many contexts: core's
 * `Signal_source_component::wait_for_signal` returns the pending context's
 * `imprint()` (repos/base/src/core/signal_source_component.cc), and
 * `Signal_receiver::manage` (base/signal.h) allocates each context with its
 * own imprint.
 *
 * Delivery, as `submit` charges it, step by step:
 * 1. `Signal_transmitter::submit` (repos/base/src/lib/base/signal_submit.cc)
 *    calls `env()->pd_session()->submit()`, which in core is an RPC to
 *    core's entrypoint (`Core_pd_session_component`, core_env.h): from the
 *    pager thread when a region map reports a fault.
 * 2. `Signal_source_component::submit` (base-foc core/signal_source_component.cc)
 *    queues the context and `l4_irq_trigger`s the signal source's IRQ.
 * 3. A's signal-handler thread, blocked on that IRQ in
 *    `Signal_source_client::wait_for_signal` (base-foc
 *    include/signal_source/client.h), runs and fetches the signal by RPC
 *    (`Rpc_wait_for_signal`).
 * 4. `Signal_receiver::dispatch_signals` (base/src/lib/base/signal.cc) checks
 *    the context in the process-wide `Signal_context_registry`
 *    (`test_and_lock`: a walk of every context A created, newest first, as
 *    `Genode::List::insert` puts each at the head), then `local_submit` ups
 *    the receiver's semaphore, whose `Lock::unlock` wakes the receiving thread
 *    with `l4_irq_trigger` on its thread IRQ (base-foc lock_helper.h
 *    `thread_check_stopped_and_restart`).
 * 5. The receiving thread returns from `Signal_receiver::wait_for_signal` →
 *    `pending_signal` (base/src/lib/base/signal_common.cc), which walks the
 *    receiver's contexts, newest first, taking each one's lock, until the
 *    pending one; then A's handler runs with its imprint.
 * The walks are charged per element (profile `checkpointer.listNodeVisit`,
 * `checkpointer.signalContextVisit`); only A's contexts are in the model, so
 * a walk is at least as long as it says. Steps 3-5 run in A: this file keeps
 * them beside core's part because one call delivers a signal here.
 */
import type { Clock } from '../clock.ts';
import { rpcCycles } from '../costs.ts';
import { ModelError } from '../errors.ts';
import type { Kernel } from '../kernel.ts';
import type { CostProfile } from '../profile.ts';
import { capacityFor, resized } from './tables.ts';
import type { SignalContext, SignalReceiver } from './types.ts';

/**
 * The most `Signals.submit` charges before the handler runs, for a receiver
 * of `contexts` contexts in a component holding no others: both RPCs, both
 * IRQ triggers, and both walks over every context.
 */
export function maxSignalDeliveryCycles(profile: CostProfile, contexts: number): number {
  const a = profile.checkpointer;
  return (
    2 * rpcCycles(profile, profile.core.signalWork) +
    2 * profile.kernel.irqTrigger +
    contexts * (a.listNodeVisit + a.signalContextVisit)
  );
}

export class Signals {
  /** Each receiver's handler: the function A's receiving thread calls. */
  private readonly receivers: ((imprint: number) => void)[] = [];
  /** Contexts each receiver manages. */
  private readonly receiverContexts: number[] = [];
  /** Contexts created so far (the registry's length). */
  private count = 0;
  /**
   * One record per context (tables.ts), four int32: [0] its receiver, [1] its
   * imprint, [2] its place in its receiver's list, [3] unused (16-byte
   * records); `submit` reads all three.
   */
  private context = new Int32Array(4 * 16);

  constructor(
    private readonly profile: CostProfile,
    private readonly clock: Clock,
    private readonly kernel: Kernel,
  ) {}

  /** Makes room for `extra` more contexts (exactly, or by doubling). */
  grow(extra: number, exact: boolean): void {
    const need = this.count + extra;
    const capacity = this.context.length >> 2;
    if (need <= capacity) return;
    this.context = resized(this.context, 4 * capacityFor(capacity, need, exact));
  }

  /** A signal receiver whose thread calls `handler(imprint)` for each signal it receives. */
  createReceiver(handler: (imprint: number) => void): SignalReceiver {
    if (this.receivers.length > 0xffff) throw new ModelError('core: too many signal receivers');
    this.receivers.push(handler);
    this.receiverContexts.push(0);
    return (this.receivers.length - 1) as SignalReceiver;
  }

  /** `Signal_receiver::manage`: a signal context of `receiver` carrying `imprint` (an int32). */
  createContext(receiver: SignalReceiver, imprint: number): SignalContext {
    if (!Number.isInteger(receiver) || receiver < 0 || receiver >= this.receivers.length)
      throw new ModelError(`no signal receiver ${receiver}`);
    if ((imprint | 0) !== imprint) throw new ModelError(`signal imprint ${imprint} is not an int32`);
    this.grow(1, false);
    const c = this.count++;
    const rec = this.context;
    rec[4 * c] = receiver;
    rec[4 * c + 1] = imprint;
    rec[4 * c + 2] = this.receiverContexts[receiver]!;
    this.receiverContexts[receiver]!++;
    return c as SignalContext;
  }

  /** Whether `ctx` is a signal context of this core. */
  has(ctx: SignalContext): boolean {
    return Number.isInteger(ctx) && ctx >= 0 && ctx < this.count;
  }

  /**
   * Submits a signal and delivers it (B is blocked; one core): the steps of
   * the file comment, each charged, then the receiver's handler.
   */
  submit(ctx: SignalContext): void {
    const k = this.profile.kernel;
    const a = this.profile.checkpointer;
    const o = 4 * ctx;
    const rec = this.context;
    const r = rec[o]!;
    // 1-2. Pd_session::submit, an RPC to core's entrypoint; it queues the signal and triggers the IRQ.
    this.kernel.rpcCore(this.profile.core.signalWork);
    this.clock.chargeIpc(k.irqTrigger);
    // 3. A's signal-handler thread fetches it: Signal_source::wait_for_signal.
    this.kernel.rpcCore(this.profile.core.signalWork);
    // 4. local_submit's wake-up IRQ, after Signal_context_registry::test_and_lock (newest first);
    // 5. Signal_receiver::pending_signal over the receiver's contexts, newest first, a lock each.
    this.clock.chargeIpc(k.irqTrigger);
    this.clock.chargeHandler(
      (this.count - ctx) * a.listNodeVisit + (this.receiverContexts[r]! - rec[o + 2]!) * a.signalContextVisit,
    );
    this.receivers[r]!(rec[o + 1]!);
  }
}
