/* dm_hits_merge: the chunk parts of a `dmotif hits` run and their merge
 * into the final outputs (see dm_hits_run.h). Serial: the parts are
 * written by whichever rank computed the chunk, the merge runs on rank 0.
 *
 * A part, <parts>/chunk_<c>.bin, holds the chunk's row range, its hits
 * (sorted by row, position, bank entry), one dm_hits_qc_t and one
 * dm_region_t per row. It is transient (same machine, removed after the
 * merge), so it is a raw dump of those structs behind a magic string.
 */
#ifndef DM_HITS_MERGE_H
#define DM_HITS_MERGE_H

#include <stdint.h>

#include "dm_hits_bank.h"
#include "dm_hits_fit.h"
#include "dm_seq.h"

/** The final outputs in Output:dir, by name. */
#define DM_HITS_N_OUTPUTS 4
extern const char *const dm_hits_outputs[DM_HITS_N_OUTPUTS];

/** One chunk's results. */
typedef struct {
  int64_t a, b;     /* rows [a, b) */
  int64_t n;        /* hits */
  dm_hit_t *hits;   /* (n,) */
  dm_hits_qc_t *qc; /* (b - a,) */
  dm_region_t *reg; /* (b - a,) */
} dm_hits_part_t;

/**
 * @brief Write a part as <parts>/chunk_<c>.bin.tmp, then rename it.
 * @return 0, or -1 after logging
 */
DM_RESULT_USED int dm_hits_part_write(const char *parts, int64_t c, const dm_hits_part_t *p);

/**
 * @brief Read a part written by dm_hits_part_write.
 * @param p filled (free with dm_hits_part_free)
 * @return 0, or -1 after logging (missing, truncated, not a part)
 */
DM_RESULT_USED int dm_hits_part_read(const char *parts, int64_t c, dm_hits_part_t *p);

/** @brief Free the arrays of a part read by dm_hits_part_read. */
void dm_hits_part_free(dm_hits_part_t *p);

/** @return 1 if part c exists (a finished chunk), else 0. */
int dm_hits_part_exists(const char *parts, int64_t c);

/** What the merge needs to know besides the parts. */
typedef struct {
  const char *dir;         /* Output:dir */
  const char *parts;       /* the parts directory */
  const char *method;      /* "finemo" or "scan" */
  const char *params_yaml; /* all parameters: hits.h5 attribute "parameters" */
  const char *result_yaml; /* those defining the hits: TSV headers, hits.h5 "result_parameters" */
  const char *attr;        /* input attr.h5 (stored) */
  const dm_hits_bank_t *bank;
  const char *const *label;        /* (n_patterns,) "task/sign/name" */
  const char *const *source;       /* (n_patterns,) modisco.h5 of each pattern */
  const double *sim_min, *imp_min; /* (n_patterns,) scan thresholds, or NULL */
  /* the patterns' seqlets, sorted by row */
  int64_t n_seqlets;
  const int64_t *seq_row, *seq_start, *seq_end; /* (n_seqlets,) */
  const int32_t *seq_pattern;                   /* (n_seqlets,) */
  int64_t n_rows, n_chunks;
  int L;
} dm_hits_merge_t;

/**
 * @brief Merge every part, in chunk order, into hits.tsv, hits.h5,
 *        counts.tsv and summary.tsv of dir (each via <file>.tmp). Rank 0
 *        only (it opens hits.h5 on MPI_COMM_SELF).
 * @param m      the run's description
 * @param n_hits total hits written (out)
 * @return 0, or -1 after logging (no final file is left then)
 */
DM_RESULT_USED int dm_hits_merge(const dm_hits_merge_t *m, int64_t *n_hits);

#endif
