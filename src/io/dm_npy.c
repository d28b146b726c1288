/* dm_npy: numpy .npy / .npz reading and writing (format in dm_npy.h). */
#include "dm_npy.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <zip.h>

#include "dm_log.h"
#include "dm_mem.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "dm_npy assumes a little-endian host"
#endif

#define NPY_ALIGN 64                  /* the data starts at a multiple of this */
#define NPY_MAX_HEADER (1 << 20)      /* longer headers are refused as corrupt */
#define NPZ_MTIME ((time_t)315619200) /* 1980-01-02: reproducible zip entries */

static const struct {
  const char *descr;
  size_t size;
} dtypes[DM_NPY_DTYPE_COUNT] = {{"<f4", 4}, {"<f8", 8}, {"|u1", 1}, {"<i8", 8}};

static int dtype_ok(dm_npy_dtype_t t) { return (int)t >= 0 && t < DM_NPY_DTYPE_COUNT; }

size_t dm_npy_dtype_size(dm_npy_dtype_t dtype) { return dtype_ok(dtype) ? dtypes[dtype].size : 0; }

const char *dm_npy_dtype_descr(dm_npy_dtype_t dtype) { return dtype_ok(dtype) ? dtypes[dtype].descr : "?"; }

int64_t dm_npy_count(const dm_npy_array_t *a) {
  int64_t n = 1;
  for (int d = 0; d < a->ndim; d++) n *= a->shape[d];
  return n;
}

/* Bytes of count elements of size elem, or -1 if that overflows. */
static int64_t checked_bytes(int ndim, const int64_t *shape, size_t elem) {
  int64_t n = (int64_t)elem;
  for (int d = 0; d < ndim; d++) {
    if (shape[d] < 0) return -1;
    if (shape[d] > 0 && n > INT64_MAX / shape[d]) return -1;
    n *= shape[d];
  }
  return n;
}

int dm_npy_alloc(dm_npy_array_t *a, dm_npy_dtype_t dtype, int ndim, const int64_t *shape) {
  memset(a, 0, sizeof *a);
  int64_t bytes = ndim >= 0 && ndim <= DM_NPY_MAX_DIMS && dtype_ok(dtype)
                      ? checked_bytes(ndim, shape, dm_npy_dtype_size(dtype))
                      : -1;
  if (bytes < 0 || (uint64_t)bytes > SIZE_MAX) {
    dm_log_error("bad array: dtype %d, %d dimensions or a negative/huge size", (int)dtype, ndim);
    return -1;
  }
  a->dtype = dtype;
  a->ndim = ndim;
  for (int d = 0; d < ndim; d++) a->shape[d] = shape[d];
  a->data = dm_calloc("npy array", 1, (size_t)bytes);
  return 0;
}

void dm_npy_free(dm_npy_array_t *a) {
  if (!a) return;
  free(a->data);
  memset(a, 0, sizeof *a);
}

/* "(2, 3)", "(3,)", "()"; '*' for -1 entries. */
static void shape_text(int ndim, const int64_t *shape, char *buf, size_t cap) {
  size_t n = (size_t)snprintf(buf, cap, "(");
  for (int d = 0; d < ndim && n < cap; d++) {
    if (shape[d] < 0)
      n += (size_t)snprintf(buf + n, cap - n, "*");
    else
      n += (size_t)snprintf(buf + n, cap - n, "%" PRId64, shape[d]);
    if (n < cap) n += (size_t)snprintf(buf + n, cap - n, d + 1 < ndim ? ", " : ndim == 1 ? "," : "");
  }
  if (n < cap) snprintf(buf + n, cap - n, ")");
}

int dm_npy_check_shape(const dm_npy_array_t *a, int ndim, const int64_t *shape, const char *what) {
  int ok = a->ndim == ndim;
  for (int d = 0; ok && d < ndim; d++) ok = shape[d] < 0 || shape[d] == a->shape[d];
  if (ok) return 0;
  char want[256], got[256];
  shape_text(ndim, shape, want, sizeof want);
  shape_text(a->ndim, a->shape, got, sizeof got);
  dm_log_error("%s: shape %s, expected %s", what, got, want);
  return -1;
}

// --- header

