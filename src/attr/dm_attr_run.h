/* dm_attr_run: stage 1 driver, sequences -> attr.h5 on any number of ranks.
 *
 * Every rank opens the sequence source and loads the model. Rank 0 creates
 * (or, to resume, reopens) the output and hands out chunks of rows
 * (dm_sched); a rank with a chunk fetches its bases, one-hot encodes them,
 * builds the references of each row from (seed, global row, reference
 * index), attributes them in batches and writes the chunk's rows of every
 * dataset itself (independent parallel-HDF5 writes). Rank 0 then marks the
 * chunk in /done. Results depend on the row only, so the file is the same
 * for any rank count, chunk size or kill-and-resume history.
 *
 * attr.h5 (N rows, L bases, chunks of C rows along N):
 *   /onehot                  (N, L, 4) uint8
 *   /regions/{chrom,start,end,name,strand}  (N,) each row's genomic interval
 *   /tasks/<t>/hyp           (N, L, 4) float32 hypothetical contributions
 *   /tasks/<t>/contrib       (N, L, 4) float32 hyp * onehot (Output:contrib)
 *   /tasks/<t>/pred          (N,)      float32 model output (after its activation), or the
 *                                      value of a profile target
 *   <t> is the unit index of output 0, or the name of an Attr:targets target.
 *   /done                    (ceil(N/C),) uint8, 1 once a chunk is written
 *   attributes of "/": tool, version, status ("incomplete" until every chunk
 *   is done, then "complete"), method, rules, reference, n_refs, seed,
 *   ig_steps, tasks, length, chunk_rows, model_file, model_sha256,
 *   weights_file, weights_sha256, parameters (all, YAML),
 *   result_parameters (those that define the numbers, YAML), created (UTC).
 */
#ifndef DM_ATTR_RUN_H
#define DM_ATTR_RUN_H

#include <stdint.h>

#include "dm_methods.h"
#include "dm_mpi.h"
#include "dm_ref.h"
#include "dm_seq.h"

/** Everything a stage-1 run needs; strings are borrowed. */
typedef struct {
  dm_seqsrc_opt_t input;   /* sequences or BED + genome */
  const char *model;       /* full-model HDF5, or architecture JSON */
  const char *weights;     /* weights-only HDF5 for a JSON model, or NULL */
  dm_methods_opt_t attr;      /* method, rules, ig steps */
  dm_ref_opt_t ref;        /* reference kind, count, seed */
  const long *tasks;       /* (n_tasks,) units of output 0 to store; NULL: all (or targets) */
  int n_tasks;
  const char *targets;     /* Attr:targets specs (dm_target.h), or NULL for units of output 0 */
  int batch;               /* sequences per compute batch (x references); divides chunk_rows */
  const char *output;      /* attr.h5 */
  int64_t chunk_rows;      /* rows per chunk (unit of work and of resume) */
  int contrib;             /* 1: also write /tasks/<t>/contrib */
  int resume;              /* 1: continue an existing output with the same result_yaml */
  int overwrite;           /* 1: replace an existing output */
  double progress_seconds; /* interval of progress lines on rank 0 */
  const char *params_yaml; /* all parameters, stored in the file */
  const char *result_yaml; /* parameters that define the numbers (resume check) */
} dm_attr_job_t;

/**
 * @brief Run stage 1. Collective over ctx.
 *
 * Test hook: with DM_FAULT_KILL_AFTER_CHUNKS=k in the environment, rank 0
 * kills itself with SIGKILL right after marking k chunks done, taking the
 * job down as a scheduler would (other ranks may be mid-chunk).
 * SIGUSR1 or SIGTERM during the run (dm_stop) ends it early: the chunks in
 * flight are finished and marked done, no other is started, the file stays
 * "incomplete", and a rerun resumes.
 * @return 0 on every rank on success, DM_EXIT_INTERRUPTED on every rank
 *         after a stop by a signal, else 1 on every rank (logged)
 */
int dm_attr_run_job(const dm_mpi_t *ctx, const dm_attr_job_t *job);

#endif
