/* dm_resume: the resumable row files of attr and variants.
 *
 * A file of N rows in chunks of C rows (dm_chunks.h) holds its datasets,
 * /done (one uint8 per chunk, 1 once the chunk is written) and the root
 * attribute result_parameters (the parameters that define its numbers). A
 * rerun with the same result_parameters continues it: only the chunks not
 * marked in /done are computed. The file is created, given its attributes
 * and closed before any row is written, so a kill at any later moment
 * leaves a valid file to resume.
 *
 *   int r = dm_resume_open(ctx, &f, &h);          1 resumed, 0 new, -1 refused
 *   if (r == 0) h = dm_resume_create(ctx, &f, fields, n_fields, attrs, arg);
 *   rank 0: todo = dm_resume_todo(h, &f, &n_todo, &rows_todo);
 *   after chunk c: dm_resume_mark(h, &f, c);
 */
#ifndef DM_RESUME_H
#define DM_RESUME_H

#include <stdint.h>

#include "dm_h5.h"

/** One resumable file. Strings are borrowed. */
typedef struct {
  const char *path;        /* the file (Output:file) */
  const char *tool;        /* for the refusal of a foreign file, e.g. "dmotif attr" */
  const char *params_yaml; /* all parameters of the run */
  const char *result_yaml; /* parameters that define the numbers */
  int resume, overwrite;   /* Output:resume, Output:overwrite */
  int64_t n, chunk_rows;   /* rows N, rows per chunk C */
} dm_resume_file_t;

/**
 * @brief Reopen an existing file to continue it. Collective.
 * @param ctx ranks
 * @param f   the file
 * @param h   the reopened handle (output, when 1 is returned)
 * @return 1 if reopened; 0 if there is nothing to continue (no file, or
 *         Output:overwrite); -1 after rank 0 logged why it is refused (no
 *         Output:resume, unreadable, foreign, or made with other parameters:
 *         the first differing line is named)
 */
DM_RESULT_USED int dm_resume_open(const dm_mpi_t *ctx, const dm_resume_file_t *f, dm_h5_t **h);

/**
 * @brief Create the file (replacing any), after checking it fits the disk:
 *        its datasets, /done, the root attributes tool, version, status
 *        ("incomplete"; the caller sets "complete" at the end), parameters,
 *        result_parameters and created (UTC), and those that attrs writes;
 *        closed and reopened for the rows. Collective.
 * @param ctx      ranks
 * @param f        the file
 * @param fields   (n_fields,) datasets of N rows
 * @param n_fields datasets
 * @param attrs    writes the root attributes (collective, same values on every rank); 0 or -1
 * @param arg      passed to attrs
 * @return the handle, or NULL on every rank (logged)
 */
DM_RESULT_USED dm_h5_t *dm_resume_create(const dm_mpi_t *ctx, const dm_resume_file_t *f, const dm_h5_field_t *fields,
                                         int n_fields, int (*attrs)(void *arg, dm_h5_t *h), void *arg);

/**
 * @brief Rank 0: the chunks not marked done, in order (dm_chunks_todo).
 * @return (n_todo,) chunk indices; free with free(). Aborts the job if /done cannot be read.
 */
int64_t *dm_resume_todo(dm_h5_t *h, const dm_resume_file_t *f, int64_t *n_todo, int64_t *rows_todo);

/** @brief Rank 0: mark chunk c done. Aborts the job if it cannot be written. */
void dm_resume_mark(dm_h5_t *h, const dm_resume_file_t *f, int64_t c);

#endif
