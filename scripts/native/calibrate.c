/*
 * calibrate: the microbenchmarks behind `npm run calibrate`
 * (scripts/native/calibrate.ts). Each invocation runs one benchmark, pinned
 * to one CPU, and prints {"series": {NAME: [ns, …], …}, …} on stdout: every
 * sample in nanoseconds of CLOCK_MONOTONIC, unsorted, for the driver to
 * summarise as quantiles. Every timed region is bracketed by two clock reads
 * on the measuring thread, so each sample includes about one clock read; the
 * `clock` benchmark measures that read alone.
 *
 *   calibrate clock N
 *   calibrate store PAGES N                     timed 8-byte store to a random page, no tracking
 *   calibrate read PAGES N                      timed 8-byte load from a random page and line
 *   calibrate copy hot N                        4 KiB memcpy, source and destination cached
 *   calibrate copy cold PAGES N                 4 KiB memcpy between random pages of two PAGES-page regions
 *   calibrate fault MECH PAGES ROUNDS [same|other]
 *       first write to each page of a write-protected PAGES-page region, in a random order, ROUNDS times;
 *       MECH is mprotect, uffd-wp, uffd-async or soft-dirty (the handler thread's CPU for uffd-wp)
 *   calibrate protect mprotect|uffd K REPS      write-protect, then write-enable again, K contiguous pages
 *   calibrate scan PAGES WRITTEN REPS           uffd-async: PAGEMAP_SCAN with PM_SCAN_WP_MATCHING over PAGES
 *                                               pages of which WRITTEN (random) were written since the last scan
 *   calibrate syscall N                         getppid(2): a system call's entry and exit
 *
 * Options after the arguments: --cpu C (default 0). Exit codes as replay's:
 * 0, 1 failed, 2 bad usage, 3 the mechanism is unavailable here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/userfaultfd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "native.h"

static const char USAGE[] = "usage: calibrate clock N | syscall N | store PAGES N | read PAGES N | copy hot N | copy cold PAGES N |\n"
                            "                 fault MECH PAGES ROUNDS [same|other] | protect mprotect|uffd K REPS |\n"
                            "                 scan PAGES WRITTEN REPS  [--cpu C]";

/* xorshift64*: a fixed, seeded order; the benchmarks need no statistical quality beyond "not sequential". */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint64_t arg_u64(const char *what, const char *s) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-' || v == 0) die(EXIT_USAGE, "%s must be a whole number >= 1, got '%s'", what, s);
  return v;
}

static void print_series(const char *name, const uint64_t *v, size_t n, int first) {
  printf("%s", first ? "" : ",");
  json_string(stdout, name);
  putchar(':');
  json_u64_array(stdout, v, n);
}

static void begin(const char *bench) {
  printf("{\"bench\":");
  json_string(stdout, bench);
  printf(",\"series\":{");
}

/* Closes the series; extra fields follow as ,"key":value; then end(). */
static void end_series(void) { printf("}"); }
static void end(void) { printf("}\n"); }

/* Nothing (`clock`: the cost of the timing itself) or one system call (`syscall`) between two clock reads. */
static void bench_empty(int with_syscall, uint64_t n) {
  const char *name = with_syscall ? "syscall" : "clock";
  uint64_t *s = touched_calloc(n, sizeof *s);
  for (uint64_t i = 0; i < n; i++) {
    uint64_t t0 = now_ns();
    if (with_syscall) syscall(SYS_getppid);
    uint64_t t1 = now_ns();
    s[i] = t1 - t0;
  }
  begin(name);
  print_series(name, s, n, 1);
  end_series();
  end();
}

static void bench_access(int write, uint64_t pages, uint64_t n) {
  char *region = map_region(pages);
  uint64_t *s = touched_calloc(n, sizeof *s);
  uint64_t sum = 0;
  for (uint64_t i = 0; i < n; i++) {
    volatile uint64_t *word = (volatile uint64_t *)(region + (rng() % pages) * PAGE_BYTES + (rng() % 64) * 64);
    uint64_t t0 = now_ns();
    if (write) *word = i;
    else sum += *word;
    uint64_t t1 = now_ns();
    s[i] = t1 - t0;
  }
  begin(write ? "store" : "read");
  print_series(write ? "store" : "read", s, n, 1);
  end_series();
  printf(",\"pages\":%llu,\"sum\":%llu", (unsigned long long)pages, (unsigned long long)sum);
  end();
}

static void bench_copy(int cold, uint64_t pages, uint64_t n) {
  char *src = map_region(cold ? pages : 1), *dst = map_region(cold ? pages : 1);
  uint64_t *s = touched_calloc(n, sizeof *s);
  for (uint64_t i = 0; i < n; i++) {
    char *from = src + (cold ? rng() % pages : 0) * PAGE_BYTES, *to = dst + (cold ? rng() % pages : 0) * PAGE_BYTES;
    uint64_t t0 = now_ns();
    memcpy(to, from, PAGE_BYTES);
    __asm__ volatile("" ::: "memory"); /* the copy is done before the second clock read */
    uint64_t t1 = now_ns();
    s[i] = t1 - t0;
  }
  begin(cold ? "copy-cold" : "copy-hot");
  print_series(cold ? "copy-cold" : "copy-hot", s, n, 1);
  end_series();
  printf(",\"pages\":%llu", (unsigned long long)(cold ? pages : 1));
  end();
}

