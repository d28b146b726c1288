/* This object's header. */
#include "dm_modisco_read.h"

/* Standard headers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library headers. */
#include <hdf5.h>

/* Local headers. */
#include "dm_mem.h"

// --- dataset helpers

/* Where a read is: file and object, for messages. */
typedef struct {
  const char *path;
  char obj[192];
} where_t;

/* Open dataset name of loc and check it has rank dims whose leading ones
 * match want[] (-1: any). @return the dataset or -1 (logged) */
static hid_t open_ds(hid_t loc, const char *name, int rank, const hsize_t *want, hsize_t *dims,
                     const where_t *w) {
  hid_t ds = -1, sp = -1;
  H5E_BEGIN_TRY { ds = H5Dopen2(loc, name, H5P_DEFAULT); }
  H5E_END_TRY;
  if (ds < 0) {
    dm_log_error("%s: %s/%s: missing dataset", w->path, w->obj, name);
    return -1;
  }
  sp = H5Dget_space(ds);
  int r = H5Sget_simple_extent_ndims(sp);
  if (r != rank) {
    dm_log_error("%s: %s/%s: expected %d dimensions, found %d", w->path, w->obj, name, rank, r);
    goto fail;
  }
  H5Sget_simple_extent_dims(sp, dims, NULL);
  for (int i = 0; i < rank; i++)
    if (want && want[i] != (hsize_t)-1 && dims[i] != want[i]) {
      dm_log_error("%s: %s/%s: dimension %d is %llu, expected %llu", w->path, w->obj, name, i,
                   (unsigned long long)dims[i], (unsigned long long)want[i]);
      goto fail;
    }
  H5Sclose(sp);
  return ds;
fail:
  H5Sclose(sp);
  H5Dclose(ds);
  return -1;
}

/* Read a whole dataset of rank dims (leading ones checked against want) as
 * mtype into a new buffer. @return the buffer or NULL (logged) */
static void *read_all(hid_t loc, const char *name, int rank, const hsize_t *want, hsize_t *dims, hid_t mtype,
                      const where_t *w) {
  hid_t ds = open_ds(loc, name, rank, want, dims, w);
  if (ds < 0) return NULL;
  size_t n = 1;
  for (int i = 0; i < rank; i++) n *= dims[i];
  void *buf = dm_malloc("modisco.h5 dataset", (n ? n : 1) * H5Tget_size(mtype));
  herr_t rc = 0;
  if (n) H5E_BEGIN_TRY { rc = H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf); }
  H5E_END_TRY;
  H5Dclose(ds);
  if (rc < 0) {
    dm_log_error("%s: %s/%s: cannot read", w->path, w->obj, name);
    free(buf);
    return NULL;
  }
  return buf;
}

/* is_revcomp: h5py writes bools as an int8 enum; read the raw bytes. */
static uint8_t *read_bools(hid_t loc, hsize_t n, const where_t *w) {
  hsize_t dims[1], want[1] = {n};
  hid_t ds = open_ds(loc, "is_revcomp", 1, want, dims, w);
  if (ds < 0) return NULL;
  hid_t ft = H5Dget_type(ds), mt = H5Tget_size(ft) == 1 ? H5Tcopy(ft) : H5Tcopy(H5T_NATIVE_UINT8);
  uint8_t *v = dm_malloc("is_revcomp", n ? n : 1);
  herr_t rc = 0;
  if (n) H5E_BEGIN_TRY { rc = H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, v); }
  H5E_END_TRY;
  H5Tclose(mt);
  H5Tclose(ft);
  H5Dclose(ds);
  if (rc < 0) {
    dm_log_error("%s: %s/is_revcomp: cannot read", w->path, w->obj);
    free(v);
    return NULL;
  }
  for (hsize_t i = 0; i < n; i++) v[i] = v[i] != 0;
  return v;
}

/* Variable-length strings chrom (n,) copied to a new array. */
static char **read_strings(hid_t loc, const char *name, hsize_t n, const where_t *w) {
  hsize_t dims[1], want[1] = {n};
  hid_t ds = open_ds(loc, name, 1, want, dims, w);
  if (ds < 0) return NULL;
  hid_t ft = H5Dget_type(ds), mt = H5Tcopy(H5T_C_S1);
  H5Tset_size(mt, H5T_VARIABLE);
  H5Tset_cset(mt, H5Tget_cset(ft));
  H5Tclose(ft);
  char **raw = dm_calloc("strings", n ? n : 1, sizeof *raw), **out = NULL;
  herr_t rc = 0;
  if (n) H5E_BEGIN_TRY { rc = H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw); }
  H5E_END_TRY;
  if (rc < 0) {
    dm_log_error("%s: %s/%s: cannot read as strings", w->path, w->obj, name);
  } else {
    out = dm_calloc("strings", n ? n : 1, sizeof *out);
    for (hsize_t i = 0; i < n; i++) out[i] = dm_strdup("chrom", raw[i] ? raw[i] : "");
    hid_t sp = H5Dget_space(ds);
    if (n) H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
    H5Sclose(sp);
  }
  free(raw);
  H5Tclose(mt);
  H5Dclose(ds);
  return out;
}

