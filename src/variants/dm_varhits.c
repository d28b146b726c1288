/* This object's header. */
#include "dm_varhits.h"

/* Standard headers. */
#include <stdlib.h>
#include <string.h>

/* Local headers. */
#include "dm_h5.h"
#include "dm_mem.h"
#include "dm_modisco_read.h"

/* Read dataset name (n rows of type t, strings of str_len bytes) into a new buffer. */
static void *read_col(dm_h5_t *h, const char *path, const char *name, dm_h5_type_t t, int str_len, int64_t *n) {
  dm_h5_field_t f;
  int64_t rows = 0;
  if (dm_h5_field_info(h, name, &f, &rows, NULL) < 0) {
    dm_log_error("%s: no dataset %s (is it a hits.h5 of dmotif hits?)", path, name);
    return NULL;
  }
  if (*n >= 0 && rows != *n) {
    dm_log_error("%s: %s has %ld rows, expected %ld", path, name, (long)rows, (long)*n);
    return NULL;
  }
  *n = rows;
  f.type = t;
  if (t == DM_H5_STR) f.str_len = str_len;
  size_t sz = t == DM_H5_STR ? (size_t)str_len : t == DM_H5_I32 ? 4 : 8;
  void *buf = dm_calloc("hits column", (size_t)(rows ? rows : 1), sz);
  if (rows && dm_h5_read_rows(h, &f, 0, rows, buf, DM_H5_INDEPENDENT) < 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

static int cmp_hit(const void *a, const void *b) {
  const dm_varhit_t *x = a, *y = b;
  int c = strcmp(x->chrom, y->chrom);
  if (c) return c;
  return (x->start > y->start) - (x->start < y->start);
}

/* The trimmed CWM of pattern p ("<prefix>/<pos|neg>/pattern_<i>") from its modisco.h5. */
static int load_cwm(dm_varhits_t *v, int p, const char *path, const char *source, int a, int b) {
  const char *nm = v->name[p], *slash = strrchr(nm, '/');
  char group[160];
  int sign = 0;
  if (slash && slash - nm >= 3 && !strncmp(slash - 3, "pos", 3) && (slash - nm == 3 || slash[-4] == '/')) sign = 1;
  if (slash && slash - nm >= 3 && !strncmp(slash - 3, "neg", 3) && (slash - nm == 3 || slash[-4] == '/')) sign = -1;
  if (!sign) {
    dm_log_error("%s: pattern name '%s' is not <task>/<pos|neg>/pattern_<i>", path, nm);
    return -1;
  }
  snprintf(group, sizeof group, "%s_patterns/%s", sign > 0 ? "pos" : "neg", slash + 1);
  dm_motif_set_t *s = dm_modisco_read(source);
  if (!s) {
    dm_log_error("%s: cannot read %s, the modisco.h5 of pattern %s", path, source, nm);
    return -1;
  }
  int rc = -1, found = 0;
  for (int i = 0; i < s->n && !found; i++) {
    const dm_motif_t *m = &s->m[i];
    if (strcmp(m->name, group)) continue;
    found = 1;
    if (a < 0 || b > m->len || a >= b) {
      dm_log_error("%s: pattern %s: trimmed range [%d, %d) outside its %d positions in %s", path, nm, a, b,
                   m->len, source);
      break;
    }
    v->width[p] = b - a;
    v->cwm[p] = dm_malloc("hit CWM", sizeof(double) * 4 * (size_t)(b - a));
    memcpy(v->cwm[p], m->cwm + 4 * a, sizeof(double) * 4 * (size_t)(b - a));
    rc = 0;
  }
  if (!found) dm_log_error("%s: pattern %s: no group %s in %s", path, nm, group, source);
  dm_modisco_read_free(s);
  return rc;
}

static int load(dm_h5_t *h, const char *path, dm_varhits_t *v) {
  int64_t n = -1, np = -1;
  char *chrom = NULL, *strand = NULL, *names = NULL, *sources = NULL;
  int64_t *start = NULL, *end = NULL;
  int32_t *pat = NULL, *ta = NULL, *tb = NULL;
  double *score = NULL;
  int rc = -1;
  if (!(chrom = read_col(h, path, "/hits/chrom", DM_H5_STR, DM_SEQ_NAME_LEN, &n)) ||
      !(start = read_col(h, path, "/hits/start", DM_H5_I64, 0, &n)) ||
      !(end = read_col(h, path, "/hits/end", DM_H5_I64, 0, &n)) ||
      !(pat = read_col(h, path, "/hits/pattern", DM_H5_I32, 0, &n)) ||
      !(strand = read_col(h, path, "/hits/strand", DM_H5_STR, 2, &n)) ||
      !(score = read_col(h, path, "/hits/score", DM_H5_F64, 0, &n)) ||
      !(names = read_col(h, path, "/patterns/name", DM_H5_STR, 128, &np)) ||
      !(sources = read_col(h, path, "/patterns/source", DM_H5_STR, 512, &np)) ||
      !(ta = read_col(h, path, "/patterns/trim_start", DM_H5_I32, 0, &np)) ||
      !(tb = read_col(h, path, "/patterns/trim_end", DM_H5_I32, 0, &np)))
    goto done;
  v->n = n;
  v->n_patterns = (int)np;
  v->h = dm_calloc("hits", (size_t)(n ? n : 1), sizeof *v->h);
  v->name = dm_calloc("pattern names", (size_t)(np ? np : 1), sizeof *v->name);
  v->cwm = dm_calloc("pattern CWMs", (size_t)(np ? np : 1), sizeof *v->cwm);
  v->width = dm_calloc("pattern widths", (size_t)(np ? np : 1), sizeof *v->width);
  for (int p = 0; p < np; p++) snprintf(v->name[p], sizeof v->name[p], "%s", names + 128 * p);
  for (int p = 0; p < np; p++)
    if (load_cwm(v, p, path, sources + 512 * p, ta[p], tb[p]) < 0) goto done;
  for (int64_t i = 0; i < n; i++) {
    dm_varhit_t *x = &v->h[i];
    snprintf(x->chrom, sizeof x->chrom, "%s", chrom + (size_t)DM_SEQ_NAME_LEN * i);
    x->start = start[i], x->end = end[i], x->pattern = pat[i], x->strand = strand[2 * i], x->score = score[i];
    if (x->pattern < 0 || x->pattern >= np || x->end <= x->start || (x->strand != '+' && x->strand != '-') ||
        x->end - x->start != v->width[x->pattern]) {
      dm_log_error("%s: hit %ld (%s:%ld-%ld, pattern %d, strand %c) is malformed", path, (long)i, x->chrom,
                   (long)x->start, (long)x->end, x->pattern, x->strand);
      goto done;
    }
    if (x->end - x->start > v->max_width) v->max_width = x->end - x->start;
  }
  qsort(v->h, (size_t)n, sizeof *v->h, cmp_hit);
  rc = 0;
done:
  free(chrom), free(strand), free(names), free(sources), free(start), free(end), free(pat), free(ta), free(tb);
  free(score);
  return rc;
}

dm_varhits_t *dm_varhits_load(const dm_mpi_t *ctx, const char *path) {
  dm_h5_t *h = dm_h5_open(ctx, path, 0);
  if (!h) return NULL;
  dm_varhits_t *v = dm_calloc("hits", 1, sizeof *v);
  int prev = dm_log_collective(1); /* every rank reads the same file: one message */
  int rc = load(h, path, v);
  dm_log_collective(prev);
  if (dm_h5_close(h) < 0) rc = -1;
  DM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &rc, 1, MPI_INT, MPI_MIN, ctx->comm));
  if (rc < 0) {
    dm_varhits_free(v);
    return NULL;
  }
  return v;
}

