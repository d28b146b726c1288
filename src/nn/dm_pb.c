/* dm_pb: protobuf wire-format reader (see dm_pb.h). */
#include "dm_pb.h"

#include <stdio.h>
#include <string.h>

dm_pb_t dm_pb_view(const uint8_t *buf, size_t len) {
  dm_pb_t m = {.base = buf, .p = buf, .end = buf + len};
  return m;
}

/* Reads a varint from [*p, end); advances *p. Returns 0, or -1 if it runs
 * past end or is longer than 10 bytes. */
static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  uint64_t x = 0;
  for (int i = 0; i < 10; i++) {
    if (*p >= end) return -1;
    uint8_t b = *(*p)++;
    x |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *v = x;
      return 0;
    }
  }
  return -1;
}

static uint64_t le_bytes(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

static int fail(dm_pb_t *m, const uint8_t *at, const char *what) {
  snprintf(m->err, sizeof m->err, "%s at byte %zu of %zu", what, (size_t)(at - m->base),
           (size_t)(m->end - m->base));
  return -1;
}

int dm_pb_next(dm_pb_t *m, dm_pb_field_t *f) {
  if (m->p >= m->end) return 0;
  const uint8_t *start = m->p;
  uint64_t key;
  if (varint(&m->p, m->end, &key)) return fail(m, start, "truncated or overlong field key");
  memset(f, 0, sizeof *f);
  f->wire = (int)(key & 7);
  if (key >> 3 == 0 || key >> 3 > 0x1fffffff) return fail(m, start, "invalid field number");
  f->num = (uint32_t)(key >> 3);
  size_t left;
  switch (f->wire) {
    case DM_PB_VARINT:
      if (varint(&m->p, m->end, &f->v)) return fail(m, start, "truncated varint");
      return 1;
    case DM_PB_I64:
    case DM_PB_I32: {
      int n = f->wire == DM_PB_I64 ? 8 : 4;
      if (m->end - m->p < n) return fail(m, start, "truncated fixed-width value");
      f->v = le_bytes(m->p, n);
      m->p += n;
      return 1;
    }
    case DM_PB_LEN: {
      uint64_t len;
      if (varint(&m->p, m->end, &len)) return fail(m, start, "truncated length");
      left = (size_t)(m->end - m->p);
      if (len > left) return fail(m, start, "length-delimited field runs past the end");
      f->data = m->p;
      f->len = (size_t)len;
      m->p += len;
      return 1;
    }
    default:
      return fail(m, start, "unsupported wire type (group or invalid)");
  }
}

float dm_pb_float(uint64_t bits) {
  uint32_t b = (uint32_t)bits;
  float x;
  memcpy(&x, &b, sizeof x);
  return x;
}

double dm_pb_double(uint64_t bits) {
  double x;
  memcpy(&x, &bits, sizeof x);
  return x;
}

long dm_pb_packed_varints(const uint8_t *data, size_t len, int64_t *out) {
  const uint8_t *p = data, *end = data + len;
  long n = 0;
  while (p < end) {
    uint64_t v;
    if (varint(&p, end, &v)) return -1;
    if (out) out[n] = (int64_t)v;
    n++;
  }
  return n;
}

long dm_pb_packed_floats(const uint8_t *data, size_t len, float *out) {
  if (len % 4) return -1;
  if (out)
    for (size_t i = 0; i < len / 4; i++) out[i] = dm_pb_float(le_bytes(data + 4 * i, 4));
  return (long)(len / 4);
}
