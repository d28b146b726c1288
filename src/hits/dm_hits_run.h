/* dm_hits_run: the `dmotif hits` driver, attr.h5 + modisco.h5 -> motif hits.
 *
 * Every rank reads the patterns of the modisco.h5 files (all patterns of
 * pos_patterns and neg_patterns; subpatterns are not used), names them
 * "<task>/<pos|neg>/pattern_<i>" (task: Input:task of the file's stored
 * parameters, else the file name without directory and extension) and
 * prepares them (dm_hits_bank). The command applies the output policy
 * (dm_output) to the outputs before the run. Rank 0 hands out chunks of rows of attr.h5
 * (dm_sched); a rank with a chunk reads its rows (one-hot, hyp of the task,
 * regions), projects the contributions and calls the hits of each row with
 * the Fi-NeMo fit (dm_hits_fit) or the CWM scan (dm_hits_scan), then writes
 * the chunk's hits to <dir>/hits.parts/chunk_<c>.bin (under a temporary
 * name, renamed when complete: an existing part is a finished chunk, which
 * a resumed run skips). When every chunk is done, rank 0 merges the parts
 * in chunk order into
 *   hits.tsv     one line per hit, genome coordinates (see README)
 *   hits.h5      the same columns as datasets, the per-region counts and
 *                fit diagnostics, the per-pattern summary
 *   counts.tsv   per region, the number of hits of each pattern
 *   summary.tsv  per pattern: seqlets, hits, seqlets recovered as hits
 * each written as <file>.tmp and renamed, and removes the parts. A row's
 * hits depend on that row only, so the outputs are the same for any number
 * of ranks, chunk size, or kill-and-resume history.
 */
#ifndef DM_HITS_RUN_H
#define DM_HITS_RUN_H

#include <stdint.h>

#include "dm_hits_fit.h"
#include "dm_mpi.h"

/** Hit-calling methods. */
typedef enum { DM_HITS_FINEMO, DM_HITS_SCAN } dm_hits_method_t;

/** Everything a run needs; strings are borrowed. */
typedef struct {
  const char *attr;           /* attr.h5 (status complete) */
  const char *task;           /* task of attr.h5 */
  int center_hyp;             /* 1: centre hyp over the bases per position */
  int64_t block_rows;         /* rows of attr.h5 read at a time (bounds memory) */
  const char *const *modisco; /* (n_modisco,) modisco.h5 files */
  int n_modisco;
  dm_hits_method_t method;
  double trim;           /* CWM trimming threshold (fraction of the largest position) */
  dm_hits_fit_opt_t fit; /* Fi-NeMo settings */
  double scan_quantile;  /* scan: seqlet quantile of the thresholds */
  int scan_compete;      /* scan: overlapping hits of different patterns exclude each other */
  const char *dir;       /* Output:dir */
  int64_t chunk_rows;    /* rows per chunk (unit of work and of resume) */
  int overwrite, resume;
  double progress_seconds;
  const char *params_yaml; /* all parameters (stored in every output) */
  const char *result_yaml; /* those that define the hits (resume check) */
} dm_hits_job_t;

/**
 * @brief Run. Collective over ctx.
 *
 * Test hook (dm_sched): with DM_FAULT_KILL_AFTER_CHUNKS=k in the
 * environment, rank 0 kills itself with SIGKILL after k chunks are done.
 * @return 0 on every rank on success, else nonzero on every rank (logged)
 */
int dm_hits_run_job(const dm_mpi_t *ctx, const dm_hits_job_t *job);

#endif