void dm_varhits_free(dm_varhits_t *v) {
  if (!v) return;
  for (int p = 0; v->cwm && p < v->n_patterns; p++) free(v->cwm[p]);
  free(v->cwm), free(v->width), free(v->name), free(v->h), free(v);
}

const dm_varhit_t *dm_varhits_find(const dm_varhits_t *v, const char *chrom, int64_t start, int64_t end) {
  /* first hit with (chrom, start) >= (chrom, start - max_width): every overlap is at or after it */
  int64_t lo = 0, hi = v->n, from = start - v->max_width;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    int c = strcmp(v->h[mid].chrom, chrom);
    if (c < 0 || (c == 0 && v->h[mid].start < from)) lo = mid + 1;
    else hi = mid;
  }
  const dm_varhit_t *best = NULL;
  for (int64_t i = lo; i < v->n && !strcmp(v->h[i].chrom, chrom) && v->h[i].start < end; i++)
    if (v->h[i].end > start && (!best || v->h[i].score > best->score)) best = &v->h[i];
  return best;
}

double dm_varhits_cwm_score(const double *cwm, int W, char strand, const char *seq) {
  double s = 0;
  for (int w = 0; w < W; w++) {
    const char *p = strchr("ACGT", seq[w] & ~32);
    if (!seq[w] || !p) continue;
    int b = (int)(p - "ACGT");
    s += strand == '-' ? cwm[4 * (W - 1 - w) + 3 - b] : cwm[4 * w + b];
  }
  return s;
}