static void bench_fault(mechanism mech, uint64_t pages, uint64_t rounds, int other, int cpu) {
  char *region = map_region(pages);
  uint64_t n = pages * rounds;
  uint64_t *s = touched_calloc(n, sizeof *s);
  uint32_t *order = touched_calloc(pages, sizeof *order);
  int32_t *out = touched_calloc(pages, sizeof *out);
  for (uint32_t i = 0; i < pages; i++) order[i] = i;
  int handler_cpu = other ? (cpu + 1) % cpu_count() : cpu;
  if (other && handler_cpu == cpu) {
    fprintf(stderr, "calibrate: unavailable: a handler on the other CPU needs a second online CPU\n");
    exit(EXIT_UNAVAILABLE);
  }
  tracker t;
  char why[256];
  if (tracker_open(&t, mech, region, pages, handler_cpu, n, why, sizeof why) != 0) {
    fprintf(stderr, "calibrate: unavailable: %s\n", why);
    exit(EXIT_UNAVAILABLE);
  }
  for (int w = 0; w < 3; w++) (void)now_ns();
  uint64_t k = 0, faults_before = atomic_load(&t.faults);
  for (uint64_t r = 0; r < rounds; r++) {
    for (uint32_t i = pages - 1; i > 0; i--) { /* Fisher–Yates: a new random order each round */
      uint32_t j = (uint32_t)(rng() % (i + 1)), x = order[i];
      order[i] = order[j];
      order[j] = x;
    }
    if (r == 0 || !tracker_collect_rearms(&t)) tracker_protect_all(&t);
    for (uint32_t i = 0; i < pages; i++) {
      volatile uint64_t *word = (volatile uint64_t *)(region + (size_t)order[i] * PAGE_BYTES);
      uint64_t t0 = now_ns();
      *word = r + 1;
      uint64_t t1 = now_ns();
      s[k++] = t1 - t0;
    }
    size_t got = tracker_collect(&t, out);
    if (got != pages) die(EXIT_FAILED, "round %llu: the tracker reported %zu of %llu written pages", (unsigned long long)r,
                          got, (unsigned long long)pages);
  }
  uint64_t handler_faults = atomic_load(&t.faults) - faults_before;
  if ((mech == MECH_MPROTECT || mech == MECH_UFFD_WP) && handler_faults != n)
    die(EXIT_FAILED, "%llu handler faults for %llu first writes", (unsigned long long)handler_faults, (unsigned long long)n);
  begin("fault");
  print_series("fault", s, n, 1);
  uint64_t hn = atomic_load(&t.handler_n);
  print_series("handler", t.handler_ns, hn < t.handler_cap ? hn : t.handler_cap, 0);
  end_series();
  printf(",\"mechanism\":");
  json_string(stdout, mechanism_names[mech]);
  printf(",\"pages\":%llu,\"handlerCpu\":%d", (unsigned long long)pages, mech == MECH_UFFD_WP ? handler_cpu : -1);
  end();
  tracker_close(&t);
}

static void uffd_range(int uffd, char *addr, size_t bytes, int protect) {
  struct uffdio_writeprotect wp = {.range = {(uintptr_t)addr, bytes}, .mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0};
  if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) != 0) die(EXIT_FAILED, "UFFDIO_WRITEPROTECT: %s", strerror(errno));
}

static void bench_protect(int uffd_kind, uint64_t k, uint64_t reps) {
  char *region = map_region(k);
  uint64_t *prot = touched_calloc(reps, sizeof *prot), *unprot = touched_calloc(reps, sizeof *unprot);
  tracker t;
  char why[256];
  /* uffd: a tracker gives the registered userfaultfd; no fault is taken, so its handler thread never runs. */
  if (uffd_kind && tracker_open(&t, MECH_UFFD_WP, region, k, 0, 1, why, sizeof why) != 0) {
    fprintf(stderr, "calibrate: unavailable: %s\n", why);
    exit(EXIT_UNAVAILABLE);
  }
  size_t bytes = k * PAGE_BYTES;
  for (uint64_t r = 0; r < reps; r++) {
    /* Written and in the TLB before each protect, as B's pages are at a checkpoint. */
    for (uint64_t p = 0; p < k; p++) ((volatile char *)region)[p * PAGE_BYTES] = (char)r;
    uint64_t t0 = now_ns();
    if (uffd_kind) uffd_range(t.uffd, region, bytes, 1);
    else if (mprotect(region, bytes, PROT_READ) != 0) die(EXIT_FAILED, "mprotect: %s", strerror(errno));
    uint64_t t1 = now_ns();
    for (uint64_t p = 0; p < k; p++) (void)((volatile char *)region)[p * PAGE_BYTES];
    uint64_t t2 = now_ns();
    if (uffd_kind) uffd_range(t.uffd, region, bytes, 0);
    else if (mprotect(region, bytes, PROT_READ | PROT_WRITE) != 0) die(EXIT_FAILED, "mprotect: %s", strerror(errno));
    uint64_t t3 = now_ns();
    prot[r] = t1 - t0;
    unprot[r] = t3 - t2;
  }
  begin("protect");
  print_series("protect", prot, reps, 1);
  print_series("unprotect", unprot, reps, 0);
  end_series();
  printf(",\"pages\":%llu", (unsigned long long)k);
  end();
  if (uffd_kind) tracker_close(&t);
}