// --- one pattern

static void motif_free(dm_motif_t *m) {
  free(m->ppm);
  free(m->cwm);
  free(m->hcwm);
  free(m->example_idx);
  free(m->start);
  free(m->end);
  free(m->is_revcomp);
  free(m->total);
  free(m->contrib);
  if (m->chrom)
    for (int i = 0; i < m->n_seqlets; i++) free(m->chrom[i]);
  free(m->chrom);
  free(m->gstart);
  free(m->gend);
  for (int k = 0; k < m->n_sub; k++) motif_free(&m->sub[k]);
  free(m->sub);
}

/* Names prefix<i> among the links of group g, as sorted indices. */
typedef struct {
  const char *prefix;
  int n, cap;
  int *idx;
} links_t;

static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)g;
  (void)info;
  links_t *l = data;
  size_t np = strlen(l->prefix);
  char *endp;
  if (strncmp(name, l->prefix, np) || !name[np]) return 0;
  long i = strtol(name + np, &endp, 10);
  if (*endp || i < 0 || i > 1000000) return 0;
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 16;
    l->idx = dm_realloc("pattern names", l->idx, (size_t)l->cap * sizeof *l->idx);
  }
  l->idx[l->n++] = (int)i;
  return 0;
}

static int cmp_int(const void *a, const void *b) { return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b); }

static int list_indices(hid_t g, const char *prefix, int **idx) {
  links_t l = {prefix, 0, 0, NULL};
  H5Literate(g, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, collect, &l);
  if (l.n) qsort(l.idx, (size_t)l.n, sizeof *l.idx, cmp_int);
  *idx = l.idx;
  return l.n;
}

static int read_motif(hid_t g, const char *obj, dm_motif_t *m, const char *path);

/* The seqlets/ group of a pattern. @return 0 or -1 (logged) */
static int read_seqlets(hid_t pg, dm_motif_t *m, const where_t *pw) {
  where_t w = {pw->path, ""};
  if (snprintf(w.obj, sizeof w.obj, "%s/seqlets", pw->obj) >= (int)sizeof w.obj) w.obj[sizeof w.obj - 1] = 0;
  hid_t sg = -1;
  H5E_BEGIN_TRY { sg = H5Gopen2(pg, "seqlets", H5P_DEFAULT); }
  H5E_END_TRY;
  if (sg < 0) {
    dm_log_error("%s: %s: missing group", w.path, w.obj);
    return -1;
  }
  int rc = -1;
  hsize_t dims[3], want1[1] = {(hsize_t)-1};
  m->start = read_all(sg, "start", 1, want1, dims, H5T_NATIVE_INT64, &w);
  if (!m->start) goto done;
  hsize_t n = dims[0], wantn[1] = {n}, want3[3] = {n, (hsize_t)-1, 4};
  if (n > 100000000) {
    dm_log_error("%s: %s: %llu seqlets is not plausible", w.path, w.obj, (unsigned long long)n);
    goto done;
  }
  m->n_seqlets = (int)n;
  if (!(m->end = read_all(sg, "end", 1, wantn, dims, H5T_NATIVE_INT64, &w))) goto done;
  if (!(m->example_idx = read_all(sg, "example_idx", 1, wantn, dims, H5T_NATIVE_INT64, &w))) goto done;
  if (!(m->is_revcomp = read_bools(sg, n, &w))) goto done;
  double *contrib = read_all(sg, "contrib_scores", 3, want3, dims, H5T_NATIVE_DOUBLE, &w);
  if (!contrib) goto done;
  m->total = dm_calloc("seqlet totals", n ? n : 1, sizeof *m->total);
  size_t blk = (size_t)dims[1] * 4;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < blk; j++) m->total[i] += contrib[i * blk + j];
  m->contrib = contrib;
  m->seqlet_len = (int)dims[1];
  if (H5Lexists(sg, "chrom", H5P_DEFAULT) > 0) {
    if (!(m->chrom = read_strings(sg, "chrom", n, &w))) goto done;
    if (!(m->gstart = read_all(sg, "genomic_start", 1, wantn, dims, H5T_NATIVE_INT64, &w))) goto done;
    if (!(m->gend = read_all(sg, "genomic_end", 1, wantn, dims, H5T_NATIVE_INT64, &w))) goto done;
  }
  for (size_t i = 0; i < n; i++)
    if (m->end[i] <= m->start[i] || m->start[i] < 0 || m->example_idx[i] < 0) {
      dm_log_error("%s: %s: seqlet %zu has window [%lld, %lld) of example %lld", w.path, w.obj, i,
                   (long long)m->start[i], (long long)m->end[i], (long long)m->example_idx[i]);
      goto done;
    }
  rc = 0;