long dm_npy_header(const dm_npy_array_t *a, char *buf, size_t cap) {
  if (!dtype_ok(a->dtype) || a->ndim < 0 || a->ndim > DM_NPY_MAX_DIMS) return -1;
  char shape[DM_NPY_MAX_DIMS * 24 + 8], dict[DM_NPY_MAX_DIMS * 24 + 80];
  shape_text(a->ndim, a->shape, shape, sizeof shape);
  int dlen = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                      dtypes[a->dtype].descr, shape);
  /* version 1.0: 10-byte prefix (uint16 length); 2.0 if that overflows */
  size_t prefix = 10, hlen = (size_t)dlen + 1; /* dict + '\n' */
  size_t pad = NPY_ALIGN - (prefix + hlen) % NPY_ALIGN;
  if (hlen + pad > 65535) {
    prefix = 12;
    pad = NPY_ALIGN - (prefix + hlen) % NPY_ALIGN;
  }
  size_t total = prefix + hlen + pad;
  if (total > cap) return -1;
  uint32_t len = (uint32_t)(hlen + pad);
  memcpy(buf, "\x93NUMPY", 6);
  buf[6] = prefix == 10 ? 1 : 2;
  buf[7] = 0;
  memcpy(buf + 8, &len, prefix - 8); /* little-endian host */
  memcpy(buf + prefix, dict, (size_t)dlen);
  memset(buf + prefix + dlen, ' ', pad);
  buf[total - 1] = '\n';
  return (long)total;
}

/* Header text parser: the dict literal numpy writes (keys in any order,
 * either quote, optional trailing commas, Python 2 'L' suffixes). */
typedef struct {
  const char *p, *what;
} parser_t;

static void skip_ws(parser_t *ps) {
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r') ps->p++;
}

static int parse_quoted(parser_t *ps, char *out, size_t cap) {
  skip_ws(ps);
  char q = *ps->p;
  if (q != '\'' && q != '"') return -1;
  const char *end = strchr(ps->p + 1, q);
  if (!end || (size_t)(end - ps->p - 1) >= cap) return -1;
  memcpy(out, ps->p + 1, (size_t)(end - ps->p - 1));
  out[end - ps->p - 1] = 0;
  ps->p = end + 1;
  return 0;
}

static int parse_shape(parser_t *ps, int *ndim, int64_t *shape) {
  skip_ws(ps);
  if (*ps->p++ != '(') return -1;
  *ndim = 0;
  for (;;) {
    skip_ws(ps);
    if (*ps->p == ')') break;
    char *end;
    errno = 0;
    long long v = strtoll(ps->p, &end, 10);
    if (end == ps->p || errno || v < 0 || *ndim >= DM_NPY_MAX_DIMS) return -1;
    shape[(*ndim)++] = v;
    ps->p = end;
    if (*ps->p == 'L') ps->p++;
    skip_ws(ps);
    if (*ps->p == ',')
      ps->p++;
    else if (*ps->p != ')')
      return -1;
  }
  ps->p++;
  return 0;
}

/* Parse the header dict into a's dtype and shape. */
static int parse_header(const char *text, const char *what, dm_npy_array_t *a) {
  parser_t ps = {text, what};
  char key[32], descr[32] = "";
  int fortran = -1, have_shape = 0;
  skip_ws(&ps);
  if (*ps.p++ != '{') goto bad;
  for (;;) {
    skip_ws(&ps);
    if (*ps.p == '}') break;
    if (parse_quoted(&ps, key, sizeof key)) goto bad;
    skip_ws(&ps);
    if (*ps.p++ != ':') goto bad;
    skip_ws(&ps);
    if (strcmp(key, "descr") == 0) {
      if (parse_quoted(&ps, descr, sizeof descr)) goto bad;
    } else if (strcmp(key, "fortran_order") == 0) {
      if (strncmp(ps.p, "True", 4) == 0)
        fortran = 1, ps.p += 4;
      else if (strncmp(ps.p, "False", 5) == 0)
        fortran = 0, ps.p += 5;
      else
        goto bad;
    } else if (strcmp(key, "shape") == 0) {
      if (parse_shape(&ps, &a->ndim, a->shape)) goto bad;
      have_shape = 1;
    } else {
      dm_log_error("%s: unexpected key '%s' in the .npy header", what, key);
      return -1;
    }
    skip_ws(&ps);
    if (*ps.p == ',') ps.p++;
  }
  if (!descr[0] || fortran < 0 || !have_shape) goto bad;
  if (fortran) {
    dm_log_error(
        "%s: Fortran-order arrays are not supported (save a C-order array, e.g. "
        "numpy.ascontiguousarray)",
        what);
    return -1;
  }
  if (strcmp(descr, "<u1") == 0 || strcmp(descr, "=u1") == 0) strcpy(descr, "|u1");
  for (int t = 0; t < DM_NPY_DTYPE_COUNT; t++)
    if (strcmp(descr, dtypes[t].descr) == 0) {
      a->dtype = (dm_npy_dtype_t)t;
      return 0;
    }
  dm_log_error("%s: unsupported dtype '%s'%s (supported: <f4 <f8 |u1 <i8)", what, descr,
               descr[0] == '>' ? " (big-endian)" : "");
  return -1;
bad:
  dm_log_error("%s: malformed .npy header near \"%.20s\"", what, ps.p);
  return -1;
}

