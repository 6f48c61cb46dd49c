/**
 * One managed-dataspace fault, counted from the sources (Genode 16.05 on
 * base-foc, Fiasco.OC as Genode 16.05 builds it, rtcr's fault handler): every
 * hand-over of the one core from one thread to another, each by a one-way IPC
 * or an IRQ trigger. The model charges exactly these (pager.ts,
 * region-map-component.ts `fault`, signal-source-component.ts `submit`,
 * rm-faulter.ts `wakeIn`, and the tracker's handler in
 * strategies/region-map-tracker.ts); strategies/managed-dataspace/
 * managed-dataspace.test.ts counts what a fault charges against this list.
 *
 * The fault: B touches a page of a designated dataspace that rtcr detached
 * from its managed dataspace; rtcr's handler asks `state()` of v managed
 * dataspaces before it finds the faulting one (v = 1 when it is the newest,
 * or with the indexed lookup). With v = 1:
 *
 * - 16 one-way IPCs (14 + 2v), 2 IRQ triggers;
 * - 5 RPCs (4 + v): `Pd_session::submit` inside core, `wait_for_signal`,
 *   `state()` twice (v + 1), `attach`;
 * - 18 thread switches (16 + 2v), 11 + 2v of them between address spaces
 *   (B, core, A) and 5 inside one (core's pager and entrypoint, A's two
 *   threads). An IPC's or IRQ's cost (`kernel.ipcOneWay`, `kernel.irqTrigger`)
 *   stands for its switch: where the receiver runs only once the sender
 *   blocks (a send-only IPC, an IRQ), the switch then costs nothing more.
 *
 * The model before issue 11 charged 10 IPCs and 1 IRQ for v = 1: it left out
 * core's internal submit RPC, rtcr's second `state()`, the wake-up's call and
 * acknowledgement, and the wake-up of rtcr's fault-handler thread inside A.
 * Lookups along the path (core's region lookups, rtcr's list walks, the
 * signal-context walks) are charged where they happen, not listed here.
 */

/** The threads that run during the fault. */
export type FaultPathThread = 'B' | 'core pager' | 'core entrypoint' | 'A signal thread' | 'A fault handler';

/** One hand-over of the core. */
export interface FaultPathStep {
  /** What happens. */
  readonly step: string;
  /** A one-way IPC, or an IRQ trigger. */
  readonly by: 'ipc' | 'irq';
  /** The RPC whose call this IPC is (replies name none). */
  readonly rpc?: string;
  readonly from: FaultPathThread;
  readonly to: FaultPathThread;
  /** Where the sources do it: file and function. */
  readonly source: string;
}

const rpcRoundTrip = (rpc: string, caller: FaultPathThread, source: string): FaultPathStep[] => [
  { step: `${rpc}: call`, by: 'ipc', rpc, from: caller, to: 'core entrypoint', source },
  { step: `${rpc}: reply`, by: 'ipc', from: 'core entrypoint', to: caller, source },
];