done:
  H5Gclose(sg);
  return rc;
}

/* One pattern_<i> or subpattern_<k> group. @return 0 or -1 (logged) */
static int read_motif(hid_t g, const char *obj, dm_motif_t *m, const char *path) {
  where_t w = {path, ""};
  snprintf(w.obj, sizeof w.obj, "%s", obj);
  snprintf(m->name, sizeof m->name, "%s", obj);
  hsize_t dims[2], want[2] = {(hsize_t)-1, 4};
  if (!(m->ppm = read_all(g, "sequence", 2, want, dims, H5T_NATIVE_DOUBLE, &w))) return -1;
  want[0] = dims[0];
  if (dims[0] == 0 || dims[0] > 100000) {
    dm_log_error("%s: %s/sequence: %llu positions", path, obj, (unsigned long long)dims[0]);
    return -1;
  }
  m->len = (int)dims[0];
  if (!(m->cwm = read_all(g, "contrib_scores", 2, want, dims, H5T_NATIVE_DOUBLE, &w))) return -1;
  if (!(m->hcwm = read_all(g, "hypothetical_contribs", 2, want, dims, H5T_NATIVE_DOUBLE, &w))) return -1;
  for (int i = 0; i < 4 * m->len; i++)
    if (!isfinite(m->ppm[i]) || !isfinite(m->cwm[i]) || !isfinite(m->hcwm[i])) {
      dm_log_error("%s: %s: non-finite value at position %d", path, obj, i / 4);
      return -1;
    }
  if (read_seqlets(g, m, &w)) return -1;
  if (m->sub_index >= 0) return 0;
  int *idx = NULL, n = list_indices(g, "subpattern_", &idx), rc = 0;
  m->sub = n ? dm_calloc("subpatterns", (size_t)n, sizeof *m->sub) : NULL;
  for (int k = 0; k < n && !rc; k++) {
    char nm[32], sub[160];
    snprintf(nm, sizeof nm, "subpattern_%d", idx[k]);
    snprintf(sub, sizeof sub, "%s/%s", obj, nm);
    hid_t sg = H5Gopen2(g, nm, H5P_DEFAULT);
    dm_motif_t *s = &m->sub[m->n_sub++];
    s->sign = m->sign;
    s->index = m->index;
    s->sub_index = idx[k];
    rc = read_motif(sg, sub, s, path);
    H5Gclose(sg);
  }
  free(idx);
  return rc;
}

// --- file

/* A string attribute of the root, or NULL. */
static char *root_string(hid_t f, const char *name) {
  if (H5Aexists(f, name) <= 0) return NULL;
  hid_t a = H5Aopen(f, name, H5P_DEFAULT), t = H5Aget_type(a), mt = H5Tcopy(H5T_C_S1);
  char *out = NULL;
  if (H5Tget_class(t) == H5T_STRING) {
    H5Tset_cset(mt, H5Tget_cset(t));
    if (H5Tis_variable_str(t) > 0) {
      char *v = NULL;
      H5Tset_size(mt, H5T_VARIABLE);
      if (H5Aread(a, mt, &v) >= 0 && v) {
        out = dm_strdup("attribute", v);
        H5free_memory(v);
      }
    } else {
      size_t n = H5Tget_size(t);
      H5Tset_size(mt, n + 1);
      out = dm_calloc("attribute", n + 2, 1);
      if (H5Aread(a, mt, out) < 0) out[0] = 0;
    }
  }
  H5Tclose(mt);
  H5Tclose(t);
  H5Aclose(a);
  return out;
}

/* A numeric scalar attribute as text, or NULL. */
static char *root_number(hid_t f, const char *name) {
  hid_t a = H5Aopen(f, name, H5P_DEFAULT), t = H5Aget_type(a), sp = H5Aget_space(a);
  char *out = NULL;
  H5T_class_t c = H5Tget_class(t);
  double v;
  if ((c == H5T_INTEGER || c == H5T_FLOAT) && H5Sget_simple_extent_npoints(sp) == 1 &&
      H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0) {
    out = dm_malloc("attribute", 32);
    snprintf(out, 32, "%.10g", v);
  }
  H5Sclose(sp);
  H5Tclose(t);
  H5Aclose(a);
  return out;
}

