/*
 * replay: replays a dirtybench page trace over real memory under one write
 * tracking mechanism, with checkpoints at fixed points of the access stream,
 * and writes what it measured as raw JSON (converted to dirtybench/results@1
 * by scripts/native/results.ts).
 *
 *   replay --trace FILE --mechanism none|full|mprotect|uffd-wp|uffd-async|soft-dirty
 *          [--interval N] [--checkpoints FILE] [--cpu C] [--handler-cpu same|other] [--out FILE]
 *
 * B's memory is P pages (the trace's), mapped anonymous and private with THP
 * off, every page written once before the measurement (prefaulted); the
 * checkpoint image is a second region of P pages holding the base copy.
 * Access i of the trace to page p touches the 8-byte word at p·4096 +
 * (i mod 64)·64: a read adds it to a sum, a write stores i+1, so every write
 * changes the page and a page the tracker misses leaves the image different.
 *
 * Checkpoints are taken after access k·N (--interval N, k ≥ 1) and after the
 * positions listed in --checkpoints (whitespace-separated access counts),
 * and once after the last access. At each one B (this thread) stops: the
 * tracker collects the pages written since the last checkpoint, they are
 * copied into the image, and the tracker re-arms (the pause, timed in those
 * three phases). `none` takes no checkpoints and tracks nothing (the
 * baseline); `full` tracks nothing and copies every page.
 *
 * What is timed, with CLOCK_MONOTONIC on this thread:
 * - every access that is the first write to its page since the last
 *   checkpoint — exactly the writes a write-protect tracker takes a fault on
 *   — from just before its store to just after it: the fault latency B sees,
 *   from trap to the retried store's completion, including about one clock
 *   read (≈ 20–40 ns) and the store's own TLB and cache misses. The same
 *   accesses are timed under every mechanism, `none` included, so the timing's
 *   own cost is in the baseline too and cancels in runtime − baseline.
 * - each checkpoint: collect, copy and re-arm, from the end of the interval's
 *   last access to the moment B could continue.
 * - the runtime: replay plus pauses; the checks below are not in it.
 * A timed access counts as a fault when the handler's fault counter moved
 * across it (mprotect, uffd-wp). uffd-async and soft-dirty faults are
 * resolved inside the kernel with no user-visible event: every timed access
 * counts as one, and the faults are counted independently as the minor +
 * major faults getrusage(RUSAGE_THREAD) reports over the replay (not the
 * pauses), which must equal them.
 *
 * After every checkpoint, untimed: every page written in the interval (known
 * from the trace) must be among the pages copied (missed pages otherwise),
 * and the image must equal the live memory byte for byte (restoreOk). That
 * comparison reads all of memory and the image, which leaves the caches and
 * the TLB in a state of its own; `none` makes the same pass at the same
 * points (and stops nowhere else), so the baseline replays from the same
 * state as the tracked runs and runtime − baseline is the tracking's alone.
 *
 * Exit codes: 0 measured; 1 the measurement failed; 2 bad usage or input;
 * 3 the mechanism is unavailable on this kernel (one line on stderr says why).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "native.h"

static const char USAGE[] =
    "usage: replay --trace FILE --mechanism none|full|mprotect|uffd-wp|uffd-async|soft-dirty\n"
    "              [--interval ACCESSES] [--checkpoints FILE] [--cpu C] [--handler-cpu same|other] [--out FILE]";

typedef struct {
  uint64_t position; /* accesses replayed before it */
  uint64_t collect_ns, copy_ns, rearm_ns, pause_ns;
  uint64_t copied, written, missed;
  int restore_ok;
} checkpoint;

static uint64_t parse_u64(const char *what, const char *s) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-') die(EXIT_USAGE, "%s must be a whole number, got '%s'", what, s);
  return v;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* The checkpoint positions: interval multiples and listed positions, sorted, unique, the end last. */
