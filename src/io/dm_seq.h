/* dm_seq: row sources of DNA sequences, each row mapped back to the genome.
 *
 * A source is opened once per rank and gives rows [a, b) on demand, so a
 * driver can hand chunks of rows to workers:
 *   - FASTA (multi-line, any case, CRLF, empty lines) or TSV with a header
 *     (sequence and name columns chosen by header text); plain or gzip.
 *     Read whole into memory on open. Every sequence must have length L
 *     (Input:length, or the length of the first record when 0).
 *     Region of a row: chrom = name = record name, start 0, end L, strand '.'.
 *   - BED (chrom, start, end[, name[, score, strand]]) + indexed FASTA genome
 *     (htslib faidx; a missing .fai is built). The BED is parsed on open,
 *     bases are fetched lazily. Each interval is re-centred to length L:
 *       start' = start + floor((end - start) / 2) - floor(L / 2), end' = start' + L
 *     Regions running off a chromosome end are skipped with a warning naming
 *     BED file:line (never padded). The sequence is the + strand whatever
 *     the strand column says; the strand is kept in the region record.
 * Errors (unknown chromosome, malformed BED line, wrong sequence length,
 * name too long) name file:line and make open fail.
 */
#ifndef DM_SEQ_H
#define DM_SEQ_H

#include <stdint.h>

#include "dm_log.h"
#include "dm_mpi.h"
#include "dm_output.h"
#include "dm_params.h"

/** Bytes of a chrom or name field, including the terminating NUL. */
#define DM_SEQ_NAME_LEN 64

/** Where a row comes from: 0-based half-open [start, end) on chrom. */
typedef struct {
  char chrom[DM_SEQ_NAME_LEN]; /* chromosome, or the record name for FASTA/TSV */
  int64_t start, end;          /* after re-centring; end - start = L */
  char name[DM_SEQ_NAME_LEN];  /* BED name ("." if absent) or record name */
  char strand;                 /* '+', '-' or '.' */
} dm_region_t;

/** Options of a source; strings are borrowed (e.g. from a dm_params_t). */
typedef struct {
  const char *sequences;   /* FASTA or TSV path, or NULL */
  const char *format;      /* "auto" (by extension), "fasta" or "tsv" */
  const char *column;      /* TSV: header of the sequence column */
  const char *name_column; /* TSV: header of the name column */
  const char *bed;         /* BED path, or NULL */
  const char *genome;      /* FASTA genome for bed (plain or bgzip) */
  int64_t length;          /* L; 0: from the sequences (FASTA/TSV only) */
  const char *length_from; /* what set length, for messages; NULL: "Input:length or the first record" */
  int quiet;               /* 1: do not log parse errors/warnings (ranks != 0) */
} dm_seqsrc_opt_t;

/** The Input section shared by every command that reads sequences. */
// clang-format off
#define DM_SEQ_PARAM_SPEC                                                                          \
  {"Input:sequences", DM_PARAM_PATH, "none", NULL,                                               \
   "FASTA or TSV file of sequences, plain or .gz (or none: use Input:bed)"},                       \
  {"Input:format", DM_PARAM_STRING, "auto", "auto|fasta|tsv",                                      \
   "format of Input:sequences; auto: FASTA if the first line starts with >, else TSV"},            \
  {"Input:column", DM_PARAM_STRING, "sequence", NULL, "TSV: header of the sequence column"},       \
  {"Input:name_column", DM_PARAM_STRING, "seqName", NULL, "TSV: header of the name column"},      \
  {"Input:bed", DM_PARAM_PATH, "none", NULL,                                                     \
   "BED regions (chrom start end [name score strand]), with Input:genome"},                        \
  {"Input:genome", DM_PARAM_PATH, "none", NULL,                                                  \
   "indexed FASTA genome for Input:bed (.fai built if missing)"},                                  \
  {"Input:length", DM_PARAM_INT, "0", NULL,                                                        \
   "sequence length L; BED regions are re-centred to it; 0: length of the sequences"}
// clang-format on

/** Number of entries in DM_SEQ_PARAM_SPEC. */
#define DM_SEQ_PARAM_COUNT 7

/**
 * @brief Fill source options from the Input:* parameters and check them
 *        (exactly one of sequences / bed; bed needs genome and length > 0).
 * @param p   parameters whose spec includes DM_SEQ_PARAM_SPEC
 * @param opt options to fill; strings point into p
 * @return 0, or -1 after logging the problem
 */
DM_RESULT_USED int dm_seqsrc_opt_from_params(const dm_params_t *p, dm_seqsrc_opt_t *opt);

/** The files a source reads, as inputs for dm_output_check. */
typedef struct {
  dm_output_path_t files[5]; /* Input:sequences, Input:bed, Input:genome and its .fai and .gzi
                              * indexes (path NULL when not used) */
  char fai[4096], gzi[4096]; /* index names */
} dm_seqsrc_files_t;

/**
 * @brief The files source options opt read (see dm_seqsrc_files_t).
 * @param opt options from dm_seqsrc_opt_from_params
 * @param f   filled; f->files points into opt and f
 */
void dm_seqsrc_files(const dm_seqsrc_opt_t *opt, dm_seqsrc_files_t *f);

typedef struct dm_seqsrc_s dm_seqsrc_t;

/**
 * @brief Open a source on this rank (parse FASTA/TSV/BED, load the index).
 * @param opt options (copied)
 * @return the source, or NULL after logging why; free with dm_seqsrc_close()
 */
DM_RESULT_USED dm_seqsrc_t *dm_seqsrc_open(const dm_seqsrc_opt_t *opt);

/**
 * @brief Open a source on every rank of ctx: rank 0 parses the input (and
 *        builds a missing .fai), logs problems and broadcasts the rows; the
 *        other ranks only load the genome index. Collective.
 * @param ctx ranks that all need the source
 * @param opt options (copied)
 * @return the source on every rank, or NULL on every rank; free with dm_seqsrc_close()
 */
DM_RESULT_USED dm_seqsrc_t *dm_seqsrc_open_all(const dm_mpi_t *ctx, const dm_seqsrc_opt_t *opt);

/** @brief Free source src from dm_seqsrc_open / dm_seqsrc_open_all (NULL is fine). */
void dm_seqsrc_close(dm_seqsrc_t *src);

/** @return the number of rows N of source src. */
int64_t dm_seqsrc_rows(const dm_seqsrc_t *src);

/** @return the sequence length L of every row of source src. */
int64_t dm_seqsrc_length(const dm_seqsrc_t *src);

/**
 * @brief Rows [a, b): bases and/or region records.
 * @param src source
 * @param a   first row (0 <= a <= b <= N)
 * @param b   one past the last row
 * @param seq (b-a, L) bases, no terminators; may be NULL
 * @param reg (b-a,) region records; may be NULL
 * @return 0, or -1 after logging the failed fetch
 */
DM_RESULT_USED int dm_seqsrc_fetch(dm_seqsrc_t *src, int64_t a, int64_t b, char *seq, dm_region_t *reg);

#endif