static herr_t collect_attr(hid_t f, const char *name, const H5A_info_t *info, void *data) {
  (void)info;
  dm_motif_set_t *s = data;
  if (strcmp(name, "parameters") == 0) return 0;
  char *text = root_string(f, name);
  if (!text) text = root_number(f, name);
  if (!text) return 0;
  s->attr_name = dm_realloc("attribute names", s->attr_name, (size_t)(s->n_attrs + 1) * sizeof *s->attr_name);
  s->attr_text = dm_realloc("attribute values", s->attr_text, (size_t)(s->n_attrs + 1) * sizeof *s->attr_text);
  s->attr_name[s->n_attrs] = dm_strdup("attribute name", name);
  s->attr_text[s->n_attrs++] = text;
  return 0;
}

dm_motif_set_t *dm_modisco_read(const char *path) {
  hid_t f = -1;
  H5E_BEGIN_TRY { f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); }
  H5E_END_TRY;
  if (f < 0) {
    dm_log_error("%s: cannot open as HDF5", path);
    return NULL;
  }
  dm_motif_set_t *s = dm_calloc("motif set", 1, sizeof *s);
  s->path = dm_strdup("path", path);
  s->window = -1;
  s->parameters = root_string(f, "parameters");
  H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_attr, s);
  if (H5Aexists(f, "window_size") > 0) {
    hid_t a = H5Aopen(f, "window_size", H5P_DEFAULT);
    if (H5Aread(a, H5T_NATIVE_INT64, &s->window) < 0) s->window = -1;
    H5Aclose(a);
  }
  static const char *const groups[2] = {"pos_patterns", "neg_patterns"};
  int rc = 0;
  for (int gi = 0; gi < 2 && !rc; gi++) {
    if (H5Lexists(f, groups[gi], H5P_DEFAULT) <= 0) continue;
    *(gi ? &s->has_neg : &s->has_pos) = 1;
    hid_t g = H5Gopen2(f, groups[gi], H5P_DEFAULT);
    int *idx = NULL, n = list_indices(g, "pattern_", &idx);
    s->m = dm_realloc("motifs", s->m, (size_t)(s->n + n) * sizeof *s->m);
    for (int k = 0; k < n && !rc; k++) {
      char nm[32], obj[96];
      snprintf(nm, sizeof nm, "pattern_%d", idx[k]);
      snprintf(obj, sizeof obj, "%s/%s", groups[gi], nm);
      dm_motif_t *m = &s->m[s->n++];
      memset(m, 0, sizeof *m);
      m->sign = gi ? -1 : 1;
      m->index = idx[k];
      m->sub_index = -1;
      hid_t pg = H5Gopen2(g, nm, H5P_DEFAULT);
      rc = read_motif(pg, obj, m, path);
      H5Gclose(pg);
    }
    free(idx);
    H5Gclose(g);
  }
  H5Fclose(f);
  if (rc) {
    dm_modisco_read_free(s);
    return NULL;
  }
  if (!s->has_pos && !s->has_neg) dm_log_warn("%s: no pos_patterns or neg_patterns group", path);
  return s;
}

void dm_modisco_read_free(dm_motif_set_t *s) {
  if (!s) return;
  for (int i = 0; i < s->n; i++) motif_free(&s->m[i]);
  free(s->m);
  free(s->path);
  free(s->parameters);
  for (int i = 0; i < s->n_attrs; i++) free(s->attr_name[i]), free(s->attr_text[i]);
  free(s->attr_name);
  free(s->attr_text);
  free(s);
}

void dm_motif_trim(const double *cwm, int len, double frac, int pad, int *start, int *end) {
  double mx = 0;
  for (int i = 0; i < len; i++) {
    double s = fabs(cwm[4 * i]) + fabs(cwm[4 * i + 1]) + fabs(cwm[4 * i + 2]) + fabs(cwm[4 * i + 3]);
    if (s > mx) mx = s;
  }
  int a = len, b = -1;
  for (int i = 0; i < len; i++) {
    double s = fabs(cwm[4 * i]) + fabs(cwm[4 * i + 1]) + fabs(cwm[4 * i + 2]) + fabs(cwm[4 * i + 3]);
    if (s >= frac * mx) {
      if (i < a) a = i;
      b = i;
    }
  }
  if (b < 0) a = 0, b = len - 1; /* all-zero CWM: keep everything */
  *start = a - pad > 0 ? a - pad : 0;
  *end = b + 1 + pad < len ? b + 1 + pad : len;
}
