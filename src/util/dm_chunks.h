/* dm_chunks: the rows of a job in chunks of C rows, the unit of work and of
 * resume of attr, variants and hits: chunk c holds rows [c*C, min((c+1)*C, N)).
 */
#ifndef DM_CHUNKS_H
#define DM_CHUNKS_H

#include <stdint.h>

/**
 * @brief Rows [*a, *b) of chunk c.
 * @param n rows N
 * @param C rows per chunk (> 0)
 * @param c chunk index
 */
static inline void dm_chunk_range(int64_t n, int64_t C, int64_t c, int64_t *a, int64_t *b) {
  *a = c * C;
  *b = *a + C < n ? *a + C : n;
}

/**
 * @brief The chunks still to do, in order.
 * @param n         rows N
 * @param C         rows per chunk (> 0)
 * @param done      (ceil(N/C),) nonzero for a finished chunk
 * @param n_todo    chunks to do (output)
 * @param rows_todo their rows (output)
 * @return (n_todo,) chunk indices; free with free()
 */
int64_t *dm_chunks_todo(int64_t n, int64_t C, const uint8_t *done, int64_t *n_todo, int64_t *rows_todo);

#endif