static uint64_t *checkpoint_positions(uint64_t interval, const char *file, uint64_t accesses, size_t *count) {
  size_t cap = 16, n = 0;
  uint64_t *pos = malloc(cap * sizeof *pos);
  if (!pos) die(EXIT_FAILED, "out of memory");
#define PUSH(v)                                                                                                        \
  do {                                                                                                                 \
    if (n == cap && !(pos = realloc(pos, (cap *= 2) * sizeof *pos))) die(EXIT_FAILED, "out of memory");               \
    pos[n++] = (v);                                                                                                    \
  } while (0)
  if (interval > 0)
    for (uint64_t p = interval; p < accesses; p += interval) PUSH(p);
  if (file) {
    FILE *f = fopen(file, "r");
    if (!f) die(EXIT_USAGE, "cannot read --checkpoints %s: %s", file, strerror(errno));
    char word[64];
    while (fscanf(f, "%63s", word) == 1) {
      uint64_t p = parse_u64("a checkpoint position", word);
      if (p < 1 || p > accesses)
        die(EXIT_USAGE, "checkpoint position %llu outside the trace's 1..%llu accesses", (unsigned long long)p,
            (unsigned long long)accesses);
      PUSH(p);
    }
    fclose(f);
  }
  PUSH(accesses);
#undef PUSH
  qsort(pos, n, sizeof *pos, cmp_u64);
  size_t u = 0;
  for (size_t i = 0; i < n; i++)
    if (u == 0 || pos[i] != pos[u - 1]) pos[u++] = pos[i];
  *count = u;
  return pos;
}

/* Sets bit 1 on every access that is the first write to its page since the last checkpoint; returns how many. */
static uint64_t mark_first_writes(page_trace *tr, const uint64_t *pos, size_t npos) {
  uint32_t *last = calloc(tr->pages, sizeof *last); /* interval + 1 of the page's last write, 0 = none */
  if (!last) die(EXIT_FAILED, "out of memory");
  uint64_t marked = 0, i = 0;
  for (size_t k = 0; k < npos; k++) {
    for (; i < pos[k]; i++) {
      uint32_t a = tr->access[i];
      if (!(a & 1) || last[a >> 2] == k + 1) continue;
      last[a >> 2] = (uint32_t)(k + 1);
      tr->access[i] = a | 2;
      marked++;
    }
  }
  free(last);
  return marked;
}

extern const char __executable_start[], etext[]; /* the linker's bounds of this program's code */