static void bench_scan(uint64_t pages, uint64_t written, uint64_t reps) {
  if (written > pages) die(EXIT_USAGE, "scan: WRITTEN must be <= PAGES");
  char *region = map_region(pages);
  uint64_t *s = touched_calloc(reps, sizeof *s);
  int32_t *out = touched_calloc(pages, sizeof *out);
  tracker t;
  char why[256];
  if (tracker_open(&t, MECH_UFFD_ASYNC, region, pages, 0, 1, why, sizeof why) != 0) {
    fprintf(stderr, "calibrate: unavailable: %s\n", why);
    exit(EXIT_UNAVAILABLE);
  }
  tracker_protect_all(&t);
  for (uint64_t r = 0; r < reps; r++) {
    for (uint64_t w = 0; w < written; w++) ((volatile char *)region)[(rng() % pages) * PAGE_BYTES] = (char)r;
    uint64_t t0 = now_ns();
    (void)tracker_collect(&t, out);
    uint64_t t1 = now_ns();
    s[r] = t1 - t0;
  }
  begin("scan");
  print_series("scan", s, reps, 1);
  end_series();
  printf(",\"pages\":%llu,\"written\":%llu", (unsigned long long)pages, (unsigned long long)written);
  end();
  tracker_close(&t);
}

int main(int argc, char **argv) {
  program_name = "calibrate";
  int cpu = 0;
  if (argc >= 3 && strcmp(argv[argc - 2], "--cpu") == 0) {
    cpu = (int)strtol(argv[argc - 1], NULL, 10);
    argc -= 2;
  }
  if (argc < 2) die(EXIT_USAGE, "%s", USAGE);
  pin_to_cpu(cpu);
  const char *b = argv[1];
  if ((strcmp(b, "clock") == 0 || strcmp(b, "syscall") == 0) && argc == 3)
    bench_empty(strcmp(b, "syscall") == 0, arg_u64("N", argv[2]));
  else if (strcmp(b, "scan") == 0 && argc == 5)
    bench_scan(arg_u64("PAGES", argv[2]), strtoull(argv[3], NULL, 10), arg_u64("REPS", argv[4]));
  else if (strcmp(b, "store") == 0 && argc == 4) bench_access(1, arg_u64("PAGES", argv[2]), arg_u64("N", argv[3]));
  else if (strcmp(b, "read") == 0 && argc == 4) bench_access(0, arg_u64("PAGES", argv[2]), arg_u64("N", argv[3]));
  else if (strcmp(b, "copy") == 0 && argc == 4 && strcmp(argv[2], "hot") == 0) bench_copy(0, 1, arg_u64("N", argv[3]));
  else if (strcmp(b, "copy") == 0 && argc == 5 && strcmp(argv[2], "cold") == 0)
    bench_copy(1, arg_u64("PAGES", argv[3]), arg_u64("N", argv[4]));
  else if (strcmp(b, "fault") == 0 && (argc == 5 || argc == 6)) {
    int mech = mechanism_by_name(argv[2]);
    if (mech < MECH_MPROTECT) die(EXIT_USAGE, "fault: MECH must be mprotect, uffd-wp, uffd-async or soft-dirty, got '%s'", argv[2]);
    int other = argc == 6 && strcmp(argv[5], "other") == 0;
    if (argc == 6 && !other && strcmp(argv[5], "same") != 0) die(EXIT_USAGE, "fault: the handler CPU is same or other");
    bench_fault((mechanism)mech, arg_u64("PAGES", argv[3]), arg_u64("ROUNDS", argv[4]), other, cpu);
  } else if (strcmp(b, "protect") == 0 && argc == 5 && (strcmp(argv[2], "mprotect") == 0 || strcmp(argv[2], "uffd") == 0))
    bench_protect(strcmp(argv[2], "uffd") == 0, arg_u64("K", argv[3]), arg_u64("REPS", argv[4]));
  else die(EXIT_USAGE, "%s", USAGE);
  return 0;
}
