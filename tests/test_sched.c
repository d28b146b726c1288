/* Dynamic scheduling: every item is done exactly once, on_done runs once per
 * item on rank 0, whatever the rank count and timing; the same with workers
 * asking for their next item ahead (dm_sched_ahead). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm_log.h"
#include "dm_mpi.h"
#include "dm_sched.h"
#include "dm_test_mpi.h"

#define N_ITEMS 57

static int marked[N_ITEMS];

static void on_done(void *arg, int64_t item) {
  (void)arg;
  CHECK(item >= 0 && item < N_ITEMS, "item %ld", (long)item);
  marked[item]++;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_WORLD);
  dm_log_init(ctx.rank, DM_LOG_INFO);
  int64_t todo[N_ITEMS];
  for (int i = 0; i < N_ITEMS; i++) todo[i] = (i * 31) % N_ITEMS; /* a permutation */
  int done_here[N_ITEMS], done_all[N_ITEMS];
  for (int ahead = 0; ahead < 2; ahead++) {
    memset(marked, 0, sizeof marked);
    memset(done_here, 0, sizeof done_here);
    dm_sched_t *s = dm_sched_init(&ctx, todo, N_ITEMS, on_done, NULL);
    int n_mine = 0;
    for (int64_t c; (c = dm_sched_next(s)) >= 0;) {
      done_here[c]++;
      n_mine++;
      if (ahead && c % 3) dm_sched_ahead(s); /* for some items only */
      usleep((useconds_t)(200 * ((c + ctx.rank) % 4))); /* uneven work */
      dm_sched_poll(s);
    }
    CHECK(dm_sched_next(s) == -1, "asking again after the end");
    CHECK(dm_sched_finish(s) == 0, "a schedule run to its end reported as stopped");
    MPI_Reduce(done_here, done_all, N_ITEMS, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    if (ctx.rank == 0)
      for (int i = 0; i < N_ITEMS; i++) {
        CHECK(done_all[i] == 1, "item %d done %d times", i, done_all[i]);
        CHECK(marked[i] == 1, "item %d marked %d times", i, marked[i]);
      }
    /* with several ranks, rank 0 is not the only one working */
    int workers = n_mine > 0, n_workers = 0;
    MPI_Reduce(&workers, &n_workers, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    if (ctx.rank == 0) CHECK(ctx.size == 1 || n_workers > 1, "only %d rank(s) got work", n_workers);

    /* stopped early by the last rank after its second item (a signal): every
     * item handed out is finished and marked once, no other is, every rank hears */
    memset(marked, 0, sizeof marked);
    memset(done_here, 0, sizeof done_here);
    s = dm_sched_init(&ctx, todo, N_ITEMS, on_done, NULL);
    n_mine = 0;
    for (int64_t c; (c = dm_sched_next(s)) >= 0;) {
      done_here[c]++;
      if (ahead) dm_sched_ahead(s);
      if (++n_mine == 2 && ctx.rank == ctx.size - 1) dm_sched_stop(s);
      /* the other ranks slow (57 items take them about 0.4 s), so that the
       * last rank, even started late on a loaded machine, reaches its second
       * item before all are handed out */
      usleep(ctx.rank == ctx.size - 1 ? 300 : 20000);
      dm_sched_poll(s);
    }
    CHECK(dm_sched_finish(s) == 1, "stopped schedule not reported as stopped on rank %d", ctx.rank);
    MPI_Reduce(done_here, done_all, N_ITEMS, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    if (ctx.rank == 0) {
      int n_done = 0;
      for (int i = 0; i < N_ITEMS; i++) {
        CHECK(done_all[i] == marked[i] && done_all[i] <= 1, "item %d done %d times, marked %d", i,
              done_all[i], marked[i]);
        n_done += done_all[i];
      }
      CHECK(n_done >= 2 && n_done < N_ITEMS, "%d items done after the stop", n_done);
    }
  }

  /* nothing to do: every rank gets -1 at once */
  dm_sched_t *s = dm_sched_init(&ctx, NULL, 0, on_done, NULL);
  CHECK(dm_sched_next(s) == -1, "empty schedule");
  dm_sched_finish(s);

  return dm_test_finish_mpi("test_sched");
}
