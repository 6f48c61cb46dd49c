/*
 * The write trackers the replayer and the calibration measure. Each finds
 * the pages written since the last checkpoint the way a user-level
 * checkpointer on Linux can:
 *
 * - mprotect: the region is made read-only; the first write to a page raises
 *   SIGSEGV, whose handler records the page and makes it writable again
 *   (mprotect of that page, which splits the VMA). Re-armed with one mprotect
 *   of the whole region (the VMAs merge again). Linux mm/mprotect.c.
 * - uffd-wp: userfaultfd in write-protect mode (Linux 5.7+). The first write
 *   blocks the writer in handle_userfault() and queues a UFFD_EVENT_PAGEFAULT
 *   with UFFD_PAGEFAULT_FLAG_WP; a handler thread reads it, records the page
 *   and clears the protection with UFFDIO_WRITEPROTECT (mode 0), which wakes
 *   the writer. Re-armed with one UFFDIO_WRITEPROTECT of the whole region.
 *   fs/userfaultfd.c, Documentation/admin-guide/mm/userfaultfd.rst.
 * - uffd-async: UFFD_FEATURE_WP_ASYNC (Linux 6.7+): the kernel resolves the
 *   write-protect fault itself (do_wp_page → userfaultfd_wp_async) and marks
 *   the page written; the PAGEMAP_SCAN ioctl on /proc/self/pagemap with
 *   PM_SCAN_WP_MATCHING returns the written pages and write-protects them
 *   again in one walk. fs/proc/task_mmu.c, man ioctl_pagemap_scan(2).
 * - soft-dirty: writing 4 to /proc/self/clear_refs clears the soft-dirty bit
 *   of every page of the process and write-protects them; the first write
 *   faults in the kernel, which sets the bit; bit 55 of /proc/self/pagemap
 *   reads it. Needs CONFIG_MEM_SOFT_DIRTY. Documentation/admin-guide/mm/soft-dirty.rst.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "native.h"

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef USERFAULTFD_IOC_NEW
#define USERFAULTFD_IOC_NEW _IO(0xAA, 0x00)
#endif
#ifndef PAGEMAP_SCAN
#define PAGE_IS_WPALLOWED (1 << 0)
#define PAGE_IS_WRITTEN (1 << 1)
struct page_region {
  uint64_t start, end, categories;
};
struct pm_scan_arg {
  uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages, category_inverted, category_mask,
      category_anyof_mask, return_mask;
};
#define PM_SCAN_WP_MATCHING (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#endif

/* soft-dirty: bit 55 of a pagemap entry (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_SOFT_DIRTY (1ull << 55)

const char *const mechanism_names[MECH_COUNT] = {"none", "full", "mprotect", "uffd-wp", "uffd-async", "soft-dirty"};

int mechanism_by_name(const char *name) {
  for (int m = 0; m < MECH_COUNT; m++)
    if (strcmp(name, mechanism_names[m]) == 0) return m;
  return -1;
}

static int unavailable(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int unavailable(char *why, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, len, fmt, ap);
  va_end(ap);
  return -1;
}

/* Records page `page` as written (called with the writer blocked: no checkpoint can run meanwhile). */
static void record(tracker *t, size_t page) {
  atomic_fetch_add_explicit(&t->faults, 1, memory_order_relaxed);
  if (!t->is_recorded[page]) {
    t->is_recorded[page] = 1;
    uint32_t n = atomic_load_explicit(&t->recorded_count, memory_order_relaxed);
    t->recorded[n] = (int32_t)page;
    atomic_store_explicit(&t->recorded_count, n + 1, memory_order_release);
  }
}

static void handler_time(tracker *t, uint64_t started) {
  uint64_t i = atomic_load_explicit(&t->handler_n, memory_order_relaxed);
  if (i < t->handler_cap) t->handler_ns[i] = now_ns() - started;
  atomic_store_explicit(&t->handler_n, i + 1, memory_order_relaxed);
}

/* ---- mprotect + SIGSEGV ---- */

static tracker *segv_tracker; /* the one tracker the signal handler serves */

