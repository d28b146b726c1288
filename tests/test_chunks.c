/* test_chunks: chunk ranges and the chunks still to do, hand-worked. */
#include <stdlib.h>

#include "dm_chunks.h"
#include "dm_test.h"

int main(void) {
  int64_t a, b, n_todo, rows;
  dm_chunk_range(10, 4, 0, &a, &b);
  CHECK(a == 0 && b == 4, "chunk 0: [%ld, %ld)", (long)a, (long)b);
  dm_chunk_range(10, 4, 2, &a, &b);
  CHECK(a == 8 && b == 10, "last chunk is short: [%ld, %ld)", (long)a, (long)b);
  const uint8_t done[3] = {1, 0, 0};
  int64_t *todo = dm_chunks_todo(10, 4, done, &n_todo, &rows);
  CHECK(n_todo == 2 && todo[0] == 1 && todo[1] == 2 && rows == 6, "todo %ld chunks, %ld rows", (long)n_todo,
        (long)rows);
  free(todo);
  const uint8_t all[3] = {1, 1, 1};
  todo = dm_chunks_todo(10, 4, all, &n_todo, &rows);
  CHECK(n_todo == 0 && rows == 0, "nothing to do");
  free(todo);
  return dm_test_summary("test_chunks");
}
