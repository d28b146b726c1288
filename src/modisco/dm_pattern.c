/* This object's header. */
#include "dm_pattern.h"

/* Standard headers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Local headers. */
#include "dm_cj.h"
#include "dm_keyed.h"
#include "dm_mem.h"

#define NTRACK 3 /* onehot, contrib, hyp */

// --- options

void dm_pattern_opt_init(dm_pattern_opt_t *o) {
  o->min_overlap = 0.7;
  o->min_frac = 0.2;
  o->min_num = 30;
  o->window_size = 30;
  o->flank = 10;
  o->final_flank = 0;
  o->min_seqlets = 20;
  o->min_ic = 0.6;
  o->ic_window = 6;
  o->pseudocount = 0.001;
  o->revcomp = 1;
}

int dm_pattern_opt_check(const dm_pattern_opt_t *o) {
  int bad = 0;
#define REQUIRE(cond, key)                                    \
  if (!(cond)) {                                              \
    dm_log_error("Patterns:%s: must satisfy %s", key, #cond); \
    bad = 1;                                                  \
  }
  REQUIRE(o->min_overlap > 0 && o->min_overlap <= 1, "min_overlap");
  REQUIRE(o->min_frac >= 0 && o->min_frac <= 1, "frac_support_to_trim_to");
  REQUIRE(o->min_num >= 0, "min_num_to_trim_to");
  REQUIRE(o->window_size >= 1, "trim_to_window_size");
  REQUIRE(o->flank >= 0, "initial_flank_to_add");
  REQUIRE(o->final_flank >= 0, "final_flank_to_add");
  REQUIRE(o->min_seqlets >= 1, "final_min_cluster_size");
  REQUIRE(o->min_ic >= 0, "min_ic_in_window");
  REQUIRE(o->ic_window >= 1, "min_ic_windowsize");
  REQUIRE(o->pseudocount > 0, "ppm_pseudocount");
#undef REQUIRE
  return bad ? -1 : 0;
}

int dm_pattern_opt_from_params(dm_pattern_opt_t *o, const dm_params_t *p) {
  o->min_overlap = dm_params_get_float(p, "Patterns:min_overlap");
  o->min_frac = dm_params_get_float(p, "Patterns:frac_support_to_trim_to");
  o->min_num = (int)dm_params_get_int(p, "Patterns:min_num_to_trim_to");
  o->window_size = (int)dm_params_get_int(p, "Patterns:trim_to_window_size");
  o->flank = (int)dm_params_get_int(p, "Patterns:initial_flank_to_add");
  o->final_flank = (int)dm_params_get_int(p, "Patterns:final_flank_to_add");
  o->min_seqlets = (int)dm_params_get_int(p, "Patterns:final_min_cluster_size");
  o->min_ic = dm_params_get_float(p, "Patterns:min_ic_in_window");
  o->ic_window = (int)dm_params_get_int(p, "Patterns:min_ic_windowsize");
  o->pseudocount = dm_params_get_float(p, "Patterns:ppm_pseudocount");
  o->revcomp = dm_params_get_bool(p, "Patterns:revcomp");
  return dm_pattern_opt_check(o);
}

// --- lifetime and members

dm_pattern_t *dm_pattern_init(int len) {
  DM_ASSERT(len >= 1);
  dm_pattern_t *p = dm_calloc("pattern", 1, sizeof *p);
  size_t n4 = (size_t)len * 4;
  p->len = len;
  p->support = dm_calloc("pattern support", (size_t)len, sizeof *p->support);
  p->sum = dm_calloc("pattern sums", NTRACK * n4, sizeof *p->sum);
  p->sequence = dm_calloc("pattern ppm", n4, sizeof *p->sequence);
  p->contrib = dm_calloc("pattern cwm", n4, sizeof *p->contrib);
  p->hyp = dm_calloc("pattern hcwm", n4, sizeof *p->hyp);
  return p;
}

void dm_pattern_destroy(dm_pattern_t *p) {
  if (!p) return;
  for (int k = 0; k < p->n_sub; k++) dm_pattern_destroy(p->sub[k]);
  free(p->sub);
  free(p->sub_id);
  free(p->seqlets);
  free(p->support);
  free(p->sum);
  free(p->sequence);
  free(p->contrib);
  free(p->hyp);
  free(p);
}

dm_pattern_t *dm_pattern_copy(const dm_pattern_t *p) {
  dm_pattern_t *q = dm_pattern_init(p->len);
  size_t n4 = (size_t)p->len * 4;
  memcpy(q->support, p->support, (size_t)p->len * sizeof *q->support);
  memcpy(q->sum, p->sum, NTRACK * n4 * sizeof *q->sum);
  memcpy(q->sequence, p->sequence, n4 * sizeof *q->sequence);
  memcpy(q->contrib, p->contrib, n4 * sizeof *q->contrib);
  memcpy(q->hyp, p->hyp, n4 * sizeof *q->hyp);
  q->cap = q->n_seqlets = p->n_seqlets;
  if (p->n_seqlets) {
    q->seqlets = dm_malloc("pattern seqlets", (size_t)p->n_seqlets * sizeof *q->seqlets);
    memcpy(q->seqlets, p->seqlets, (size_t)p->n_seqlets * sizeof *q->seqlets);
  }
  return q;
}

dm_seqlet_t dm_pattern_seqlet_revcomp(dm_seqlet_t s) {
  s.is_revcomp = !s.is_revcomp;
  return s;
}

/* Which track fetch_track reads. */
typedef enum { TRACK_ONEHOT, TRACK_CONTRIB, TRACK_HYP } track_t;

/* (end - start, 4) window of one track of the member. */
static void fetch_track(track_t which, const dm_tracks_t *t, const dm_seqlet_t *s, float *out) {
  int n = s->end - s->start;
  size_t at = ((size_t)s->example * (size_t)t->len + (size_t)s->start) * 4;
  for (int j = 0; j < n; j++)
    for (int c = 0; c < 4; c++) {
      size_t i = at + (s->is_revcomp ? (size_t)(n - 1 - j) * 4 + (size_t)(3 - c) : (size_t)j * 4 + (size_t)c);
      out[j * 4 + c] = which == TRACK_ONEHOT ? (float)t->onehot[i]
                       : which == TRACK_HYP  ? t->hyp[i]
                                             : dm_tracks_contrib_at(t, i);
    }
}

int dm_pattern_fetch(const dm_tracks_t *t, const dm_seqlet_t *s, float *seq, float *contrib, float *hyp) {
  if (s->example < 0 || s->example >= t->n_examples || s->start < 0 || s->end > t->len || s->end <= s->start)
    return -1;
  if (seq) fetch_track(TRACK_ONEHOT, t, s, seq);
  if (contrib) fetch_track(TRACK_CONTRIB, t, s, contrib);
  if (hyp) fetch_track(TRACK_HYP, t, s, hyp);
  const uint8_t *row = t->onehot + ((size_t)s->example * (size_t)t->len + (size_t)s->start) * 4;
  int bases = 0;
  for (int i = 0; i < (s->end - s->start) * 4; i++) bases += row[i];
  return bases > 0 ? 0 : 1;
}

void dm_tracks_contrib(const dm_tracks_t *t, int64_t r0, int64_t n, float *out) {
  size_t a = (size_t)r0 * (size_t)t->len * 4, m = (size_t)n * (size_t)t->len * 4;
  for (size_t i = 0; i < m; i++) out[i] = dm_tracks_contrib_at(t, a + i);
}

static int same_window(const dm_seqlet_t *a, const dm_seqlet_t *b) {
  return a->example == b->example && a->start == b->start && a->end == b->end;
}

static void update_means(dm_pattern_t *p, int upto) {
  double *out[NTRACK] = {p->sequence, p->contrib, p->hyp};
  for (int j = 0; j < upto; j++) {
    double d = p->support[j] > 0 ? p->support[j] : 1e-7;
    for (int k = 0; k < NTRACK; k++)
      for (int c = 0; c < 4; c++) out[k][j * 4 + c] = p->sum[((size_t)k * p->len + j) * 4 + c] / d;
  }
}

typedef struct {
  dm_seqlet_t s;
  int idx; /* position in the input */
} placed_t;

static int cmp_placed(const void *a, const void *b) {
  const placed_t *x = a, *y = b;
  if (x->s.example != y->s.example) return x->s.example < y->s.example ? -1 : 1;
  if (x->s.start != y->s.start) return x->s.start - y->s.start;
  if (x->s.end != y->s.end) return x->s.end - y->s.end;
  return x->idx - y->idx;
}

/* first[i]: index of the first member with s[i]'s window. O(n log n). */
static void first_of_window(const dm_seqlet_t *s, int n, int *first) {
  placed_t *w = dm_malloc("window groups", (size_t)(n > 0 ? n : 1) * sizeof *w);
  for (int i = 0; i < n; i++) w[i] = (placed_t){s[i], i};
  qsort(w, (size_t)n, sizeof *w, cmp_placed);
  for (int i = 0; i < n; i++)
    first[w[i].idx] = (i > 0 && same_window(&w[i].s, &w[i - 1].s)) ? first[w[i - 1].idx] : w[i].idx;
  free(w);
}

/* Add a member without the duplicate check. @return 1 added, 0 not readable */
static int add_member(dm_pattern_t *p, const dm_tracks_t *t, const dm_seqlet_t *s) {
  int n = s->end - s->start;
  DM_ASSERT(n <= p->len);
  float *buf = dm_malloc("seqlet data", (size_t)NTRACK * (size_t)n * 4 * sizeof *buf);
  size_t n4 = (size_t)n * 4;
  if (dm_pattern_fetch(t, s, buf, buf + n4, buf + 2 * n4) != 0) {
    free(buf);
    return 0;
  }
  for (int k = 0; k < NTRACK; k++)
    for (size_t i = 0; i < n4; i++) p->sum[(size_t)k * p->len * 4 + i] += buf[k * n4 + i];
  free(buf);
  for (int j = 0; j < n; j++) p->support[j] += 1.0;
  update_means(p, n);
  if (p->n_seqlets == p->cap) {
    p->cap = p->cap ? 2 * p->cap : 16;
    p->seqlets = dm_realloc("pattern seqlets", p->seqlets, (size_t)p->cap * sizeof *p->seqlets);
  }
  p->seqlets[p->n_seqlets++] = *s;
  return 1;
}

int dm_pattern_add(dm_pattern_t *p, const dm_tracks_t *t, const dm_seqlet_t *s) {
  for (int i = 0; i < p->n_seqlets; i++)
    if (same_window(&p->seqlets[i], s)) return 0;
  return add_member(p, t, s);
}

dm_pattern_t *dm_pattern_from_seqlets(const dm_tracks_t *t, const dm_seqlet_t *s, int n) {
  int len = 0;
  for (int i = 0; i < n; i++)
    if (dm_pattern_fetch(t, &s[i], NULL, NULL, NULL) == 0 && s[i].end - s[i].start > len)
      len = s[i].end - s[i].start;
  if (len == 0) return NULL;
  dm_pattern_t *p = dm_pattern_init(len);
  int *first = dm_malloc("window groups", (size_t)n * sizeof *first);
  first_of_window(s, n, first);
  for (int i = 0; i < n; i++)
    if (first[i] == i) add_member(p, t, &s[i]);
  free(first);
  return p;
}

// --- information content, trimming, extension

void dm_pattern_background(const dm_tracks_t *t, const dm_seqlet_t *s, int n, double bg[4]) {
  double acc[4] = {0, 0, 0, 0}, npos = 0;
  int maxlen = 0;
  for (int i = 0; i < n; i++)
    if (s[i].end - s[i].start > maxlen) maxlen = s[i].end - s[i].start;
  float *buf = dm_malloc("seqlet data", (size_t)(maxlen > 0 ? maxlen : 1) * 4 * sizeof *buf);
  for (int i = 0; i < n; i++) {
    if (dm_pattern_fetch(t, &s[i], buf, NULL, NULL) < 0) continue;
    int len = s[i].end - s[i].start;
    for (int j = 0; j < len; j++)
      for (int c = 0; c < 4; c++) acc[c] += buf[j * 4 + c];
    npos += len;
  }
  free(buf);
  for (int c = 0; c < 4; c++) bg[c] = npos > 0 ? acc[c] / npos : 0.25;
}

void dm_pattern_ic(const double *ppm, int len, const double bg[4], double pseudocount, double *ic) {
  int normalise = 0;
  for (int j = 0; j < len; j++) {
    double s = ppm[j * 4] + ppm[j * 4 + 1] + ppm[j * 4 + 2] + ppm[j * 4 + 3];
    if (fabs(s - 1.0) > 2e-5) normalise = 1; /* np.allclose(s, 1, atol=1e-5) */
  }
  double bg_term = 0;
  for (int c = 0; c < 4; c++)
    if (bg[c] > 0) bg_term += bg[c] * log2(bg[c]);
  for (int j = 0; j < len; j++) {
    double s = ppm[j * 4] + ppm[j * 4 + 1] + ppm[j * 4 + 2] + ppm[j * 4 + 3];
    double v = 0;
    for (int c = 0; c < 4; c++) {
      double p = ppm[j * 4 + c];
      if (normalise) p = s > 0 ? p / s : 0;
      v += p * log2((p + pseudocount) / (1 + pseudocount * 4));
    }
    ic[j] = v - bg_term;
  }
}

int dm_pattern_best_window(const double *x, int n, int w) {
  if (w < 1 || n < w) return -1;
  double cur = 0;
  for (int j = 0; j < w; j++) cur += x[j];
  double best = cur;
  int arg = 0;
  for (int j = w; j < n; j++) {
    cur += x[j] - x[j - w];
    if (cur > best) best = cur, arg = j - w + 1;
  }
  return arg;
}

dm_pattern_t *dm_pattern_trim(const dm_pattern_t *p, const dm_tracks_t *t, int start, int end) {
  DM_ASSERT(start >= 0 && end <= p->len && start < end);
  dm_seqlet_t *s = dm_malloc("trimmed seqlets", (size_t)(p->n_seqlets + 1) * sizeof *s);
  int n = 0;
  for (int i = 0; i < p->n_seqlets; i++) {
    dm_seqlet_t q = p->seqlets[i];
    int len = q.end - q.start, e = end < len ? end : len;
    if (start >= e) continue;
    if (!q.is_revcomp) {
      q.end = q.start + e;
      q.start += start;
    } else {
      q.start = q.end - e;
      q.end -= start;
    }
    s[n++] = q;
  }
  dm_pattern_t *out = dm_pattern_from_seqlets(t, s, n);
  free(s);
  return out ? out : dm_pattern_init(end - start);
}

dm_pattern_t *dm_pattern_expand(const dm_pattern_t *p, const dm_tracks_t *t, int left, int right) {
  dm_seqlet_t *s = dm_malloc("expanded seqlets", (size_t)(p->n_seqlets + 1) * sizeof *s);
  int n = 0;
  for (int i = 0; i < p->n_seqlets; i++) {
    dm_seqlet_t q = p->seqlets[i];
    int r = p->len - (q.end - q.start) + right;
    q.start -= q.is_revcomp ? r : left;
    q.end += q.is_revcomp ? left : r;
    if (q.start >= 0 && q.end <= t->len) s[n++] = q;
  }
  dm_pattern_t *out = dm_pattern_from_seqlets(t, s, n);
  free(s);
  return out;
}

/* lite trim_to_support: cut ends supported by < min(min_num, min_frac x max support). */
static dm_pattern_t *trim_to_support(const dm_pattern_t *p, const dm_tracks_t *t, double min_frac,
                                     int min_num) {
  double max = 0;
  for (int j = 0; j < p->len; j++)
    if (p->support[j] > max) max = p->support[j];
  double num = fmin((double)min_num, max * min_frac);
  int l = 0, r = p->len;
  while (l < p->len && p->support[l] < num) l++;
  while (r > l && p->support[r - 1] < num) r--;
  return l < r ? dm_pattern_trim(p, t, l, r) : NULL;
}

dm_pattern_t *dm_pattern_polish(const dm_pattern_t *p, const dm_tracks_t *t, const dm_pattern_opt_t *o,
                                const double bg[4]) {
  dm_pattern_t *a = trim_to_support(p, t, o->min_frac, o->min_num), *b = NULL, *c = NULL;
  if (!a) return NULL;
  b = dm_pattern_expand(a, t, o->flank, o->flank);
  dm_pattern_destroy(a);
  if (!b) {
    dm_log_debug("pattern of %d seqlets: every seqlet left its example when extended", p->n_seqlets);
    return NULL;
  }
  double *ic = dm_malloc("pattern ic", (size_t)b->len * sizeof *ic);
  dm_pattern_ic(b->sequence, b->len, bg, o->pseudocount, ic);
  int start = dm_pattern_best_window(ic, b->len, o->window_size);
  free(ic);
  if (start < 0) {
    dm_log_debug("pattern of %d bp is shorter than the %d-bp trim window", b->len, o->window_size);
    dm_pattern_destroy(b);
    return NULL;
  }
  c = dm_pattern_trim(b, t, start, start + o->window_size);
  dm_pattern_destroy(b);
  a = dm_pattern_expand(c, t, o->flank, o->flank);
  dm_pattern_destroy(c);
  return a;
}

// --- alignment

int dm_pattern_seqlet_rows(const dm_tracks_t *t, const dm_seqlet_t *s, int n, int len, float *out) {
  size_t n4 = (size_t)len * 4;
  float *buf = dm_malloc("seqlet data", 2 * n4 * sizeof *buf);
  int m = 0;
  for (int i = 0; i < n; i++)
    if (s[i].end - s[i].start == len && dm_pattern_fetch(t, &s[i], NULL, buf, buf + n4) == 0)
      dm_cj_track(buf + n4, buf, len, out + (size_t)m++ * n4 * 2);
  free(buf);
  return m;
}

/* contrib centred on its mean and L2-normalised (lite "magnitude") -> (n, 4). */
static void cos_rows(const double *contrib, int n, float *out) {
  double m = 0, s = 0;
  for (int i = 0; i < n * 4; i++) m += contrib[i];
  m /= n * 4;
  for (int i = 0; i < n * 4; i++) s += (contrib[i] - m) * (contrib[i] - m);
  double f = 1.0 / (sqrt(s) + 1e-7);
  for (int i = 0; i < n * 4; i++) out[i] = (float)((contrib[i] - m) * f);
}

/* Best cosine of x (nx, 4) slid over y (ny, 4) padded by pad zero rows each
 * side (lite pearson_correlation: no re-centring per window; 0 where a
 * window is all zero); *arg is the offset of x[0] (first best). Pure. */
static double slide_cosine(const float *x, int nx, const float *y, int ny, int pad, int *arg) {
  double best = -INFINITY, xx = 0;
  *arg = -pad;
  for (int i = 0; i < nx * 4; i++) xx += (double)x[i] * x[i];
  for (int off = -pad; off + nx <= ny + pad; off++) {
    double num = 0, den = 0;
    for (int j = 0; j < nx; j++) {
      int q = off + j;
      if (q < 0 || q >= ny) continue;
      for (int c = 0; c < 4; c++) {
        num += (double)x[j * 4 + c] * y[q * 4 + c];
        den += (double)y[q * 4 + c] * y[q * 4 + c];
      }
    }
    double score = (den > 0 && xx > 0) ? num / sqrt(den * xx) : 0.0;
    if (score > best) best = score, *arg = off;
  }
  return best;
}

/* Best CJ placement of the member (contrib, hyp) (n, 4) over the pattern. */
static void align_cj(const dm_pattern_t *p, const double *contrib, const double *hyp, int n, int pad,
                     int revcomp, int *offset, int *rc, double *score) {
  size_t n4 = (size_t)n * 4, p4 = (size_t)p->len * 4;
  size_t nbuf = 2 * p4 + 2 * n4 + p4 * 2 + n4 * 4 + dm_cj_work_size(p->len, 8, pad);
  float *buf = dm_malloc("align buffers", nbuf * sizeof *buf);
  float *ph = buf, *pc = ph + p4, *xh = pc + p4, *xc = xh + n4, *y = xc + n4, *x = y + 2 * p4;
  float *xrc = x + 2 * n4, *work = xrc + 2 * n4;
  for (size_t i = 0; i < p4; i++) ph[i] = (float)p->hyp[i], pc[i] = (float)p->contrib[i];
  for (size_t i = 0; i < n4; i++) xh[i] = (float)hyp[i], xc[i] = (float)contrib[i];
  dm_cj_track(ph, pc, p->len, y);
  dm_cj_track(xh, xc, n, x);
  dm_cj_revcomp(x, n, 8, xrc);
  dm_cj_align_t a = dm_cj_align(x, revcomp ? xrc : NULL, n, y, p->len, 8, pad, work);
  *offset = a.offset;
  *rc = a.rc;
  *score = a.score;
  free(buf);
}

/* Best cosine placement of the member's contrib (n, 4) over the pattern's. */
static void align_cosine(const dm_pattern_t *p, const double *contrib, int n, int pad, int revcomp,
                         int *offset, int *rc, double *score) {
  size_t n4 = (size_t)n * 4;
  double *flip = dm_malloc("align buffers", n4 * sizeof *flip);
  float *x = dm_malloc("align buffers", n4 * sizeof *x);
  float *y = dm_malloc("align buffers", (size_t)p->len * 4 * sizeof *y);
  cos_rows(p->contrib, p->len, y);
  for (int j = 0; j < n; j++)
    for (int c = 0; c < 4; c++) flip[j * 4 + c] = contrib[(n - 1 - j) * 4 + 3 - c];
  *score = -INFINITY;
  for (int strand = 0; strand < (revcomp ? 2 : 1); strand++) {
    cos_rows(strand ? flip : contrib, n, x);
    int arg;
    double sc = slide_cosine(x, n, y, p->len, pad, &arg);
    if (sc > *score) *score = sc, *offset = arg, *rc = strand; /* rc only if strictly better */
  }
  free(flip);
  free(x);
  free(y);
}

int dm_pattern_align_data(const dm_pattern_t *p, const double *contrib, const double *hyp, int n,
                          dm_align_metric_t metric, double min_overlap, int revcomp, int *offset, int *rc,
                          double *score) {
  DM_ASSERT(n >= 1);
  int pad = dm_cj_pad(n, min_overlap, 1);
  if (n > p->len + 2 * pad) return -1; /* no placement */
  if (metric == DM_ALIGN_CJ)
    align_cj(p, contrib, hyp, n, pad, revcomp, offset, rc, score);
  else
    align_cosine(p, contrib, n, pad, revcomp, offset, rc, score);
  return 0;
}

int dm_pattern_align(const dm_pattern_t *p, const dm_tracks_t *t, const dm_seqlet_t *s,
                     dm_align_metric_t metric, double min_overlap, int revcomp, int *offset, int *rc,
                     double *score) {
  int n = s->end - s->start;
  if (n < 1) return -1;
  size_t n4 = (size_t)n * 4;
  float *raw = dm_malloc("align buffers", n4 * 2 * sizeof *raw);
  double *dd = dm_malloc("align buffers", n4 * 2 * sizeof *dd);
  int rcode = -1;
  if (dm_pattern_fetch(t, s, NULL, raw, raw + n4) == 0) {
    for (size_t i = 0; i < 2 * n4; i++) dd[i] = raw[i];
    rcode = dm_pattern_align_data(p, dd, dd + n4, n, metric, min_overlap, revcomp, offset, rc, score);
  }
  free(raw);
  free(dd);
  return rcode;
}

// --- aggregation

dm_pattern_t *dm_pattern_merge_in(const dm_pattern_t *parent, const dm_tracks_t *t, const dm_seqlet_t *s,
                                  int n, dm_align_metric_t metric, double min_overlap, int revcomp) {
  dm_pattern_t *cur = dm_pattern_copy(parent);
  for (int i = 0; i < n; i++) {
    int off, rc;
    double score;
    if (dm_pattern_align(cur, t, &s[i], metric, min_overlap, revcomp, &off, &rc, &score) != 0) continue;
    dm_seqlet_t q = rc ? dm_pattern_seqlet_revcomp(s[i]) : s[i];
    int len = q.end - q.start;
    int left = off > 0 ? off : 0, right = cur->len - (off + len);
    right = right > 0 ? right : 0;
    q.start -= q.is_revcomp ? right : left;
    q.end += q.is_revcomp ? left : right;
    if (q.start < 0 || q.end > t->len) continue;
    int pl = off < 0 ? -off : 0, pr = off + len - cur->len;
    pr = pr > 0 ? pr : 0;
    if (pl > 0 || pr > 0) {
      dm_pattern_t *grown = dm_pattern_expand(cur, t, pl, pr);
      if (!grown) continue;
      dm_pattern_destroy(cur);
      cur = grown;
    }
    dm_pattern_add(cur, t, &q);
  }
  return cur;
}

dm_pattern_t *dm_pattern_from_cluster(const dm_tracks_t *t, const dm_seqlet_t *s, int n,
                                      const dm_pattern_opt_t *o, const double bg[4], int sign) {
  if (n < 1) return NULL;
  int maxlen = 0;
  for (int i = 0; i < n; i++)
    if (s[i].end - s[i].start > maxlen) maxlen = s[i].end - s[i].start;
  float *buf = dm_malloc("seqlet data", (size_t)(maxlen > 0 ? maxlen : 1) * 4 * sizeof *buf);
  dm_keyed_t *k = dm_malloc("seqlet order", (size_t)n * sizeof *k);
  for (int i = 0; i < n; i++) {
    double a = 0;
    if (dm_pattern_fetch(t, &s[i], NULL, buf, NULL) >= 0)
      for (int j = 0; j < (s[i].end - s[i].start) * 4; j++) a += fabs(buf[j]);
    k[i] = (dm_keyed_t){-a, i};
  }
  free(buf);
  dm_keyed_sort(k, (size_t)n);
  dm_seqlet_t *sorted = dm_malloc("sorted seqlets", (size_t)n * sizeof *sorted);
  for (int i = 0; i < n; i++) sorted[i] = s[k[i].idx];
  free(k);
  dm_pattern_t *p = NULL, *agg = NULL;
  int first = 0;
  while (first < n && !(p = dm_pattern_from_seqlets(t, &sorted[first], 1))) first++;
  if (p) {
    agg =
        dm_pattern_merge_in(p, t, sorted + first + 1, n - first - 1, DM_ALIGN_CJ, o->min_overlap, o->revcomp);
    dm_pattern_destroy(p);
    p = dm_pattern_polish(agg, t, o, bg);
    dm_pattern_destroy(agg);
  }
  free(sorted);
  if (p) {
    double tot = 0;
    for (int i = 0; i < p->len * 4; i++) tot += p->contrib[i];
    if ((tot > 0 ? 1 : tot < 0 ? -1 : 0) != sign) {
      dm_log_debug("pattern of %d seqlets dropped: CWM sum %g has the wrong sign", p->n_seqlets, tot);
      dm_pattern_destroy(p);
      p = NULL;
    }
  }
  return p;
}

// --- final filters

const char *dm_pattern_verdict_str(dm_pattern_verdict_t v) {
  switch (v) {
    case DM_PATTERN_KEPT:
      return "kept";
    case DM_PATTERN_TOO_FEW_SEQLETS:
      return "too few seqlets";
    case DM_PATTERN_LOW_IC:
      return "low information content";
    case DM_PATTERN_NO_ROOM:
      return "no seqlet fits the final flank";
  }
  return "?";
}

dm_pattern_verdict_t dm_pattern_check_final(const dm_pattern_t *p, const dm_pattern_opt_t *o,
                                            const double bg[4]) {
  if (p->n_seqlets < o->min_seqlets) return DM_PATTERN_TOO_FEW_SEQLETS;
  double *ic = dm_malloc("pattern ic", (size_t)p->len * sizeof *ic), best = 0;
  dm_pattern_ic(p->sequence, p->len, bg, o->pseudocount, ic);
  int w = p->len < o->ic_window ? p->len : o->ic_window;
  int start = dm_pattern_best_window(ic, p->len, w);
  for (int j = start; j < start + w; j++) best += ic[j];
  free(ic);
  return best < o->min_ic ? DM_PATTERN_LOW_IC : DM_PATTERN_KEPT;
}

void dm_pattern_sort_by_size(dm_pattern_t **p, int n) {
  dm_keyed_t *k = dm_malloc("pattern order", (size_t)(n > 0 ? n : 1) * sizeof *k);
  dm_pattern_t **tmp = dm_malloc("pattern order", (size_t)(n > 0 ? n : 1) * sizeof *tmp);
  for (int i = 0; i < n; i++) k[i] = (dm_keyed_t){-(double)p[i]->n_seqlets, i}, tmp[i] = p[i];
  dm_keyed_sort(k, (size_t)n);
  for (int i = 0; i < n; i++) p[i] = tmp[k[i].idx];
  free(k);
  free(tmp);
}

int dm_pattern_filter_final(dm_pattern_t **p, int n, const dm_tracks_t *t, const dm_pattern_opt_t *o,
                            const double bg[4]) {
  dm_pattern_sort_by_size(p, n);
  int kept = 0, dropped[DM_PATTERN_NO_ROOM + 1] = {0}, largest[DM_PATTERN_NO_ROOM + 1] = {0};
  for (int i = 0; i < n; i++) {
    dm_pattern_verdict_t v = dm_pattern_check_final(p[i], o, bg);
    dm_pattern_t *q = NULL;
    if (v == DM_PATTERN_KEPT) {
      q = o->final_flank > 0 ? dm_pattern_expand(p[i], t, o->final_flank, o->final_flank)
                             : dm_pattern_copy(p[i]);
      if (!q) v = DM_PATTERN_NO_ROOM;
    }
    if (v != DM_PATTERN_KEPT) {
      dm_log_debug("pattern of %d seqlets and %d bp dropped: %s", p[i]->n_seqlets, p[i]->len,
                   dm_pattern_verdict_str(v));
      if (!dropped[v]++) largest[v] = p[i]->n_seqlets; /* sorted: the first is the largest */
    }
    dm_pattern_destroy(p[i]);
    p[i] = NULL;
    if (q) p[kept++] = q;
  }
  for (int v = DM_PATTERN_KEPT + 1; v <= DM_PATTERN_NO_ROOM; v++)
    if (dropped[v])
      dm_log_info("%d pattern(s) dropped: %s (the largest had %d seqlets)", dropped[v],
                  dm_pattern_verdict_str(v), largest[v]);
  return kept;
}

void dm_pattern_set_subpatterns(dm_pattern_t *p, const dm_tracks_t *t, const int *labels) {
  for (int k = 0; k < p->n_sub; k++) dm_pattern_destroy(p->sub[k]);
  free(p->sub);
  free(p->sub_id);
  int n = p->n_seqlets, nl = 0;
  int *ids = dm_malloc("subpattern ids", (size_t)(n + 1) * sizeof *ids);
  dm_seqlet_t *m = dm_malloc("subpattern members", (size_t)(n + 1) * sizeof *m);
  for (int i = 0; i < n; i++) {
    int seen = 0;
    for (int k = 0; k < nl; k++) seen |= ids[k] == labels[i];
    if (!seen) ids[nl++] = labels[i];
  }
  dm_pattern_t **made = dm_malloc("subpatterns", (size_t)(nl + 1) * sizeof *made);
  int *made_id = dm_malloc("subpattern ids", (size_t)(nl + 1) * sizeof *made_id), ns = 0;
  for (int k = 0; k < nl; k++) {
    int nm = 0;
    for (int i = 0; i < n; i++)
      if (labels[i] == ids[k]) m[nm++] = p->seqlets[i];
    if ((made[ns] = dm_pattern_from_seqlets(t, m, nm))) made_id[ns++] = ids[k];
  }
  dm_keyed_t *order = dm_malloc("subpattern order", (size_t)(ns + 1) * sizeof *order);
  for (int k = 0; k < ns; k++) order[k] = (dm_keyed_t){-(double)made[k]->n_seqlets, k};
  dm_keyed_sort(order, (size_t)ns);
  p->n_sub = ns;
  p->sub = dm_malloc("subpatterns", (size_t)(ns + 1) * sizeof *p->sub);
  p->sub_id = dm_malloc("subpattern ids", (size_t)(ns + 1) * sizeof *p->sub_id);
  for (int k = 0; k < ns; k++) p->sub[k] = made[order[k].idx], p->sub_id[k] = made_id[order[k].idx];
  free(made);
  free(made_id);
  free(order);
  free(ids);
  free(m);
}

int dm_pattern_unique_seqlets(dm_pattern_t *const *p, int n, dm_seqlet_t **out) {
  int m = 0;
  for (int i = 0; i < n; i++) m += p[i]->n_seqlets;
  *out = NULL;
  if (m == 0) return 0;
  dm_seqlet_t *s = dm_malloc("unique seqlets", (size_t)m * sizeof *s);
  int *first = dm_malloc("unique seqlets", (size_t)m * sizeof *first);
  m = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < p[i]->n_seqlets; j++) s[m++] = p[i]->seqlets[j];
  first_of_window(s, m, first);
  for (int i = 0; i < m; i++) s[first[i]].is_revcomp = s[i].is_revcomp; /* the last strand */
  int u = 0;
  for (int i = 0; i < m; i++)
    if (first[i] == i) s[u++] = s[i];
  free(first);
  *out = s;
  return u;
}
