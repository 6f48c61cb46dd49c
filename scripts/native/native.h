/*
 * dirtybench native: what the replayer (replay.c) and the calibration
 * microbenchmarks (calibrate.c) share — the clock, CPU pinning, the page
 * trace reader, and the write trackers (tracker.c): mprotect + SIGSEGV,
 * userfaultfd write-protect with a handler thread, userfaultfd WP_ASYNC +
 * PAGEMAP_SCAN, and soft-dirty.
 *
 * C11 with GNU extensions for the Linux interfaces; libc, pthreads and the
 * kernel's uapi headers only. Constants newer than the installed headers are
 * defined here from the kernel's uapi (include/uapi/linux/userfaultfd.h and
 * fs.h, Linux 6.7); the kernel decides at run time whether it has them.
 */
#ifndef DIRTYBENCH_NATIVE_H
#define DIRTYBENCH_NATIVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PAGE_SHIFT 12
#define PAGE_BYTES 4096u

/* Exit codes: 0 ok, 1 the measurement failed, 2 bad usage or input, 3 mechanism unavailable here. */
enum { EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNAVAILABLE = 3 };

/* CLOCK_MONOTONIC in nanoseconds (the vDSO: no system call with a TSC-backed clocksource). */
uint64_t now_ns(void);

/* Pins the calling thread to `cpu`; exits 2 naming the CPU when it cannot. */
void pin_to_cpu(int cpu);
/* Online CPUs. */
int cpu_count(void);

/* One line on stderr, prefixed with the program name, then exit(code). */
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern const char *program_name;

/* calloc that also writes every page of the block (through volatile stores the compiler cannot drop), so
   no first-touch fault of it lands in a measurement; exits 1 when memory runs out. */
void *touched_calloc(size_t n, size_t size);

/* An anonymous private mapping of `pages` 4 KiB pages, THP off, every page written once. */
char *map_region(size_t pages);

/* ---- page trace (src/workloads/pagetrace.ts, format version 1) ---- */

typedef struct {
  uint32_t pages;         /* P: memory of the trace in pages */
  uint32_t written_pages; /* distinct written pages */
  uint64_t accesses;
  int page_numbers;       /* flag bit 1 */
  /* One word per access: page << 2 | write (bit 0); bit 1 is free for the replayer. */
  uint32_t *access;
} page_trace;

/* Reads and checks (magic, version, sizes, flags, CRC32, records) a whole page trace; exits 2 on bad input. */
void read_page_trace(const char *file, page_trace *out);

/* ---- write trackers ---- */

typedef enum { MECH_NONE, MECH_FULL, MECH_MPROTECT, MECH_UFFD_WP, MECH_UFFD_ASYNC, MECH_SOFT_DIRTY, MECH_COUNT } mechanism;
extern const char *const mechanism_names[MECH_COUNT];
/* The mechanism named `name`, or -1. */
int mechanism_by_name(const char *name);

typedef struct tracker {
  mechanism mech;
  char *base;
  size_t pages;
  /* Pages recorded by the fault handler since the last collect (mprotect, uffd-wp). */
  int32_t *recorded;
  uint8_t *is_recorded;
  _Atomic uint32_t recorded_count;
  /* Faults the handler saw (mprotect, uffd-wp); the kernel resolves uffd-async and soft-dirty faults itself. */
  _Atomic uint64_t faults;
  /* Time the handler spent per fault, from its first instruction (signal handler) or the return of
     read() (uffd thread) to the return of the call that re-enabled write; `handler_cap` entries. */
  uint64_t *handler_ns;
  uint64_t handler_cap;
  _Atomic uint64_t handler_n;
  /* userfaultfd and its handler thread */
  int uffd;
  int handler_cpu;
  int thread_started;
  pthread_t thread;
  /* /proc/self/pagemap (uffd-async, soft-dirty) and the PAGEMAP_SCAN result vector */
  int pagemap_fd;
  void *regions;
  size_t region_cap;
  uint64_t *pagemap_buf;
} tracker;

/*
 * Sets up `mech` over `pages` pages at `base` (already mapped and written).
 * Returns 0, or -1 with a one-line reason in `why` when this kernel or
 * process cannot offer the mechanism. `handler_cpu` is the uffd-wp handler
 * thread's CPU. `handler_cap` bounds the handler timings kept.
 */
int tracker_open(tracker *t, mechanism mech, char *base, size_t pages, int handler_cpu, uint64_t handler_cap,
                 char *why, size_t why_len);
/* Write-protects every page (the arming after setup and after every checkpoint but uffd-async's). */
void tracker_protect_all(tracker *t);
/*
 * The pages written since the last collect, into `out` (capacity: pages);
 * returns how many. For uffd-async the PAGEMAP_SCAN that reads them also
 * write-protects them again (PM_SCAN_WP_MATCHING); for the others the caller
 * re-arms with tracker_protect_all after copying.
 */
size_t tracker_collect(tracker *t, int32_t *out);
/* Whether collect already re-armed (uffd-async). */
int tracker_collect_rearms(const tracker *t);
void tracker_close(tracker *t);

/* ---- JSON output (numbers and plain strings only) ---- */
void json_string(FILE *f, const char *s);
void json_u64_array(FILE *f, const uint64_t *v, size_t n);

#endif
