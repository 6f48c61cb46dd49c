/* dirtybench native: clock, pinning, errors, regions, the page trace reader, JSON (see native.h). */
#define _GNU_SOURCE
#include "native.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *program_name = "native";

uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

_Noreturn void die(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", program_name);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(code);
}

int cpu_count(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : (int)n;
}

void pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (cpu < 0 || cpu >= cpu_count() || sched_setaffinity(0, sizeof set, &set) != 0)
    die(EXIT_USAGE, "cannot pin to CPU %d (online CPUs: 0-%d)", cpu, cpu_count() - 1);
}

void *touched_calloc(size_t n, size_t size) {
  if (n == 0) n = 1;
  char *p = calloc(n, size);
  if (!p) die(EXIT_FAILED, "out of memory (%zu × %zu bytes)", n, size);
  for (size_t i = 0; i < n * size; i += PAGE_BYTES) ((volatile char *)p)[i] = 0;
  ((volatile char *)p)[n * size - 1] = 0;
  return p;
}

char *map_region(size_t pages) {
  size_t len = pages * PAGE_BYTES;
  char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die(EXIT_FAILED, "mmap of %zu pages: %s", pages, strerror(errno));
  /* 4 KiB pages: tracking is per base page, and a THP would split on its first write-protect fault. */
  madvise(p, len, MADV_NOHUGEPAGE);
  for (size_t i = 0; i < pages; i++) p[i * PAGE_BYTES] = 1; /* written, so each page has its own frame */
  return p;
}

/* ---- page trace ---- */

static uint32_t crc_table[256];

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n) {
  if (crc_table[1] == 0) {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      crc_table[i] = c;
    }
  }
  crc = ~crc;
  for (size_t i = 0; i < n; i++) crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

enum { HEADER = 96, CRC_AT = 72, FLAG_INSTRUCTIONS = 1, FLAG_PAGE_NUMBERS = 2, RUN_BIT = 2 };

void read_page_trace(const char *file, page_trace *out) {
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(EXIT_USAGE, "cannot read %s: %s", file, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) die(EXIT_USAGE, "cannot stat %s: %s", file, strerror(errno));
  size_t size = (size_t)st.st_size;
  if (size < HEADER) die(EXIT_USAGE, "%s is not a page trace (%zu bytes, the header needs 96)", file, size);
  uint8_t *bytes = malloc(size);
  if (!bytes) die(EXIT_FAILED, "out of memory reading %s", file);
  for (size_t done = 0; done < size;) {
    ssize_t n = pread(fd, bytes + done, size - done, (off_t)done);
    if (n <= 0) die(EXIT_USAGE, "cannot read %s: %s", file, n < 0 ? strerror(errno) : "short read");
    done += (size_t)n;
  }
  close(fd);
  if (memcmp(bytes, "DBPTRACE", 8) != 0) die(EXIT_USAGE, "%s is not a page trace (bad magic)", file);
  if (le32(bytes + 8) != 1) die(EXIT_USAGE, "%s has page trace version %u, this build reads 1", file, le32(bytes + 8));
  if (le32(bytes + 12) != HEADER || le32(bytes + 16) != PAGE_BYTES)
    die(EXIT_USAGE, "%s has a corrupt header (header or page size)", file);
  uint32_t flags = le32(bytes + 20);
  if (flags & ~(uint32_t)(FLAG_INSTRUCTIONS | FLAG_PAGE_NUMBERS))
    die(EXIT_USAGE, "%s has unknown flags 0x%x", file, flags);
  uint32_t pages = le32(bytes + 24);
  uint64_t accesses = le64(bytes + 32), words = le64(bytes + 48);
  if (pages == 0 || pages > (1u << 29) || size != HEADER + 4 * words + 8 * (uint64_t)pages)
    die(EXIT_USAGE, "%s is truncated or corrupt (%zu bytes; header: %u pages, %llu record words)", file, size, pages,
        (unsigned long long)words);
  uint32_t crc = crc32_update(0, bytes + HEADER, size - HEADER);
  crc = crc32_update(crc, bytes, CRC_AT);
  crc = crc32_update(crc, bytes + CRC_AT + 4, HEADER - CRC_AT - 4);
  if (crc != le32(bytes + CRC_AT)) die(EXIT_USAGE, "%s fails its checksum: the file is corrupt", file);

  uint32_t *access = malloc(accesses * sizeof *access + 1);
  if (!access) die(EXIT_FAILED, "out of memory for %llu accesses", (unsigned long long)accesses);
  uint64_t n = 0;
  const uint8_t *rec = bytes + HEADER;
  for (uint64_t i = 0; i < words; i++) {
    uint32_t w = le32(rec + 4 * i), index = w >> 2, write = w & 1;
    uint64_t count = 1;
    if (w & RUN_BIT) {
      if (++i == words) die(EXIT_USAGE, "%s is inconsistent: the last record lacks its run count", file);
      count = le32(rec + 4 * i);
    }
    if (index >= pages || n + count > accesses)
      die(EXIT_USAGE, "%s is inconsistent: record %llu (page %u) disagrees with the header", file,
          (unsigned long long)i, index);
    for (uint64_t k = 0; k < count; k++) access[n++] = index << 2 | write;
  }
  if (n != accesses) die(EXIT_USAGE, "%s is inconsistent: %llu accesses, the header says %llu", file,
                         (unsigned long long)n, (unsigned long long)accesses);
  out->pages = pages;
  out->written_pages = le32(bytes + 28);
  out->accesses = accesses;
  out->page_numbers = (flags & FLAG_PAGE_NUMBERS) != 0;
  out->access = access;
  free(bytes);
}

/* ---- JSON ---- */

void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

void json_u64_array(FILE *f, const uint64_t *v, size_t n) {
  fputc('[', f);
  for (size_t i = 0; i < n; i++) fprintf(f, i ? ",%llu" : "%llu", (unsigned long long)v[i]);
  fputc(']', f);
}
