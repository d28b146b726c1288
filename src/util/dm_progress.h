/* dm_progress: the progress lines of a long run (on rank 0, which hears of
 * every finished chunk):
 *
 *   <done>/<todo> <unit> (<percent>%), <rate> <unit>/s, ETA <seconds> s
 *
 * at most one every `interval` seconds, and one when everything is done.
 *
 *   dm_progress_t pr;
 *   dm_progress_start(&pr, "rows", rows_todo, 10.0);
 *   ... per finished chunk: dm_progress_add(&pr, rows_of_chunk);
 */
#ifndef DM_PROGRESS_H
#define DM_PROGRESS_H

#include <stdint.h>

/** The parameter every long-running command takes (dm_params_t entry). */
#define DM_PROGRESS_PARAM {"Log:progress_seconds", DM_PARAM_FLOAT, "10", NULL, "seconds between progress lines"}

typedef struct {
  const char *unit; /* what is counted, e.g. "rows" */
  int64_t done, todo;
  double interval, t_start, t_last;
} dm_progress_t;

/**
 * @brief Start counting now.
 * @param p        filled
 * @param unit     what is counted (borrowed)
 * @param todo     total to do
 * @param interval seconds between lines
 */
void dm_progress_start(dm_progress_t *p, const char *unit, int64_t todo, double interval);

/** @brief Count n more done; log a line if interval seconds have passed or all is done. */
void dm_progress_add(dm_progress_t *p, int64_t n);

#endif
