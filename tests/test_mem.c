/* Peak RSS windows: a window sees the peak of memory touched inside it, a
 * reset starts a new window below that peak, and the whole-run peak keeps
 * it. Checked against a 64 MiB block touched page by page. */
#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"
#include "dm_test.h"

#define MIB ((size_t)1 << 20)

int main(void) {
  size_t before = dm_peak_rss();
  char *p = malloc(64 * MIB);
  CHECK(p != NULL, "malloc");
  memset(p, 1, 64 * MIB); /* touch every page */
  size_t during = dm_window_peak_rss();
  CHECK(during >= before && during >= 64 * MIB, "window peak %zu MiB after touching 64 MiB", during / MIB);
  volatile char sink = p[12345];
  (void)sink;
  free(p); /* large blocks go back to the system at once (mmap) */
  if (dm_peak_rss_reset() == 0) {
    size_t after = dm_window_peak_rss();
    CHECK(after + 32 * MIB < during, "after a reset the window peak (%zu MiB) is below the old one (%zu MiB)",
          after / MIB, during / MIB);
    CHECK(dm_peak_rss() >= during, "the run's peak (%zu MiB) keeps the old window's (%zu MiB)",
          dm_peak_rss() / MIB, during / MIB);
  } else {
    CHECK(dm_window_peak_rss() == dm_peak_rss(), "without a reset, the window is the run");
  }
  return dm_test_summary("test_mem");
}
