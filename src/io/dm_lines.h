/* dm_lines: read a text file line by line, plain or gzip'd (zlib reads both).
 *
 *   dm_lines_t r = {.path = path};
 *   if (!(r.fp = gzopen(path, "rb"))) error;
 *   while ((len = dm_lines_next(&r)) >= 0) use(r.buf, r.lineno);
 *   if (gzclose(r.fp) != Z_OK || r.err) read error;
 *   free(r.buf);
 */
#ifndef DM_LINES_H
#define DM_LINES_H

#include <stddef.h>
#include <zlib.h>

typedef struct {
  gzFile fp;        /* open stream (caller opens and closes it) */
  const char *path; /* for messages */
  long lineno;      /* 1-based number of the line in buf */
  char *buf;        /* the line, NUL-terminated (caller frees) */
  size_t cap;
  int err; /* 1 once a read error happened */
} dm_lines_t;

/**
 * @brief Next line, without its "\n" or "\r\n".
 * @return its length, -1 at the end, -2 on a read error (err set)
 */
long dm_lines_next(dm_lines_t *r);

#endif
