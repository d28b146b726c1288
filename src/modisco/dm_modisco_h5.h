/* dm_modisco_h5: write modisco.h5 in the tfmodisco-lite schema.
 *
 *   /                          attribute window_size (int64): example length,
 *                              and the caller's string attributes (dmotif:
 *                              tool, version, parameters, input files, ...)
 *   pos_patterns/, neg_patterns/   present for each metacluster that ran
 *                                  (empty group if it found no pattern)
 *     pattern_<i>/             i = 0.. in the given order
 *       sequence               (Lp, 4) float64  PPM
 *       contrib_scores         (Lp, 4) float64  CWM
 *       hypothetical_contribs  (Lp, 4) float64  hCWM
 *       seqlets/
 *         n_seqlets            (1,) int64
 *         start, end           (n,) int64  window on the example's forward strand
 *         example_idx          (n,) int64
 *         is_revcomp           (n,) bool (HDF5 enum int8 FALSE=0 TRUE=1, as h5py)
 *         sequence, contrib_scores, hypothetical_contribs  (n, Ls, 4) float32
 *         [beyond lite, when regions are given]
 *         chrom                (n,) variable-length UTF-8 string
 *         genomic_start, genomic_end (n,) int64  0-based half-open
 *         strand               (n,) 1-char string: "-" if is_revcomp, else "+"
 *       subpattern_<k>/        the same layout, for each subpattern
 *
 * Objects carry no modification times: equal results give equal bytes.
 * Rank 0 alone calls the writer (serial HDF5). It writes "<path>.tmp" and
 * renames it to path, so a half-written file never looks complete.
 */
#ifndef DM_MODISCO_H5_H
#define DM_MODISCO_H5_H

#include <stdint.h>

#include "dm_log.h"
#include "dm_pattern.h"

/** One metacluster's result. */
typedef struct {
  int ran;                       /* 0: no group written (lite: too few seqlets) */
  int n_patterns;                /* may be 0 when ran */
  dm_pattern_t *const *patterns; /* (n_patterns,) */
} dm_modisco_metacluster_t;

/** Where each example lies in the genome (optional): the example is the +
 * strand of chrom [start, start + L) whatever its region's strand. */
typedef struct {
  const char *const *chrom; /* (n_examples,) */
  const int64_t *start;     /* (n_examples,) 0-based */
} dm_modisco_regions_t;

/**
 * @brief Write modisco.h5 (see the file comment).
 * @param path    output file
 * @param t       tracks the seqlets are read from
 * @param pos     positive metacluster
 * @param neg     negative metacluster
 * @param regions genomic placement of the examples, or NULL
 * @param attrs   string attributes of "/" as {name, value} pairs, ending
 *                with {NULL, NULL}; may be NULL
 * @return 0, or -1 after logging the HDF5 or file error (no file at path)
 */
DM_RESULT_USED int dm_modisco_h5_write(const char *path, const dm_tracks_t *t,
                                       const dm_modisco_metacluster_t *pos,
                                       const dm_modisco_metacluster_t *neg,
                                       const dm_modisco_regions_t *regions, const char *const (*attrs)[2]);

#endif
