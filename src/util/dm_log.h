/* dm_log: the one logger of dmotif.
 *
 * Every line starts with "[rank] elapsed func: ". Info and debug lines come
 * from rank 0 only; warnings and errors from every rank. dm_fatal() logs the
 * reason with file, function and line, then aborts all ranks (MPI_Abort) or
 * exits when MPI is not running. Only drivers call dm_fatal (docs/style.md,
 * "Errors").
 */
#ifndef DM_LOG_H
#define DM_LOG_H

#define DM_LOG_ERROR 0
#define DM_LOG_WARN 1
#define DM_LOG_INFO 2
#define DM_LOG_DEBUG 3

/**
 * @brief Set this process's rank and the verbosity; starts the elapsed clock.
 * @param rank  MPI rank (0 when MPI is not used)
 * @param level highest level printed (DM_LOG_ERROR..DM_LOG_DEBUG)
 */
void dm_log_init(int rank, int level);

/**
 * @brief Start or end a collective section: while on, errors and warnings
 *        are printed by rank 0 only. For checks that every rank makes on the
 *        same data (options, the header of a shared input file), so that a
 *        bad input gives one message, not one per rank.
 * @param on 1 to start, 0 to end
 * @return the previous state, to restore
 */
int dm_log_collective(int on);

/** @return the current verbosity level. */
int dm_log_level(void);

/** @return seconds since dm_log_init(). */
double dm_log_elapsed(void);

/**
 * @brief Print one log line; use the dm_log_* macros instead.
 * @param level DM_LOG_*; info/debug are printed on rank 0 only
 * @param func  calling function (__func__)
 */
void dm_log_msg(int level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define dm_log_error(...) dm_log_msg(DM_LOG_ERROR, __func__, __VA_ARGS__)
#define dm_log_warn(...) dm_log_msg(DM_LOG_WARN, __func__, __VA_ARGS__)
#define dm_log_info(...) dm_log_msg(DM_LOG_INFO, __func__, __VA_ARGS__)
#define dm_log_debug(...) dm_log_msg(DM_LOG_DEBUG, __func__, __VA_ARGS__)

/**
 * @brief Log the reason with its origin and abort every rank. Never returns.
 */
_Noreturn void dm_fatal_at(const char *file, const char *func, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define dm_fatal(...) dm_fatal_at(__FILE__, __func__, __LINE__, __VA_ARGS__)

/** Always-on contract check (shapes, API boundaries). Hot loops use assert(). */
#define DM_ASSERT(cond)                                                                            \
  do {                                                                                             \
    if (!(cond)) dm_fatal("assertion failed: %s", #cond);                                          \
  } while (0)

/** Mark results that callers must check. */
#define DM_RESULT_USED __attribute__((warn_unused_result))

#endif