/** The hand-overs of one managed-dataspace fault with v = 1, in order. */
export const MANAGED_FAULT_PATH: readonly FaultPathStep[] = [
  {
    step: "page fault: the kernel sends B's fault IPC to its pager (a call: B waits for the reply)",
    by: 'ipc',
    from: 'B',
    to: 'core pager',
    source:
      'Fiasco.OC kern/thread-pagefault.cpp Thread::handle_page_fault → thread-ipc.cpp handle_page_fault_pager; base-foc core/ipc_pager.cc Ipc_pager::wait_for_fault',
  },
  // Rm_client::pager finds no attachment: Region_map_component::fault queues
  // the faulter and submits the region map's fault signal.
  ...rpcRoundTrip(
    'Pd_session::submit',
    'core pager',
    "base/src/core/region_map_component.cc Region_map_component::fault → base/src/lib/base/signal_submit.cc Signal_transmitter::submit → core_env.h Core_pd_session_component::submit (served by core's entrypoint)",
  ),
  {
    step: "the signal source's IRQ wakes A's signal thread, which runs once the pager waits again (B stays blocked: no reply)",
    by: 'irq',
    from: 'core pager',
    to: 'A signal thread',
    source:
      "base-foc core/signal_source_component.cc Signal_source_component::submit (l4_irq_trigger); base-foc core/pager.cc Pager_entrypoint::entry ('could not resolve': wait_for_fault)",
  },
  ...rpcRoundTrip(
    'Signal_source::wait_for_signal',
    'A signal thread',
    'base-foc include/signal_source/client.h Signal_source_client::wait_for_signal (l4_irq_receive, then the RPC); core/signal_source_component.cc wait_for_signal',
  ),
  {
    step: "local_submit ups the receiver's semaphore: the unlock triggers the fault-handler thread's IRQ; it runs once the signal thread blocks again",
    by: 'irq',
    from: 'A signal thread',
    to: 'A fault handler',
    source:
      'base/src/lib/base/signal.cc Signal_receiver::dispatch_signals → local_submit; base/include/base/semaphore.h up; base-foc lock_helper.h thread_check_stopped_and_restart (l4_irq_trigger)',
  },
  ...rpcRoundTrip(
    'Region_map::state',
    'A fault handler',
    'rtcr intercept/ram_session.cc Fault_handler::_find_faulting_mrm_info (state() of each managed dataspace in turn until one is not READY)',
  ),
  ...rpcRoundTrip(
    'Region_map::state',
    'A fault handler',
    'rtcr intercept/ram_session.cc Fault_handler::_handle_fault (state() again of the faulting one)',
  ),
  {
    step: 'Region_map::attach: call',
    by: 'ipc',
    rpc: 'Region_map::attach',
    from: 'A fault handler',
    to: 'core entrypoint',
    source:
      'rtcr online_storage/ram_dataspace_info.h Designated_dataspace_info::attach (attach_at); base/src/core/region_map_component.cc Region_map_component::attach',
  },
  {
    step: 'the attach covers the faulter: Pager_object::wake_up calls the pager',
    by: 'ipc',
    from: 'core entrypoint',
    to: 'core pager',
    source:
      'region_map_component.cc Rm_faulter::continue_after_resolved_fault → base-foc core/pager_object.cc Pager_object::wake_up (l4_ipc_call)',
  },
  {
    step: "the pager acknowledges the wake-up, then resumes B with its exception state; core's entrypoint runs once the pager waits again",
    by: 'ipc',
    from: 'core pager',
    to: 'core entrypoint',
    source:
      'base-foc core/pager.cc Pager_entrypoint::entry (WAKE_UP) → core/ipc_pager.cc Ipc_pager::acknowledge_wakeup',
  },
  {
    step: 'Region_map::attach: reply',
    by: 'ipc',
    from: 'core entrypoint',
    to: 'A fault handler',
    source: 'Rpc_entrypoint reply (base/src/lib/base/rpc_server.cc)',
  },
  {
    step: "B, resumed by the pager's send, runs once rtcr's handler blocks on its receiver again",
    by: 'ipc',
    from: 'A fault handler',
    to: 'B',
    source:
      'base-foc core/ipc_pager.cc Ipc_pager::acknowledge_exception (l4_ipc_send to B); rtcr Fault_handler::entry (wait_for_signal)',
  },
  {
    step: 'B retries the access and faults again',
    by: 'ipc',
    from: 'B',
    to: 'core pager',
    source: 'Fiasco.OC kern/thread-ipc.cpp handle_page_fault_pager',
  },
  {
    step: 'the pager answers with a mapping of the largest fitting flexpage',
    by: 'ipc',
    from: 'core pager',
    to: 'B',
    source:
      'base/src/core/region_map_component.cc Rm_client::pager (Fault_area); base-foc core/ipc_pager.cc Ipc_pager::reply_and_wait_for_fault',
  },
];

/** What one managed-dataspace fault costs in hand-overs, for `v` managed dataspaces asked for `state()`. */
export function managedFaultPathCounts(v: number): {
  ipcs: number;
  irqs: number;
  rpcs: number;
  switches: number;
} {
  const p = MANAGED_FAULT_PATH;
  const extra = v - 1; // each further managed dataspace asked: one more state() round trip
  return {
    ipcs: p.filter((s) => s.by === 'ipc').length + 2 * extra,
    irqs: p.filter((s) => s.by === 'irq').length,
    rpcs: p.filter((s) => s.rpc !== undefined).length + extra,
    switches: p.length + 2 * extra,
  };
}
