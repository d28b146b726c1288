/* This object's header. */
#include "dm_mem.h"

/* Standard headers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Local headers. */
#include "dm_log.h"

#define DM_MEM_LOG_BYTES ((size_t)64 << 20) /* log allocations >= 64 MiB */

static void *checked(const char *label, void *p, size_t size) {
  if (!p) dm_fatal("out of memory: %zu bytes for '%s'", size, label);
  if (size >= DM_MEM_LOG_BYTES) dm_log_debug("%s: %.1f MiB", label, (double)size / (1 << 20));
  return p;
}

void *dm_malloc(const char *label, size_t size) {
  return checked(label, malloc(size ? size : 1), size);
}

void *dm_calloc(const char *label, size_t n, size_t size) {
  if (size && n > SIZE_MAX / size) dm_fatal("size overflow: %zu x %zu bytes for '%s'", n, size, label);
  return checked(label, calloc(n ? n : 1, size ? size : 1), n * size);
}

void *dm_realloc(const char *label, void *ptr, size_t size) {
  return checked(label, realloc(ptr, size ? size : 1), size);
}

char *dm_strdup(const char *label, const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(dm_malloc(label, n), s, n);
}

double dm_wall_time(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double dm_cpu_time(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static size_t peak_before_reset; /* largest peak of the windows closed so far */

size_t dm_window_peak_rss(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (size_t)ru.ru_maxrss * 1024; /* Linux reports KiB */
}

size_t dm_peak_rss(void) {
  size_t now = dm_window_peak_rss();
  return now > peak_before_reset ? now : peak_before_reset;
}

int dm_peak_rss_reset(void) {
  size_t peak = dm_peak_rss();
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (!f) return -1;
  int ok = fputs("5", f) >= 0;
  ok &= fclose(f) == 0;
  if (ok) peak_before_reset = peak;
  return ok ? 0 : -1;
}

double dm_mem_physical(void) { return (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE); }
