/* dm_mem: checked, labelled allocation; wall/CPU timers; peak RSS.
 *
 * dm_malloc and friends never return NULL: running out of memory is fatal
 * and the message names the label and the size. Large allocations are
 * logged at debug level with their label, so memory use can be traced.
 */
#ifndef DM_MEM_H
#define DM_MEM_H

#include <stddef.h>

/**
 * @brief malloc that aborts with the label on failure. Free with free().
 * @param label what the memory is for (shown in errors and debug logs)
 * @param size  bytes; 0 returns a unique pointer as malloc(1) would
 */
void *dm_malloc(const char *label, size_t size);

/** @brief calloc(n, size) with overflow check; see dm_malloc. Free with free(). */
void *dm_calloc(const char *label, size_t n, size_t size);

/** @brief realloc; see dm_malloc. Free with free(). */
void *dm_realloc(const char *label, void *ptr, size_t size);

/** @brief strdup; see dm_malloc. Free with free(). */
char *dm_strdup(const char *label, const char *s);

/** @return wall-clock seconds (monotonic) since an arbitrary origin. */
double dm_wall_time(void);

/** @return CPU seconds used by this process (user + system). */
double dm_cpu_time(void);

/** @return peak resident set size of this process in bytes (over the whole
 *  run, also across dm_peak_rss_reset calls). */
size_t dm_peak_rss(void);

/**
 * @brief Start a new measurement window for dm_window_peak_rss: the kernel's
 *        high-water mark is set back to the current RSS (Linux
 *        /proc/self/clear_refs "5"); dm_peak_rss keeps the peak before it.
 * @return 0, or -1 if the system cannot reset it (then windows span the run)
 */
int dm_peak_rss_reset(void);

/** @return peak resident set size in bytes since the last dm_peak_rss_reset
 *  (since the start if never reset). */
size_t dm_window_peak_rss(void);

/** @return physical memory of this machine in bytes (sysconf), to refuse sizes that cannot fit. */
double dm_mem_physical(void);

#endif
