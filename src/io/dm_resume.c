/* This object's header. */
#include "dm_resume.h"

/* Standard headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Local headers. */
#include "dm_chunks.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_version.h"

/* The /done dataset of f. */
static dm_h5_field_t done_field(void) {
  return (dm_h5_field_t){"/done", DM_H5_U8, 0, {0}, 0, "1 once a chunk of rows is written"};
}

static int64_t n_chunks(const dm_resume_file_t *f) { return (f->n + f->chunk_rows - 1) / f->chunk_rows; }

/* First line where two texts differ, for the refusal message. */
static void first_difference(const char *a, const char *b, char *out, size_t n) {
  const char *line = a;
  for (; *a && *a == *b; a++, b++)
    if (*a == '\n') line = a + 1;
  snprintf(out, n, "%.*s", (int)strcspn(line, "\n"), line);
}

int dm_resume_open(const dm_mpi_t *ctx, const dm_resume_file_t *f, dm_h5_t **h) {
  int exists = ctx->rank == 0 ? access(f->path, F_OK) == 0 : 0, verdict = 0;
  DM_MPI_CHECK(MPI_Bcast(&exists, 1, MPI_INT, 0, ctx->comm));
  *h = NULL;
  if (!exists || f->overwrite) return 0;
  if (!f->resume) {
    if (ctx->rank == 0)
      dm_log_error("%s exists; set Output:resume=true to continue it or Output:overwrite=true to replace it",
                   f->path);
    return -1;
  }
  if (!(*h = dm_h5_open(ctx, f->path, 1))) {
    if (ctx->rank == 0)
      dm_log_error("%s exists but cannot be opened to resume; set Output:overwrite=true to replace it", f->path);
    return -1;
  }
  if (ctx->rank == 0) {
    char *old = NULL;
    if (dm_h5_attr_get_string(*h, "/", "result_parameters", &old) < 0) {
      dm_log_error("%s is not a %s file; set Output:overwrite=true to replace it", f->path, f->tool);
      verdict = -1;
    } else if (strcmp(old, f->result_yaml) != 0) {
      char diff[256];
      first_difference(old, f->result_yaml, diff, sizeof diff);
      dm_log_error("%s was made with other parameters (the stored line '%s' differs); "
                   "set Output:overwrite=true to replace it, or choose another Output:file",
                   f->path, diff);
      verdict = -1;
    } else {
      verdict = 1;
    }
    free(old);
  }
  DM_MPI_CHECK(MPI_Bcast(&verdict, 1, MPI_INT, 0, ctx->comm));
  if (verdict < 0) {
    (void)dm_h5_close(*h);
    *h = NULL;
  }
  return verdict;
}

/* The attributes every resumable file has. Collective. @return 0 or -1 */
static int common_attrs(const dm_mpi_t *ctx, const dm_resume_file_t *f, dm_h5_t *h) {
  char created[32] = "";
  if (ctx->rank == 0) {
    time_t now = time(NULL);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  }
  DM_MPI_CHECK(MPI_Bcast(created, sizeof created, MPI_CHAR, 0, ctx->comm));
  const char *text[][2] = {{"tool", f->tool},
                           {"version", DM_VERSION},
                           {"status", "incomplete"},
                           {"parameters", f->params_yaml},
                           {"result_parameters", f->result_yaml},
                           {"created", created}};
  for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
    if (dm_h5_attr_set_string(h, "/", text[i][0], text[i][1]) < 0) return -1;
  return 0;
}

dm_h5_t *dm_resume_create(const dm_mpi_t *ctx, const dm_resume_file_t *f, const dm_h5_field_t *fields,
                          int n_fields, int (*attrs)(void *arg, dm_h5_t *h), void *arg) {
  int rc = 0;
  if (ctx->rank == 0) rc = dm_h5_check_room(f->path, fields, n_fields, f->n);
  DM_MPI_CHECK(MPI_Bcast(&rc, 1, MPI_INT, 0, ctx->comm));
  if (rc < 0) return NULL;
  dm_h5_t *h = dm_h5_create(ctx, f->path, fields, n_fields, f->n, f->chunk_rows);
  if (!h) return NULL;
  int64_t nc = n_chunks(f), done_chunk = nc < 4096 ? (nc ? nc : 1) : 4096;
  dm_h5_field_t done = done_field();
  if (dm_h5_add_fields(h, &done, 1, nc, done_chunk) < 0 || common_attrs(ctx, f, h) < 0 || attrs(arg, h) < 0)
    rc = -1;
  if (dm_h5_close(h) < 0) rc = -1;
  return rc == 0 ? dm_h5_open(ctx, f->path, 1) : NULL;
}

int64_t *dm_resume_todo(dm_h5_t *h, const dm_resume_file_t *f, int64_t *n_todo, int64_t *rows_todo) {
  int64_t nc = n_chunks(f);
  dm_h5_field_t done_f = done_field();
  uint8_t *done = dm_calloc("done map", (size_t)nc + 1, 1);
  if (nc && dm_h5_read_rows(h, &done_f, 0, nc, done, DM_H5_INDEPENDENT) < 0)
    dm_fatal("%s: cannot read /done", f->path);
  int64_t *todo = dm_chunks_todo(f->n, f->chunk_rows, done, n_todo, rows_todo);
  free(done);
  return todo;
}

void dm_resume_mark(dm_h5_t *h, const dm_resume_file_t *f, int64_t c) {
  uint8_t one = 1;
  dm_h5_field_t done = done_field();
  if (dm_h5_write_rows(h, &done, c, c + 1, &one, DM_H5_INDEPENDENT) < 0)
    dm_fatal("%s: cannot mark chunk %ld done", f->path, (long)c);
}