// --- reading (from a FILE or a zip member through one interface)

typedef struct {
  int64_t (*read)(void *ctx, void *buf, size_t n); /* bytes read (< n at the end), -1 on error */
  void *ctx;
  const char *what; /* "x.npy" or "x.npz:arr_0.npy" */
  int64_t size;     /* bytes in the stream, or -1 if unknown */
} reader_t;

static int read_exact(const reader_t *r, void *buf, size_t n, const char *part) {
  int64_t got = r->read(r->ctx, buf, n);
  if (got == (int64_t)n) return 0;
  if (got >= 0) dm_log_error("%s: truncated %s (%" PRId64 " of %zu bytes)", r->what, part, got, n);
  return -1;
}

static double get_elem(const void *src, dm_npy_dtype_t t, int64_t i) {
  switch (t) {
    case DM_NPY_F4:
      return ((const float *)src)[i];
    case DM_NPY_F8:
      return ((const double *)src)[i];
    case DM_NPY_U1:
      return ((const uint8_t *)src)[i];
    default:
      return (double)((const int64_t *)src)[i];
  }
}

static void put_real(void *dst, dm_npy_dtype_t t, int64_t i, double v) {
  if (t == DM_NPY_F4)
    ((float *)dst)[i] = (float)v;
  else
    ((double *)dst)[i] = v;
}

/* Convert n elements in place from dtype `from` to the real dtype `to`. */
static void convert_in_place(void *buf, int64_t n, dm_npy_dtype_t from, dm_npy_dtype_t to) {
  if (dtypes[to].size > dtypes[from].size)
    for (int64_t i = n - 1; i >= 0; i--) put_real(buf, to, i, get_elem(buf, from, i));
  else
    for (int64_t i = 0; i < n; i++) put_real(buf, to, i, get_elem(buf, from, i));
}

static int read_array(const reader_t *r, dm_npy_dtype_t want, dm_npy_array_t *a) {
  memset(a, 0, sizeof *a);
  uint8_t pre[12];
  char *text = NULL;
  if (read_exact(r, pre, 8, "magic")) goto fail;
  if (memcmp(pre, "\x93NUMPY", 6) != 0) {
    dm_log_error("%s: not a .npy file (bad magic)", r->what);
    goto fail;
  }
  if (pre[6] < 1 || pre[6] > 3) {
    dm_log_error("%s: unsupported .npy version %d.%d", r->what, pre[6], pre[7]);
    goto fail;
  }
  size_t len_bytes = pre[6] == 1 ? 2 : 4;
  if (read_exact(r, pre + 8, len_bytes, "header length")) goto fail;
  uint32_t hlen = pre[8] | (uint32_t)pre[9] << 8;
  if (len_bytes == 4) hlen |= (uint32_t)pre[10] << 16 | (uint32_t)pre[11] << 24;
  if (hlen > NPY_MAX_HEADER) {
    dm_log_error("%s: .npy header of %u bytes is implausible", r->what, hlen);
    goto fail;
  }
  text = dm_malloc("npy header", (size_t)hlen + 1);
  if (read_exact(r, text, hlen, "header")) goto fail;
  text[hlen] = 0;
  if (strlen(text) != hlen) {
    dm_log_error("%s: NUL byte in the .npy header", r->what);
    goto fail;
  }
  if (parse_header(text, r->what, a)) goto fail;
  dm_npy_dtype_t from = a->dtype;
  dm_npy_dtype_t to = want == DM_NPY_ANY ? from : want;
  if (from != to && to != DM_NPY_F4 && to != DM_NPY_F8) {
    dm_log_error("%s: dtype %s, expected %s", r->what, dtypes[from].descr, dm_npy_dtype_descr(to));
    goto fail;
  }
  size_t big = dtypes[from].size > dtypes[to].size ? dtypes[from].size : dtypes[to].size;
  int64_t bytes = checked_bytes(a->ndim, a->shape, big);
  if (bytes < 0 || (uint64_t)bytes > SIZE_MAX) {
    dm_log_error("%s: array size overflows", r->what);
    goto fail;
  }
  int64_t n = dm_npy_count(a);
  int64_t need = n * (int64_t)dtypes[from].size, avail = r->size - (int64_t)(8 + len_bytes + hlen);
  if (r->size >= 0 && need > avail) { /* before allocating what a bad shape asks for */
    dm_log_error("%s: truncated data (%" PRId64 " of %" PRId64 " bytes)", r->what, avail, need);
    goto fail;
  }
  a->data = dm_malloc("npy array", (size_t)bytes);
  if (read_exact(r, a->data, (size_t)n * dtypes[from].size, "data")) goto fail;
  uint8_t extra;
  int64_t more = r->read(r->ctx, &extra, 1);
  if (more != 0) {
    if (more > 0) dm_log_error("%s: bytes after the data (the shape does not match the size)", r->what);
    goto fail;
  }
  if (from != to) {
    convert_in_place(a->data, n, from, to);
    a->dtype = to;
    a->data = dm_realloc("npy array", a->data, (size_t)n * dtypes[to].size);
  }
  free(text);
  return 0;
fail:
  free(text);
  dm_npy_free(a);
  return -1;
}