static uint64_t thread_faults(void) {
  struct rusage ru;
  getrusage(RUSAGE_THREAD, &ru);
  return (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

int main(int argc, char **argv) {
  program_name = "replay";
  const char *trace_file = NULL, *mech_name = NULL, *positions_file = NULL, *out_file = NULL, *handler = "same";
  uint64_t interval = 0;
  int cpu = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0) {
      puts(USAGE);
      return 0;
    }
    if (i + 1 >= argc) die(EXIT_USAGE, "%s needs a value\n%s", a, USAGE);
    const char *v = argv[++i];
    if (strcmp(a, "--trace") == 0) trace_file = v;
    else if (strcmp(a, "--mechanism") == 0) mech_name = v;
    else if (strcmp(a, "--interval") == 0) interval = parse_u64("--interval", v);
    else if (strcmp(a, "--checkpoints") == 0) positions_file = v;
    else if (strcmp(a, "--cpu") == 0) cpu = (int)parse_u64("--cpu", v);
    else if (strcmp(a, "--handler-cpu") == 0) handler = v;
    else if (strcmp(a, "--out") == 0) out_file = v;
    else die(EXIT_USAGE, "unknown option %s\n%s", a, USAGE);
  }
  if (!trace_file || !mech_name) die(EXIT_USAGE, "--trace and --mechanism are required\n%s", USAGE);
  int mech = mechanism_by_name(mech_name);
  if (mech < 0) die(EXIT_USAGE, "unknown mechanism '%s' (none, full, mprotect, uffd-wp, uffd-async, soft-dirty)", mech_name);
  int other = strcmp(handler, "other") == 0;
  if (!other && strcmp(handler, "same") != 0) die(EXIT_USAGE, "--handler-cpu must be same or other, got '%s'", handler);
  if (other && mech != MECH_UFFD_WP) die(EXIT_USAGE, "--handler-cpu other is for uffd-wp (the one mechanism with a handler thread)");
  pin_to_cpu(cpu);
  int handler_cpu = other ? (cpu + 1) % cpu_count() : cpu;
  if (other && handler_cpu == cpu) {
    fprintf(stderr, "replay: unavailable: --handler-cpu other needs a second online CPU\n");
    return EXIT_UNAVAILABLE;
  }

  page_trace tr;
  read_page_trace(trace_file, &tr);
  size_t npos;
  uint64_t *pos = checkpoint_positions(interval, positions_file, tr.accesses, &npos);
  uint64_t timed_cap = mark_first_writes(&tr, pos, npos);
  size_t P = tr.pages;

  char *base = map_region(P);
  char *image = map_region(P);
  memcpy(image, base, P * PAGE_BYTES); /* the base checkpoint */
  /* Everything the replay writes into is allocated and touched before anything is timed. */
  uint64_t *fault_ns = touched_calloc(timed_cap, sizeof *fault_ns);
  uint64_t *plain_ns = touched_calloc(timed_cap, sizeof *plain_ns);
  int32_t *copied = touched_calloc(P, sizeof *copied), *truth = touched_calloc(P, sizeof *truth);
  uint8_t *reported = touched_calloc(P, 1);
  int take_checkpoints = mech != MECH_NONE;
  checkpoint *cps = touched_calloc(npos, sizeof *cps);

  tracker t;
  char why[256];
  if (tracker_open(&t, (mechanism)mech, base, P, handler_cpu, timed_cap + 1024, why, sizeof why) != 0) {
    fprintf(stderr, "replay: unavailable: %s\n", why);
    return EXIT_UNAVAILABLE;
  }
  int handler_counts = mech == MECH_MPROTECT || mech == MECH_UFFD_WP;
  int kernel_resolves = mech == MECH_UFFD_ASYNC || mech == MECH_SOFT_DIRTY;
  /* The clock's first reads fault in the vDSO's data pages: take them now, not in the replay. (No mlockall:
     on a locked VMA, mprotect making pages writable populates them, which is not what tracking costs.) */
  for (int w = 0; w < 3; w++) (void)now_ns(), (void)thread_faults();
  /* Likewise this program's code: the replay loop's pages would otherwise fault in on first execution. */
  for (const char *p = (const char *)((uintptr_t)__executable_start & ~(uintptr_t)(PAGE_BYTES - 1)); p < etext; p += PAGE_BYTES)
    (void)*(const volatile char *)p;
  tracker_protect_all(&t);

  uint64_t nfault = 0, nplain = 0, ntruth = 0, replay_ns = 0, pauses_ns = 0, kernel_faults = 0, sum = 0;
  size_t ncp = 0;
  uint64_t i = 0;
  for (size_t k = 0; k < npos; k++) {
    uint64_t end = pos[k];
    uint64_t rusage_before = thread_faults();
    uint64_t resumed = now_ns();
    for (; i < end; i++) {
      uint32_t a = tr.access[i];
      volatile uint64_t *word = (volatile uint64_t *)(base + ((size_t)(a >> 2) << PAGE_SHIFT) + ((i & 63) << 6));
      if (!(a & 1)) {
        sum += *word;
      } else if (!(a & 2)) {
        *word = i + 1;
      } else {
        uint64_t f0 = atomic_load_explicit(&t.faults, memory_order_relaxed);
        uint64_t t0 = now_ns();
        *word = i + 1;
        uint64_t t1 = now_ns();
        uint64_t f1 = atomic_load_explicit(&t.faults, memory_order_relaxed);
        truth[ntruth++] = (int32_t)(a >> 2);
        if ((handler_counts && f1 != f0) || kernel_resolves) fault_ns[nfault++] = t1 - t0;
        else plain_ns[nplain++] = t1 - t0;
      }
    }
    uint64_t stopped = now_ns();
    kernel_faults += thread_faults() - rusage_before;
    replay_ns += stopped - resumed;
    if (!take_checkpoints) {
      /* The baseline reads memory and image as the checks below do, so every run replays from the same cache state. */
      volatile int same = memcmp(image, base, P * PAGE_BYTES) == 0;
      (void)same;
      ntruth = 0;
      continue;
    }

    checkpoint *c = &cps[ncp++];
    c->position = end;
    uint64_t t0 = now_ns();
    size_t n = tracker_collect(&t, copied);
    uint64_t t1 = now_ns();
    for (size_t j = 0; j < n; j++) {
      size_t off = (size_t)copied[j] << PAGE_SHIFT;
      memcpy(image + off, base + off, PAGE_BYTES);
    }
    uint64_t t2 = now_ns();
    if (!tracker_collect_rearms(&t)) tracker_protect_all(&t);
    uint64_t t3 = now_ns();
    c->collect_ns = t1 - t0;
    c->copy_ns = t2 - t1;
    c->rearm_ns = t3 - t2;
    c->pause_ns = t3 - t0;
    pauses_ns += c->pause_ns;

    /* The checks, untimed. */
    for (size_t j = 0; j < n; j++) reported[copied[j]] = 1;
    c->copied = n;
    c->written = ntruth;
    for (uint64_t j = 0; j < ntruth; j++) c->missed += !reported[truth[j]];
    for (size_t j = 0; j < n; j++) reported[copied[j]] = 0;
    ntruth = 0;
    c->restore_ok = memcmp(image, base, P * PAGE_BYTES) == 0;
  }
  uint64_t handler_faults = atomic_load(&t.faults);
  uint64_t handler_n = atomic_load(&t.handler_n);
  if (handler_n > t.handler_cap) handler_n = t.handler_cap;

  FILE *out = stdout;
  if (out_file && !(out = fopen(out_file, "w"))) die(EXIT_USAGE, "cannot write %s: %s", out_file, strerror(errno));
  fprintf(out, "{\"format\":\"dirtybench/native-raw@1\",\"mechanism\":");
  json_string(out, mechanism_names[mech]);
  fprintf(out, ",\"handlerCpu\":");
  if (mech == MECH_UFFD_WP) json_string(out, handler);
  else fputs("null", out);
  fprintf(out, ",\"cpu\":%d,\"handlerCpuIndex\":%d,\"trace\":{\"file\":", cpu, mech == MECH_UFFD_WP ? handler_cpu : -1);
  json_string(out, trace_file);
  fprintf(out, ",\"pages\":%u,\"accesses\":%llu,\"writtenPages\":%u,\"pageNumbers\":%s},", tr.pages,
          (unsigned long long)tr.accesses, tr.written_pages, tr.page_numbers ? "true" : "false");
  fprintf(out, "\"interval\":%llu,\"clock\":\"CLOCK_MONOTONIC\",", (unsigned long long)interval);
  fprintf(out, "\"replayNs\":%llu,\"runtimeNs\":%llu,", (unsigned long long)replay_ns,
          (unsigned long long)(replay_ns + pauses_ns));
  uint64_t faults = handler_counts ? handler_faults : kernel_resolves ? kernel_faults : 0;
  fprintf(out, "\"faults\":%llu,\"faultSource\":\"%s\",\"expectedFaults\":%llu,\"timedAccesses\":%llu,",
          (unsigned long long)faults, handler_counts ? "handler" : kernel_resolves ? "getrusage" : "none",
          (unsigned long long)(mech >= MECH_MPROTECT ? timed_cap : 0), (unsigned long long)timed_cap);
  fprintf(out, "\"untimedFaults\":%llu,\"kernelFaults\":%llu,\"sum\":%llu,",
          (unsigned long long)(handler_counts ? handler_faults - nfault : 0), (unsigned long long)kernel_faults,
          (unsigned long long)sum);
  fprintf(out, "\"faultNs\":");
  json_u64_array(out, fault_ns, nfault);
  fprintf(out, ",\"unfaultedNs\":");
  json_u64_array(out, plain_ns, nplain);
  fprintf(out, ",\"handlerNs\":");
  json_u64_array(out, t.handler_ns, handler_n);
  fprintf(out, ",\"metadataBytes\":%llu,\"checkpoints\":[",
          (unsigned long long)(mech == MECH_MPROTECT || mech == MECH_UFFD_WP ? P * (sizeof(int32_t) + 1)
                               : mech == MECH_UFFD_ASYNC                     ? t.region_cap * 24
                               : mech == MECH_SOFT_DIRTY                     ? P * 8
                                                                             : 0));
  for (size_t k = 0; k < ncp; k++) {
    checkpoint *c = &cps[k];
    fprintf(out,
            "%s{\"position\":%llu,\"pauseNs\":%llu,\"collectNs\":%llu,\"copyNs\":%llu,\"rearmNs\":%llu,"
            "\"copied\":%llu,\"written\":%llu,\"missed\":%llu,\"restoreOk\":%s}",
            k ? "," : "", (unsigned long long)c->position, (unsigned long long)c->pause_ns,
            (unsigned long long)c->collect_ns, (unsigned long long)c->copy_ns, (unsigned long long)c->rearm_ns,
            (unsigned long long)c->copied, (unsigned long long)c->written, (unsigned long long)c->missed,
            c->restore_ok ? "true" : "false");
  }
  fprintf(out, "]}\n");
  if (out != stdout && fclose(out) != 0) die(EXIT_FAILED, "writing %s: %s", out_file, strerror(errno));
  tracker_close(&t);
  return 0;
}
