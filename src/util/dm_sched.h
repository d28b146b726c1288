/* dm_sched: dynamic scheduling of work items (chunks) over MPI ranks.
 *
 * Rank 0 is the master: it holds the list of items to do and hands them out
 * one at a time to ranks that ask (so a slow rank does not hold the job),
 * and it works on items itself between requests. Every rank loops
 *
 *   for (int64_t c; (c = dm_sched_next(s)) >= 0;) {
 *     ... work on c, calling dm_sched_poll(s) now and then ...
 *   }
 *   dm_sched_finish(s);
 *
 * dm_sched_next() also reports the rank's previous item as finished: on
 * rank 0 the on_done callback then runs for it (e.g. to record completion in
 * a file), in the order completions arrive. With one rank there are no
 * messages. Which rank does which item depends on timing; callers must make
 * results depend only on the item. dm_sched_stop() ends the schedule early
 * (on a signal, say) with every item handed out finished and reported.
 *
 * Test hook: with DM_FAULT_KILL_AFTER_CHUNKS=k in the environment, rank 0
 * kills itself with SIGKILL right after on_done has run for k items, taking
 * the job down as a scheduler would (other ranks may be mid-item).
 */
#ifndef DM_SCHED_H
#define DM_SCHED_H

#include <stdint.h>

#include "dm_mpi.h"

/** Called on rank 0 once per finished item. */
typedef void (*dm_sched_done_fn)(void *arg, int64_t item);

typedef struct dm_sched_s dm_sched_t;

/**
 * @brief Start a schedule. Collective (it duplicates the communicator, so
 *        that the messages of consecutive schedules cannot mix).
 * @param ctx     ranks of the job
 * @param todo    (n_todo,) items in the order to hand out; read on rank 0 only (copied)
 * @param n_todo  number of items (rank 0)
 * @param on_done callback on rank 0 for each finished item, or NULL
 * @param arg     passed to on_done
 * @return the schedule; dm_sched_finish() frees it
 */
dm_sched_t *dm_sched_init(const dm_mpi_t *ctx, const int64_t *todo, int64_t n_todo,
                          dm_sched_done_fn on_done, void *arg);

/**
 * @brief Report the previous item as finished and get the next one.
 * @return an item, or -1 when there is no more work for this rank (and on
 *         every later call)
 */
int64_t dm_sched_next(dm_sched_t *s);

/** @brief On rank 0, answer the requests waiting now; elsewhere nothing. */
void dm_sched_poll(dm_sched_t *s);

/**
 * @brief On a worker, ask now for the item after the current one, so that
 *        rank 0's answer (at its next poll) is there when dm_sched_next()
 *        wants it: call it during the current item's last stretch of work.
 *        The current item is still reported by dm_sched_next(); an item
 *        received this way is in flight (done even after dm_sched_stop()).
 *        On rank 0, once asked, or after dm_sched_stop(): nothing.
 */
void dm_sched_ahead(dm_sched_t *s);

/**
 * @brief Stop early: hand out no more items, to any rank (the items in
 *        flight are finished and reported as usual). Call on any rank, any
 *        number of times; a worker's request reaches rank 0 with its next
 *        dm_sched_next(), after which that call returns -1.
 */
void dm_sched_stop(dm_sched_t *s);

/**
 * @brief On rank 0, answer requests until every other rank has been told to
 *        stop; then free the schedule. Collective.
 * @return on every rank: 1 if the schedule was stopped (dm_sched_stop)
 *         before every item was handed out, else 0
 */
int dm_sched_finish(dm_sched_t *s);

#endif
