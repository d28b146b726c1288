/* dm_onehot: DNA letters -> one-hot (N, L, 4), channels A, C, G, T.
 * Either case; any other letter (N, IUPAC codes, '-') gives all zeros.
 * Pure kernels: no I/O, no allocation; the caller owns every buffer.
 */
#ifndef DM_ONEHOT_H
#define DM_ONEHOT_H

#include <stdint.h>

/**
 * @brief One-hot as bytes.
 * @param seq (n, L) letters, no terminators
 * @param n   rows
 * @param L   length
 * @param out (n, L, 4) 0/1, fully overwritten
 */
void dm_onehot_u8(const char *seq, int64_t n, int64_t L, uint8_t *out);

/**
 * @brief One-hot as floats (what attribution uses).
 * @param seq (n, L) letters, no terminators
 * @param n   rows
 * @param L   length
 * @param out (n, L, 4) 0.0/1.0, fully overwritten
 */
void dm_onehot_f32(const char *seq, int64_t n, int64_t L, float *out);

/**
 * @brief Channel of a letter.
 * @return 0..3 for A/C/G/T (either case), -1 for anything else
 */
int dm_onehot_channel(char c);

#endif