static void on_segv(int sig, siginfo_t *si, void *context) {
  uint64_t started = now_ns();
  (void)context;
  tracker *t = segv_tracker;
  char *addr = si->si_addr;
  if (t == NULL || addr < t->base || addr >= t->base + t->pages * PAGE_BYTES) {
    signal(sig, SIG_DFL); /* not ours: the access runs again and kills the process as it should */
    return;
  }
  size_t page = (size_t)(addr - t->base) >> PAGE_SHIFT;
  if (mprotect(t->base + page * PAGE_BYTES, PAGE_BYTES, PROT_READ | PROT_WRITE) != 0) {
    static const char msg[] = "replay: mprotect of one page failed in the SIGSEGV handler (vm.max_map_count?)\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(EXIT_FAILED);
  }
  record(t, page);
  handler_time(t, started);
}

/* ---- userfaultfd ---- */

static int uffd_new(uint64_t features, char *why, size_t len) {
  int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
  if (fd < 0) {
    int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
    if (dev >= 0) {
      fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | UFFD_USER_MODE_ONLY);
      close(dev);
    }
  }
  if (fd < 0)
    return unavailable(why, len, "userfaultfd: %s (neither the system call nor /dev/userfaultfd)", strerror(errno));
  struct uffdio_api api = {.api = UFFD_API, .features = features};
  if (ioctl(fd, UFFDIO_API, &api) != 0) {
    int e = errno;
    close(fd);
    return unavailable(why, len, "userfaultfd: this kernel lacks the features 0x%llx (%s)",
                       (unsigned long long)features, strerror(e));
  }
  return fd;
}

static int uffd_register_wp(tracker *t, char *why, size_t len) {
  struct uffdio_register reg = {.range = {(uintptr_t)t->base, t->pages * PAGE_BYTES}, .mode = UFFDIO_REGISTER_MODE_WP};
  if (ioctl(t->uffd, UFFDIO_REGISTER, &reg) != 0)
    return unavailable(why, len, "userfaultfd: write-protect registration refused (%s)", strerror(errno));
  if (!(reg.ioctls & ((uint64_t)1 << _UFFDIO_WRITEPROTECT)))
    return unavailable(why, len, "userfaultfd: UFFDIO_WRITEPROTECT not offered on anonymous memory");
  return 0;
}

static void uffd_protect(int uffd, char *addr, size_t bytes, int protect) {
  struct uffdio_writeprotect wp = {.range = {(uintptr_t)addr, bytes}, .mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0};
  if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) != 0) die(EXIT_FAILED, "UFFDIO_WRITEPROTECT: %s", strerror(errno));
}

static void *uffd_handler(void *arg) {
  tracker *t = arg;
  pin_to_cpu(t->handler_cpu);
  for (;;) {
    struct uffd_msg msg;
    ssize_t n = read(t->uffd, &msg, sizeof msg); /* blocking: the thread sleeps until a fault */
    uint64_t started = now_ns();
    if (n < 0 && errno == EINTR) continue;
    if (n != (ssize_t)sizeof msg) die(EXIT_FAILED, "read of the userfaultfd: %s", n < 0 ? strerror(errno) : "short");
    if (msg.event != UFFD_EVENT_PAGEFAULT || !(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP))
      die(EXIT_FAILED, "unexpected userfaultfd event %u (flags 0x%llx)", msg.event,
          (unsigned long long)msg.arg.pagefault.flags);
    char *addr = (char *)(uintptr_t)msg.arg.pagefault.address;
    size_t page = (size_t)(addr - t->base) >> PAGE_SHIFT;
    if (page >= t->pages) die(EXIT_FAILED, "userfaultfd fault outside the region");
    record(t, page);
    uffd_protect(t->uffd, t->base + page * PAGE_BYTES, PAGE_BYTES, 0); /* write allowed again; wakes the writer */
    handler_time(t, started);
  }
  return NULL;
}

/* ---- soft-dirty ---- */

static void clear_soft_dirty(void) {
  int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "4", 1) != 1) die(EXIT_FAILED, "writing 4 to /proc/self/clear_refs: %s", strerror(errno));
  close(fd);
}

static uint64_t pagemap_entry(int fd, const void *addr) {
  uint64_t e = 0;
  if (pread(fd, &e, sizeof e, (off_t)((uintptr_t)addr >> PAGE_SHIFT) * 8) != sizeof e)
    die(EXIT_FAILED, "reading /proc/self/pagemap: %s", strerror(errno));
  return e;
}

