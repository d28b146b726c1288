/* This object's header. */
#include "dm_chunks.h"

/* Local headers. */
#include "dm_mem.h"

int64_t *dm_chunks_todo(int64_t n, int64_t C, const uint8_t *done, int64_t *n_todo, int64_t *rows_todo) {
  int64_t n_chunks = (n + C - 1) / C;
  int64_t *todo = dm_malloc("chunk list", ((size_t)n_chunks + 1) * sizeof *todo);
  *n_todo = *rows_todo = 0;
  for (int64_t c = 0; c < n_chunks; c++) {
    if (done[c]) continue;
    int64_t a, b;
    dm_chunk_range(n, C, c, &a, &b);
    todo[(*n_todo)++] = c;
    *rows_todo += b - a;
  }
  return todo;
}