static int64_t file_read(void *ctx, void *buf, size_t n) {
  FILE *fp = ctx;
  size_t got = fread(buf, 1, n, fp);
  return (got < n && ferror(fp)) ? -1 : (int64_t)got;
}

int dm_npy_read(const char *path, dm_npy_dtype_t want, dm_npy_array_t *a) {
  memset(a, 0, sizeof *a);
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    dm_log_error("%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  int64_t size = fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
  reader_t r = {file_read, fp, path, size};
  int rc = read_array(&r, want, a);
  if (rc == 0 || !ferror(fp)) {
    fclose(fp);
    return rc;
  }
  dm_log_error("%s: read error: %s", path, strerror(errno));
  fclose(fp);
  return -1;
}

// --- writing .npy

int dm_npy_write(const char *path, const dm_npy_array_t *a) {
  char hdr[NPY_ALIGN * 8];
  long hlen = dm_npy_header(a, hdr, sizeof hdr);
  if (hlen < 0) {
    dm_log_error("%s: bad array (dtype %d, %d dimensions)", path, (int)a->dtype, a->ndim);
    return -1;
  }
  size_t bytes = (size_t)dm_npy_count(a) * dtypes[a->dtype].size;
  if (bytes && !a->data) {
    dm_log_error("%s: array without data", path);
    return -1;
  }
  FILE *fp = fopen(path, "wb");
  if (!fp) {
    dm_log_error("%s: cannot create: %s", path, strerror(errno));
    return -1;
  }
  int ok = fwrite(hdr, 1, (size_t)hlen, fp) == (size_t)hlen &&
           (bytes == 0 || fwrite(a->data, 1, bytes, fp) == bytes);
  ok = (fclose(fp) == 0) && ok;
  if (!ok) {
    dm_log_error("%s: write failed: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}

// --- .npz

/* Log a zip_open failure with libzip's reason; returns -1. */
static int zip_open_failed(const char *path, const char *what, int err) {
  zip_error_t ze;
  zip_error_init_with_code(&ze, err);
  dm_log_error("%s: %s: %s", path, what, zip_error_strerror(&ze));
  zip_error_fini(&ze);
  return -1;
}

/* A zip source that serves a header then the array data, without a copy. */
typedef struct {
  char hdr[NPY_ALIGN * 8];
  size_t hlen, bytes, pos;
  const uint8_t *data;
} member_t;

static zip_int64_t member_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd) {
  member_t *m = ud;
  switch (cmd) {
    case ZIP_SOURCE_OPEN:
      m->pos = 0;
      return 0;
    case ZIP_SOURCE_READ: {
      size_t total = m->hlen + m->bytes, n = 0;
      while (n < len && m->pos < total) {
        size_t k;
        if (m->pos < m->hlen) {
          k = m->hlen - m->pos < len - n ? m->hlen - m->pos : len - n;
          memcpy((uint8_t *)data + n, m->hdr + m->pos, k);
        } else {
          k = total - m->pos < len - n ? total - m->pos : len - n;
          memcpy((uint8_t *)data + n, m->data + (m->pos - m->hlen), k);
        }
        n += k;
        m->pos += k;
      }
      return (zip_int64_t)n;
    }
    case ZIP_SOURCE_STAT: {
      zip_stat_t *st = data;
      zip_stat_init(st);
      st->size = m->hlen + m->bytes;
      st->mtime = NPZ_MTIME;
      st->valid |= ZIP_STAT_SIZE | ZIP_STAT_MTIME;
      return sizeof *st;
    }
    case ZIP_SOURCE_SUPPORTS:
      return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                            ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    case ZIP_SOURCE_CLOSE:
    case ZIP_SOURCE_FREE:
      return 0;
    default:
      return -1;
  }
}

int dm_npz_write(const char *path, int n, const char *const *names, const dm_npy_array_t *arrays,
                 int compress) {
  int err = 0;
  zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!za) return zip_open_failed(path, "cannot create", err);
  member_t *m = dm_calloc("npz members", (size_t)(n > 0 ? n : 1), sizeof *m);
  for (int i = 0; i < n; i++) {
    long hlen = dm_npy_header(&arrays[i], m[i].hdr, sizeof m[i].hdr);
    if (hlen < 0) {
      dm_log_error("%s: bad array '%s'", path, names[i]);
      goto fail;
    }
    m[i].hlen = (size_t)hlen;
    m[i].bytes = (size_t)dm_npy_count(&arrays[i]) * dtypes[arrays[i].dtype].size;
    m[i].data = arrays[i].data;
    if (m[i].bytes && !m[i].data) {
      dm_log_error("%s: array '%s' without data", path, names[i]);
      goto fail;
    }
    char member[256];
    snprintf(member, sizeof member, "%s.npy", names[i]);
    zip_source_t *src = zip_source_function(za, member_cb, &m[i]);
    zip_int64_t idx = src ? zip_file_add(za, member, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) : -1;
    if (idx < 0) {
      zip_source_free(src);
      dm_log_error("%s: cannot add %s: %s", path, member, zip_strerror(za));
      goto fail;
    }
    if (zip_set_file_compression(za, (zip_uint64_t)idx, compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) < 0) {
      dm_log_error("%s: %s: %s", path, member, zip_strerror(za));
      goto fail;
    }
  }
  if (zip_close(za) < 0) {
    dm_log_error("%s: write failed: %s", path, zip_strerror(za));
    goto fail;
  }
  free(m);
  return 0;
fail:
  zip_discard(za);
  free(m);
  return -1;
}

static int64_t zip_member_read(void *ctx, void *buf, size_t n) {
  zip_file_t *zf = ctx;
  size_t got = 0;
  while (got < n) { /* zip_fread may return short counts before the end */
    zip_int64_t k = zip_fread(zf, (uint8_t *)buf + got, n - got);
    if (k < 0) return -1;
    if (k == 0) break;
    got += (size_t)k;
  }
  return (int64_t)got;
}

int dm_npz_read(const char *path, const char *name, dm_npy_dtype_t want, dm_npy_array_t *a) {
  memset(a, 0, sizeof *a);
  int err = 0;
  zip_t *za = zip_open(path, ZIP_RDONLY, &err);
  if (!za) return zip_open_failed(path, "cannot open as .npz", err);
  char member[256], what[4096];
  snprintf(member, sizeof member, "%s.npy", name);
  snprintf(what, sizeof what, "%s:%s", path, member);
  zip_int64_t idx = zip_name_locate(za, member, 0);
  if (idx < 0) {
    char list[512] = "";
    zip_int64_t n = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < n && strlen(list) < sizeof list - 64; i++) {
      const char *nm = zip_get_name(za, (zip_uint64_t)i, 0);
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%.48s", i ? ", " : "", nm ? nm : "?");
    }
    dm_log_error("%s: no member %s (members: %s)", path, member, n ? list : "none");
    zip_discard(za);
    return -1;
  }
  zip_stat_t st;
  if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE) ||
      !(st.valid & ZIP_STAT_COMP_SIZE) || st.size > st.comp_size * 1040 + 1024) {
    dm_log_error("%s: implausible member size in the zip directory", what);
    zip_discard(za);
    return -1;
  }
  zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
  if (!zf) {
    dm_log_error("%s: cannot read: %s", what, zip_strerror(za));
    zip_discard(za);
    return -1;
  }
  reader_t r = {zip_member_read, zf, what, (int64_t)st.size};
  int rc = read_array(&r, want, a);
  if (rc < 0 && zip_file_get_error(zf)->zip_err != ZIP_ER_OK)
    dm_log_error("%s: %s", what, zip_file_strerror(zf));
  zip_fclose(zf);
  zip_discard(za);
  return rc;
}

// --- layout

void dm_npy_swap_last2(const void *in, void *out, size_t elem, int64_t n, int64_t a, int64_t b) {
  const uint8_t *src = in;
  uint8_t *dst = out;
  for (int64_t i = 0; i < n; i++) {
    const uint8_t *s = src + (size_t)(i * a * b) * elem;
    uint8_t *d = dst + (size_t)(i * a * b) * elem;
    for (int64_t j = 0; j < a; j++)
      for (int64_t k = 0; k < b; k++)
        memcpy(d + (size_t)(k * a + j) * elem, s + (size_t)(j * b + k) * elem, elem);
  }
}
