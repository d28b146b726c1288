/* This object's header. */
#include "dm_progress.h"

/* Local headers. */
#include "dm_log.h"
#include "dm_mem.h"

void dm_progress_start(dm_progress_t *p, const char *unit, int64_t todo, double interval) {
  *p = (dm_progress_t){.unit = unit, .todo = todo, .interval = interval};
  p->t_start = p->t_last = dm_wall_time();
}

void dm_progress_add(dm_progress_t *p, int64_t n) {
  p->done += n;
  double now = dm_wall_time();
  if (now - p->t_last < p->interval && p->done != p->todo) return;
  double rate = (double)p->done / (now - p->t_start + 1e-9);
  dm_log_info("%ld/%ld %s (%.1f%%), %.1f %s/s, ETA %.0f s", (long)p->done, (long)p->todo, p->unit,
              100.0 * (double)p->done / (double)(p->todo ? p->todo : 1), rate, p->unit,
              (double)(p->todo - p->done) / (rate > 0 ? rate : 1));
  p->t_last = now;
}
