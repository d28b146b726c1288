/* dm_report_export: the files `dmotif report` writes next to index.html.
 *
 *   matches.tsv                                    top database matches of every pattern
 *   motifs/<label>.<pfm|cwm|hcwm>[.trimmed].meme   patterns as MEME (tfmodisco-lite's `modisco meme`)
 *   seqlets/<label>.bed, seqlets/<label>.fa        every seqlet, genome coordinates
 *   seqlets/<label>.<pattern>.bed / .fa            the same per pattern (split)
 *
 * Seqlet coordinates: example_idx is a row of attr.h5, whose /regions give
 * the chrom and 0-based start of the row's window on the + strand; the
 * seqlet [s, e) of the window lies at [start + s, start + e) of chrom, on
 * strand "-" when it is aligned to the reverse strand (is_revcomp). When the
 * modisco.h5 has its own genomic columns they must agree. BED6 rows: chrom,
 * start, end, pattern name, score (the seqlet's summed contributions),
 * strand. FASTA records ">chrom:start-end(strand) pattern seqlet_index",
 * the sequence read from the genome (htslib faidx) when one is given, else
 * from the /onehot rows of attr.h5, reverse-complemented for "-" seqlets.
 */
#ifndef DM_REPORT_EXPORT_H
#define DM_REPORT_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "dm_report.h"

/** A text output written as <path>.tmp and renamed when complete (dm_output). */
typedef struct {
  char *path, *tmp;
  FILE *fp;
} dm_report_out_t;

/**
 * @brief Create <path>.tmp and write comment, each line prefixed.
 * @return 0 or -1 (logged); close with dm_report_out_close either way
 */
DM_RESULT_USED int dm_report_out_open(dm_report_out_t *o, const char *path, const char *comment,
                                      const char *comment_prefix);

/**
 * @brief Close; rename to the final name when ok and written without error,
 *        else remove. A never-opened (zeroed) o is fine.
 * @return 0, or -1 (logged, or ok was 0)
 */
DM_RESULT_USED int dm_report_out_close(dm_report_out_t *o, int ok);

/** @brief Path of a MEME export: dir/motifs/<label>.<pfm|cwm|hcwm>[.trimmed].meme (kind: dm_meme_kind_t). */
void dm_report_path_meme(char *buf, size_t cap, const char *dir, const char *label, int kind, int trimmed);

/** @brief Path of a seqlet export: dir/seqlets/<label>[.<pattern>].<bed|fa> (pattern NULL: all patterns). */
void dm_report_path_seqlets(char *buf, size_t cap, const char *dir, const char *label, const char *pattern,
                            int fasta);

/** Where seqlets come from (the attr.h5 of the run). */
typedef struct dm_report_genome dm_report_genome_t;

/**
 * @brief Open the regions of an attr.h5 (all rows) and, if genome is not
 *        NULL, its FASTA index.
 * @return the source (free with dm_report_genome_close), or NULL (logged)
 */
DM_RESULT_USED dm_report_genome_t *dm_report_genome_open(const char *attr, const char *genome);

void dm_report_genome_close(dm_report_genome_t *g);

/**
 * @brief Write the seqlets of a task as BED6 and FASTA under dir/seqlets;
 *        dir NULL: only check that every seqlet is placed (no file).
 * @param split   1: also one file per pattern
 * @param comment header comment (parameters)
 * @return 0 or -1 (logged: file, pattern, seqlet)
 */
DM_RESULT_USED int dm_report_seqlets(const char *dir, const dm_report_task_t *t, dm_report_genome_t *g,
                                     int fasta, int split, const char *comment);

/**
 * @brief Write the six MEME files of a task (PFM, CWM, hCWM; whole and
 *        trimmed) under dir/motifs.
 * @return 0 or -1 (logged)
 */
DM_RESULT_USED int dm_report_memes(const char *dir, const dm_report_task_t *t, double trim, int pad,
                                   const char *comment);

/**
 * @brief Write every pattern's top database matches as TSV (header line
 *        after the '#' comment lines): file, pattern, query consensus
 *        (argmax of its query window), rank, motif, its consensus in the
 *        matched orientation, offset, strand, overlap, similarity, p, E, q.
 * @return 0 or -1 (logged)
 */
DM_RESULT_USED int dm_report_matches_tsv(const char *path, const dm_report_t *r, const char *comment);

#endif
