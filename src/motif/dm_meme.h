/* dm_meme: MEME motif files (format version 4 and later), read and write.
 *
 * Reads the letter-probability matrices of a MEME text file (plain or
 * gzip'd): the "MEME version" line (blank lines and '#' comment lines may
 * precede it), optional ALPHABET= ACGT, strands: and "Background letter
 * frequencies" header lines, then one "MOTIF id [alt]" block per motif with
 * a "letter-probability matrix: alength= 4 w= W ..." line followed by W
 * rows of 4 numbers (A C G T). Other lines inside a block (URL, log-odds
 * sections) are skipped. Every error names file:line.
 *
 *   dm_meme_t *db = dm_meme_read("motifs.meme", 1);
 *   for (int i = 0; i < db->n; i++) use(db->m[i].name, db->m[i].p, db->m[i].len);
 *   dm_meme_free(db);
 */
#ifndef DM_MEME_H
#define DM_MEME_H

#include <stdio.h>

#include "dm_log.h"

/** One motif: a (len, 4) matrix, A C G T. */
typedef struct {
  char *name; /* MOTIF identifier */
  char *alt;  /* alternate name, or "" */
  int len;    /* positions, > 0 */
  double *p;  /* (len, 4) */
} dm_meme_motif_t;

/** The motifs of one file, in file order. */
typedef struct {
  char *path;
  int n;
  dm_meme_motif_t *m; /* (n,) */
  double bg[4];       /* background frequencies (0.25 each when absent) */
} dm_meme_t;

/**
 * @brief Read a MEME file.
 * @param path  MEME text file, plain or .gz
 * @param probs 1: each row must be a probability vector (entries in [0, 1],
 *              sum within 0.02 of 1); 0: any finite numbers (CWMs as
 *              tfmodisco-lite writes them)
 * @return the motifs (n >= 1; free with dm_meme_free), or NULL after logging
 *         an error naming file:line (a file without motifs is an error)
 */
DM_RESULT_USED dm_meme_t *dm_meme_read(const char *path, int probs);

/** @brief Free a set from dm_meme_read (NULL is fine). */
void dm_meme_free(dm_meme_t *db);

/**
 * @brief Write the header tfmodisco-lite's MEME writer writes: the comment
 *        lines (each prefixed "# "; may be NULL), "MEME version 5",
 *        "ALPHABET= ACGT", "strands: + -" and uniform background.
 * @return 0, or -1 on a write error (errno set)
 */
DM_RESULT_USED int dm_meme_write_header(FILE *fp, const char *comment);

/**
 * @brief Write one motif block: "MOTIF name", the letter-probability
 *        matrix line (alength= 4 w= len nsites= nsites) and len rows of
 *        4 values with 6 decimals, then a blank line.
 * @param m (len, 4)
 * @return 0, or -1 on a write error
 */
DM_RESULT_USED int dm_meme_write_motif(FILE *fp, const char *name, const double *m, int len, int nsites);

#endif