/* Soft-dirty works when a page written after clear_refs shows bit 55 (CONFIG_MEM_SOFT_DIRTY). */
static int soft_dirty_works(int fd, char *why, size_t len) {
  static volatile char probe[2 * PAGE_BYTES];
  volatile char *page = (volatile char *)(((uintptr_t)probe + PAGE_BYTES - 1) & ~(uintptr_t)(PAGE_BYTES - 1));
  page[0] = 1;
  clear_soft_dirty();
  uint64_t before = pagemap_entry(fd, (const void *)page);
  page[0] = 2;
  uint64_t after = pagemap_entry(fd, (const void *)page);
  if ((before & PM_SOFT_DIRTY) || !(after & PM_SOFT_DIRTY))
    return unavailable(why, len, "soft-dirty: pagemap bit 55 does not follow writes (kernel without CONFIG_MEM_SOFT_DIRTY)");
  return 0;
}

/* ---- the tracker ---- */

int tracker_open(tracker *t, mechanism mech, char *base, size_t pages, int handler_cpu, uint64_t handler_cap, char *why,
                 size_t why_len) {
  memset(t, 0, sizeof *t);
  t->mech = mech;
  t->base = base;
  t->pages = pages;
  t->uffd = -1;
  t->pagemap_fd = -1;
  t->handler_cpu = handler_cpu;
  t->recorded = touched_calloc(pages, sizeof *t->recorded);
  t->is_recorded = touched_calloc(pages, 1);
  t->handler_cap = handler_cap;
  t->handler_ns = touched_calloc(handler_cap, sizeof *t->handler_ns);
  switch (mech) {
  case MECH_NONE:
  case MECH_FULL:
    return 0;
  case MECH_MPROTECT: {
    long max_maps = 65530;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
      if (fscanf(f, "%ld", &max_maps) != 1) max_maps = 65530;
      fclose(f);
    }
    /* Alternating written and unwritten pages make one VMA each. */
    if ((long)pages + 1000 > max_maps)
      return unavailable(why, why_len, "mprotect: %zu pages could need as many VMAs, vm.max_map_count is %ld", pages,
                         max_maps);
    segv_tracker = t;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0) die(EXIT_FAILED, "sigaction: %s", strerror(errno));
    return 0;
  }
  case MECH_UFFD_WP:
    if ((t->uffd = uffd_new(0, why, why_len)) < 0) return -1;
    if (uffd_register_wp(t, why, why_len) != 0) return -1;
    pthread_t th;
    if (pthread_create(&th, NULL, uffd_handler, t) != 0) die(EXIT_FAILED, "pthread_create failed");
    t->thread = th;
    t->thread_started = 1;
    return 0;
  case MECH_UFFD_ASYNC: {
    if ((t->uffd = uffd_new(UFFD_FEATURE_WP_ASYNC, why, why_len)) < 0) return -1;
    if (uffd_register_wp(t, why, why_len) != 0) return -1;
    t->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (t->pagemap_fd < 0) return unavailable(why, why_len, "/proc/self/pagemap: %s", strerror(errno));
    t->region_cap = 4096;
    t->regions = touched_calloc(t->region_cap, sizeof(struct page_region));
    struct pm_scan_arg probe = {.size = sizeof probe, .start = (uintptr_t)base, .end = (uintptr_t)base + PAGE_BYTES,
                                .vec = (uintptr_t)t->regions, .vec_len = 1, .category_mask = PAGE_IS_WRITTEN,
                                .return_mask = PAGE_IS_WRITTEN};
    if (ioctl(t->pagemap_fd, PAGEMAP_SCAN, &probe) < 0)
      return unavailable(why, why_len, "uffd-async: PAGEMAP_SCAN refused (%s): needs Linux 6.7 or later", strerror(errno));
    return 0;
  }
  case MECH_SOFT_DIRTY:
    t->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (t->pagemap_fd < 0) return unavailable(why, why_len, "/proc/self/pagemap: %s", strerror(errno));
    if (soft_dirty_works(t->pagemap_fd, why, why_len) != 0) return -1;
    t->pagemap_buf = touched_calloc(pages, sizeof *t->pagemap_buf);
    return 0;
  default:
    return unavailable(why, why_len, "unknown mechanism");
  }
}

