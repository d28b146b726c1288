/* This object's header. */
#include "dm_sched.h"

/* Standard headers. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Local headers. */
#include "dm_log.h"
#include "dm_mem.h"

#define TAG_ASK 7101  /* worker -> master: int64 {finished item or -1, 1 to stop the schedule, ask_kind_t} */
#define TAG_GIVE 7102 /* master -> worker: int64 next item or -1 (stop) */

/* What a worker's message wants. */
typedef enum {
  ASK_NEXT,   /* report, and a reply: the next item */
  ASK_AHEAD,  /* no report; a reply: the item after the current one */
  ASK_REPORT, /* report only: the worker goes on with the item it got ahead */
  ASK_LAST,   /* report only: its ask ahead got -1, the worker is done */
} ask_kind_t;

struct dm_sched_s {
  const dm_mpi_t *ctx;
  MPI_Comm comm; /* this schedule's own: messages of two schedules never mix */
  int64_t *todo; /* (n_todo,) on rank 0 */
  int64_t n_todo, next;
  int64_t mine;        /* item this rank is working on, or -1 */
  int stopped;         /* this rank was told there is no more work */
  int ahead;           /* worker: an ASK_AHEAD awaits its reply */
  int stop;            /* dm_sched_stop was called here (workers: not yet sent) */
  int draining;        /* rank 0: hand out nothing more */
  int workers_running; /* rank 0: ranks not yet done (told to stop, last report in) */
  dm_sched_done_fn on_done;
  void *arg;
  long kill_after, n_done; /* rank 0: DM_FAULT_KILL_AFTER_CHUNKS, items reported done */
};

dm_sched_t *dm_sched_init(const dm_mpi_t *ctx, const int64_t *todo, int64_t n_todo,
                          dm_sched_done_fn on_done, void *arg) {
  dm_sched_t *s = dm_calloc("schedule", 1, sizeof *s);
  s->ctx = ctx;
  DM_MPI_CHECK(MPI_Comm_dup(ctx->comm, &s->comm));
  s->mine = -1;
  s->on_done = on_done;
  s->arg = arg;
  if (ctx->rank == 0) {
    s->n_todo = n_todo;
    s->todo = dm_malloc("schedule items", (size_t)n_todo * sizeof *todo);
    if (n_todo) memcpy(s->todo, todo, (size_t)n_todo * sizeof *todo);
    s->workers_running = ctx->size - 1;
    const char *kill = getenv("DM_FAULT_KILL_AFTER_CHUNKS");
    s->kill_after = kill ? atol(kill) : 0;
  }
  return s;
}

static void finished(dm_sched_t *s, int64_t item) {
  if (item < 0) return;
  if (s->on_done) s->on_done(s->arg, item);
  if (s->kill_after > 0 && ++s->n_done >= s->kill_after) {
    dm_log_warn("DM_FAULT_KILL_AFTER_CHUNKS=%ld: killing the job", s->kill_after);
    raise(SIGKILL);
  }
}

/* Rank 0: answer one message {finished item, stop, kind} from src. A worker
 * is done after the -1 answering its ASK_NEXT, or at its ASK_LAST. */
static void answer(dm_sched_t *s, int src, const int64_t msg[3]) {
  finished(s, msg[0]);
  if (msg[1]) s->draining = 1;
  if (msg[2] == ASK_REPORT || msg[2] == ASK_LAST) {
    s->workers_running -= msg[2] == ASK_LAST;
    return;
  }
  int64_t give = !s->draining && s->next < s->n_todo ? s->todo[s->next++] : -1;
  if (give < 0 && msg[2] == ASK_NEXT) s->workers_running--;
  DM_MPI_CHECK(MPI_Send(&give, 1, MPI_INT64_T, src, TAG_GIVE, s->comm));
}

void dm_sched_poll(dm_sched_t *s) {
  if (s->ctx->rank != 0) return;
  for (;;) {
    int flag = 0;
    MPI_Status st;
    DM_MPI_CHECK(MPI_Iprobe(MPI_ANY_SOURCE, TAG_ASK, s->comm, &flag, &st));
    if (!flag) return;
    int64_t msg[3];
    DM_MPI_CHECK(MPI_Recv(msg, 3, MPI_INT64_T, st.MPI_SOURCE, TAG_ASK, s->comm, MPI_STATUS_IGNORE));
    answer(s, st.MPI_SOURCE, msg);
  }
}

int64_t dm_sched_next(dm_sched_t *s) {
  if (s->stopped) return -1;
  if (s->ctx->rank == 0) {
    finished(s, s->mine);
    dm_sched_poll(s);
    s->mine = !s->draining && s->next < s->n_todo ? s->todo[s->next++] : -1;
  } else if (s->ahead) {
    int64_t give;
    DM_MPI_CHECK(MPI_Recv(&give, 1, MPI_INT64_T, 0, TAG_GIVE, s->comm, MPI_STATUS_IGNORE));
    int64_t msg[3] = {s->mine, s->stop, give < 0 ? ASK_LAST : ASK_REPORT};
    DM_MPI_CHECK(MPI_Send(msg, 3, MPI_INT64_T, 0, TAG_ASK, s->comm));
    s->mine = give;
    s->ahead = 0;
  } else {
    int64_t msg[3] = {s->mine, s->stop, ASK_NEXT};
    DM_MPI_CHECK(MPI_Send(msg, 3, MPI_INT64_T, 0, TAG_ASK, s->comm));
    DM_MPI_CHECK(MPI_Recv(&s->mine, 1, MPI_INT64_T, 0, TAG_GIVE, s->comm, MPI_STATUS_IGNORE));
  }
  s->stopped = s->mine < 0;
  return s->mine;
}

void dm_sched_ahead(dm_sched_t *s) {
  if (s->ctx->rank == 0 || s->stopped || s->ahead || s->stop) return;
  int64_t msg[3] = {-1, 0, ASK_AHEAD};
  DM_MPI_CHECK(MPI_Send(msg, 3, MPI_INT64_T, 0, TAG_ASK, s->comm));
  s->ahead = 1;
}

void dm_sched_stop(dm_sched_t *s) {
  s->stop = 1;
  if (s->ctx->rank == 0) s->draining = 1;
}

int dm_sched_finish(dm_sched_t *s) {
  if (s->ctx->rank == 0) {
    while (s->workers_running > 0) {
      int64_t msg[3];
      MPI_Status st;
      DM_MPI_CHECK(MPI_Recv(msg, 3, MPI_INT64_T, MPI_ANY_SOURCE, TAG_ASK, s->comm, &st));
      answer(s, st.MPI_SOURCE, msg);
    }
  }
  int cut = s->ctx->rank == 0 && s->next < s->n_todo;
  DM_MPI_CHECK(MPI_Bcast(&cut, 1, MPI_INT, 0, s->comm));
  DM_MPI_CHECK(MPI_Comm_free(&s->comm));
  free(s->todo);
  free(s);
  return cut;
}
