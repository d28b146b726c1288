/* dm_pb: a bounds-checked reader of the protobuf wire format (no schema).
 *
 * A message is a byte range; dm_pb_next() walks its fields one by one:
 *
 *   dm_pb_t m = dm_pb_view(buf, len);
 *   dm_pb_field_t f;
 *   int rc;
 *   while ((rc = dm_pb_next(&m, &f)) > 0) {
 *     if (f.num == 7 && f.wire == DM_PB_LEN) { dm_pb_t sub = dm_pb_view(f.data, f.len); ... }
 *   }
 *   if (rc < 0) ... m.err says what failed and at which byte offset of the message
 *
 * Wire types: varint (0), 64-bit (1), length-delimited (2), 32-bit (5).
 * Groups (3, 4) are not supported (proto2 only; ONNX does not use them).
 * Every read is checked against the end of its message: a truncated or
 * foreign file makes dm_pb_next() return -1 with a message, never read out
 * of bounds. Packed repeated fields are decoded by dm_pb_packed_*().
 */
#ifndef DM_PB_H
#define DM_PB_H

#include <stddef.h>
#include <stdint.h>

#include "dm_log.h"

/** Wire types. */
enum { DM_PB_VARINT = 0, DM_PB_I64 = 1, DM_PB_LEN = 2, DM_PB_I32 = 5 };

/** A message being read: bytes [p, end) are left; base is its start (for offsets). */
typedef struct {
  const uint8_t *base, *p, *end;
  char err[96]; /* what failed, set when dm_pb_next returns -1 */
} dm_pb_t;

/** One field. */
typedef struct {
  uint32_t num;        /* field number (>= 1) */
  int wire;            /* wire type */
  uint64_t v;          /* value of a varint, I64 or I32 field (raw bits) */
  const uint8_t *data; /* LEN: the payload */
  size_t len;          /* LEN: payload bytes */
} dm_pb_field_t;

/** @return a reader of the message in buf[0, len). */
dm_pb_t dm_pb_view(const uint8_t *buf, size_t len);

/**
 * @brief Read the next field of a message.
 * @param m the message
 * @param f output field
 * @return 1 with a field, 0 at the end of the message, -1 on malformed
 *         input (m->err describes it)
 */
DM_RESULT_USED int dm_pb_next(dm_pb_t *m, dm_pb_field_t *f);

/** @return the float of an I32 field's bits. */
float dm_pb_float(uint64_t bits);

/** @return the double of an I64 field's bits. */
double dm_pb_double(uint64_t bits);

/**
 * @brief Decode a packed repeated varint field (int32, int64; negative values
 *        are 10-byte two's complement as protobuf writes them).
 * @param data, len the LEN payload
 * @param out       n values, or NULL to count only
 * @return the number of values, or -1 if the payload is malformed
 */
DM_RESULT_USED long dm_pb_packed_varints(const uint8_t *data, size_t len, int64_t *out);

/**
 * @brief Decode a packed repeated float field (little-endian IEEE 754).
 * @param data, len the LEN payload (a multiple of 4 bytes)
 * @param out       len / 4 values, or NULL to count only
 * @return the number of values, or -1 if len is not a multiple of 4
 */
DM_RESULT_USED long dm_pb_packed_floats(const uint8_t *data, size_t len, float *out);

#endif