void tracker_protect_all(tracker *t) {
  size_t bytes = t->pages * PAGE_BYTES;
  switch (t->mech) {
  case MECH_MPROTECT:
    if (mprotect(t->base, bytes, PROT_READ) != 0) die(EXIT_FAILED, "mprotect of the region: %s", strerror(errno));
    break;
  case MECH_UFFD_WP:
  case MECH_UFFD_ASYNC:
    uffd_protect(t->uffd, t->base, bytes, 1);
    break;
  case MECH_SOFT_DIRTY:
    clear_soft_dirty();
    break;
  default:
    break;
  }
}

int tracker_collect_rearms(const tracker *t) { return t->mech == MECH_UFFD_ASYNC; }

static size_t collect_recorded(tracker *t, int32_t *out) {
  uint32_t n = atomic_load_explicit(&t->recorded_count, memory_order_acquire);
  for (uint32_t i = 0; i < n; i++) {
    out[i] = t->recorded[i];
    t->is_recorded[t->recorded[i]] = 0;
  }
  atomic_store_explicit(&t->recorded_count, 0, memory_order_relaxed);
  return n;
}

static size_t collect_pagemap_scan(tracker *t, int32_t *out) {
  struct page_region *r = t->regions;
  uintptr_t start = (uintptr_t)t->base, end = start + t->pages * PAGE_BYTES;
  size_t n = 0;
  while (start < end) {
    struct pm_scan_arg a = {.size = sizeof a, .flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC, .start = start,
                            .end = end, .vec = (uintptr_t)r, .vec_len = t->region_cap,
                            .category_mask = PAGE_IS_WRITTEN, .return_mask = PAGE_IS_WRITTEN};
    long got = ioctl(t->pagemap_fd, PAGEMAP_SCAN, &a);
    if (got < 0) die(EXIT_FAILED, "PAGEMAP_SCAN: %s", strerror(errno));
    for (long i = 0; i < got; i++)
      for (uintptr_t p = r[i].start; p < r[i].end; p += PAGE_BYTES) out[n++] = (int32_t)((p - (uintptr_t)t->base) >> PAGE_SHIFT);
    if (a.walk_end <= start) die(EXIT_FAILED, "PAGEMAP_SCAN made no progress");
    start = a.walk_end;
  }
  return n;
}

static size_t collect_soft_dirty(tracker *t, int32_t *out) {
  size_t bytes = t->pages * sizeof *t->pagemap_buf;
  off_t at = (off_t)((uintptr_t)t->base >> PAGE_SHIFT) * 8;
  for (size_t done = 0; done < bytes;) {
    ssize_t got = pread(t->pagemap_fd, (char *)t->pagemap_buf + done, bytes - done, at + (off_t)done);
    if (got <= 0) die(EXIT_FAILED, "reading /proc/self/pagemap: %s", got < 0 ? strerror(errno) : "short read");
    done += (size_t)got;
  }
  size_t n = 0;
  for (size_t p = 0; p < t->pages; p++)
    if (t->pagemap_buf[p] & PM_SOFT_DIRTY) out[n++] = (int32_t)p;
  return n;
}

size_t tracker_collect(tracker *t, int32_t *out) {
  switch (t->mech) {
  case MECH_FULL:
    for (size_t p = 0; p < t->pages; p++) out[p] = (int32_t)p;
    return t->pages;
  case MECH_MPROTECT:
  case MECH_UFFD_WP:
    return collect_recorded(t, out);
  case MECH_UFFD_ASYNC:
    return collect_pagemap_scan(t, out);
  case MECH_SOFT_DIRTY:
    return collect_soft_dirty(t, out);
  default:
    return 0;
  }
}

void tracker_close(tracker *t) {
  if (t->thread_started) {
    pthread_cancel(t->thread); /* it sleeps in read(), a cancellation point */
    pthread_join(t->thread, NULL);
  }
  if (t->uffd >= 0) close(t->uffd);
  if (t->pagemap_fd >= 0) close(t->pagemap_fd);
  if (t->mech == MECH_MPROTECT) {
    signal(SIGSEGV, SIG_DFL);
    mprotect(t->base, t->pages * PAGE_BYTES, PROT_READ | PROT_WRITE);
    segv_tracker = NULL;
  }
  free(t->recorded);
  free(t->is_recorded);
  free(t->handler_ns);
  free(t->regions);
  free(t->pagemap_buf);
}
