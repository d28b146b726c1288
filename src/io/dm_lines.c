/* This object's header. */
#include "dm_lines.h"

/* Standard headers. */
#include <string.h>

/* Local headers. */
#include "dm_mem.h"

long dm_lines_next(dm_lines_t *r) {
  size_t n = 0;
  if (!r->buf) r->buf = dm_malloc("line buffer", r->cap = 4096);
  for (;;) {
    if (!gzgets(r->fp, r->buf + n, (int)(r->cap - n))) {
      int err = 0;
      gzerror(r->fp, &err);
      if (err != Z_OK && err != Z_STREAM_END) {
        r->err = 1;
        return -2;
      }
      if (n == 0) return -1;
      break;
    }
    n += strlen(r->buf + n);
    if (n > 0 && r->buf[n - 1] == '\n') break;
    if (n + 1 < r->cap) continue; /* last line without newline: next gzgets ends it */
    r->buf = dm_realloc("line buffer", r->buf, r->cap *= 2);
  }
  while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r')) r->buf[--n] = '\0';
  r->lineno++;
  return (long)n;
}
