/* dm_modisco_read: read the patterns of a modisco.h5 back into memory.
 *
 * Reads files written by dmotif modisco and tfmodisco-lite's own
 * modisco_results.h5 (the same schema, see dm_modisco_h5.h): for each of
 * pos_patterns/ and neg_patterns/, every pattern_<i> (in numeric order of i)
 * with its PPM, CWM, hCWM, seqlets and subpattern_<k> groups. The genomic
 * columns (chrom, genomic_start, genomic_end) are dmotif's and optional.
 *
 * Serial HDF5 (call on one rank, or on each rank independently). The file
 * is read whole: modisco.h5 files hold at most a few tens of thousands of
 * seqlets per metacluster.
 *
 *   dm_motif_set_t *s = dm_modisco_read("modisco.h5");
 *   for (int i = 0; i < s->n; i++) use(s->m[i].name, s->m[i].cwm, s->m[i].len);
 *   dm_modisco_read_free(s);
 */
#ifndef DM_MODISCO_READ_H
#define DM_MODISCO_READ_H

#include <stdint.h>

#include "dm_log.h"

/** One pattern or subpattern of a modisco.h5 file. */
typedef struct dm_motif {
  char name[96];         /* HDF5 path below the root, e.g. "pos_patterns/pattern_0" */
  int sign;              /* +1: pos_patterns, -1: neg_patterns */
  int index;             /* i of pattern_<i> */
  int sub_index;         /* k of subpattern_<k>, or -1 for a pattern */
  int len;               /* Lp, positions of the matrices */
  double *ppm;           /* (len, 4) sequence: PPM, A C G T */
  double *cwm;           /* (len, 4) contrib_scores */
  double *hcwm;          /* (len, 4) hypothetical_contribs */
  int n_seqlets;         /* members */
  int64_t *example_idx;  /* (n_seqlets,) row of the input the seqlet lies in */
  int64_t *start, *end;  /* (n_seqlets,) window on the example's forward strand */
  uint8_t *is_revcomp;   /* (n_seqlets,) 1: aligned to the reverse strand */
  double *total;         /* (n_seqlets,) sum of the seqlet's contrib_scores */
  int seqlet_len;        /* positions of each seqlet's window (contrib_scores' 2nd dimension) */
  double *contrib;       /* (n_seqlets, seqlet_len, 4) the seqlets' contrib_scores */
  char **chrom;          /* (n_seqlets,) or NULL when the file has no genomic columns */
  int64_t *gstart, *gend; /* (n_seqlets,) 0-based half-open, or NULL */
  int n_sub;             /* subpatterns */
  struct dm_motif *sub;  /* (n_sub,) with sub_index set, n_sub = 0 */
} dm_motif_t;

/** The patterns of one file: positive ones first, each by pattern index. */
typedef struct {
  char *path;       /* file read */
  int n;            /* patterns (subpatterns are inside them) */
  dm_motif_t *m;    /* (n,) */
  int has_pos;      /* 1 if the file has a pos_patterns group */
  int has_neg;      /* 1 if the file has a neg_patterns group */
  int64_t window;   /* root attribute window_size, or -1 if absent (lite) */
  char *parameters; /* root attribute "parameters" (YAML), or NULL */
  int n_attrs;      /* root attributes other than parameters (provenance: tool, version, digests...) */
  char **attr_name; /* (n_attrs,) */
  char **attr_text; /* (n_attrs,) string value, or a numeric scalar printed with %g */
} dm_motif_set_t;

/**
 * @brief Read every pattern of a modisco.h5 file.
 * @param path modisco.h5 (dmotif or tfmodisco-lite)
 * @return the patterns (free with dm_modisco_read_free; n may be 0), or NULL
 *         after logging an error naming the file and the object that is
 *         missing or malformed
 */
DM_RESULT_USED dm_motif_set_t *dm_modisco_read(const char *path);

/** @brief Free a set from dm_modisco_read (NULL is fine). */
void dm_modisco_read_free(dm_motif_set_t *s);

/**
 * @brief Trim a CWM as tfmodisco-lite's report does: keep positions
 *        [first, last] whose sum over bases of |cwm| is at least frac times
 *        the largest such sum, then widen by pad positions on each side
 *        (clipped to the matrix).
 * @param cwm   (len, 4)
 * @param len   positions, > 0
 * @param frac  threshold as a fraction of the maximum, e.g. 0.3
 * @param pad   positions added on each side, >= 0
 * @param start first position kept (output)
 * @param end   one past the last position kept (output), end > start
 */
void dm_motif_trim(const double *cwm, int len, double frac, int pad, int *start, int *end);

#endif
