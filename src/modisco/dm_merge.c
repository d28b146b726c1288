/* This object's header. */
#include "dm_merge.h"

/* Standard headers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library headers. */
#include <gsl/gsl_rng.h>

/* Local headers. */
#include "dm_cj.h"
#include "dm_keyed.h"
#include "dm_mem.h"
#include "dm_nprand.h"
#include "dm_radix.h"

// --- options

void dm_merge_opt_init(dm_merge_opt_t *o) {
  static const double merge[3][2] = {{0.8, 0.8}, {0.5, 0.85}, {0.2, 0.9}};
  static const double deal[4][2] = {{0.4, 0.75}, {0.2, 0.8}, {0.1, 0.85}, {0.0, 0.9}};
  memset(o, 0, sizeof *o);
  memcpy(o->merge, merge, sizeof merge);
  o->n_merge = 3;
  memcpy(o->dealbreak, deal, sizeof deal);
  o->n_dealbreak = 4;
  o->max_seqlets_subsample = 1000;
  o->seed = 1234;
}

int dm_merge_opt_check(const dm_merge_opt_t *o) {
  int bad = 0;
  if (o->n_merge < 0 || o->n_merge > DM_MERGE_MAX_RULES) {
    dm_log_error("Merge:merge_thresholds: 0 to %d rules", DM_MERGE_MAX_RULES);
    bad = 1;
  }
  if (o->n_dealbreak < 0 || o->n_dealbreak > DM_MERGE_MAX_RULES) {
    dm_log_error("Merge:dealbreaker_thresholds: 0 to %d rules", DM_MERGE_MAX_RULES);
    bad = 1;
  }
  if (o->max_seqlets_subsample < 1) {
    dm_log_error("Merge:max_seqlets_subsample: must be >= 1");
    bad = 1;
  }
  return bad ? -1 : 0;
}

int dm_merge_parse_rules(const char *text, double rules[][2]) {
  int n = 0, used;
  const char *c = text;
  for (;;) {
    while (*c == ' ' || *c == '\t' || *c == ',') c++;
    if (!*c) return n;
    double a, b;
    if (n == DM_MERGE_MAX_RULES || sscanf(c, " ( %lf , %lf )%n", &a, &b, &used) != 2) return -1;
    rules[n][0] = a;
    rules[n][1] = b;
    n++;
    c += used;
  }
}

int dm_merge_opt_from_params(dm_merge_opt_t *o, const dm_params_t *p) {
  const char *keys[2] = {"Merge:merge_thresholds", "Merge:dealbreaker_thresholds"};
  int *counts[2] = {&o->n_merge, &o->n_dealbreak};
  double(*rules[2])[2] = {o->merge, o->dealbreak};
  for (int k = 0; k < 2; k++) {
    const char *v = dm_params_get_string(p, keys[k]);
    *counts[k] = dm_merge_parse_rules(v ? v : "", rules[k]);
    if (*counts[k] < 0) {
      dm_log_error("%s: '%s' is not a list of (cross-contamination,similarity) pairs", keys[k], v);
      return -1;
    }
  }
  o->max_seqlets_subsample = (int)dm_params_get_int(p, "Merge:max_seqlets_subsample");
  o->seed = (unsigned long)dm_params_get_int(p, "Merge:seed");
  return dm_merge_opt_check(o);
}

// --- kernels

/* Sort n floats ascending (-0 and +0, equal for the AUROC, in either order). */
static void sort_floats(float *v, size_t n) {
  int64_t *work = dm_malloc("merge sort", (2 * n + 1) * sizeof *work);
  dm_radix_sort_floats(v, n, work);
  free(work);
}

/* dm_merge_auroc of arrays already sorted ascending. */
static double auroc_sorted(const float *neg, long n_neg, const float *pos, long n_pos) {
  if (n_neg <= 0 || n_pos <= 0) return 0.5;
  /* for each positive: negatives below it count 1, equal ones 1/2 */
  double wins = 0;
  long lo = 0, hi = 0;
  for (long i = 0; i < n_pos; i++) {
    while (lo < n_neg && neg[lo] < pos[i]) lo++;
    if (hi < lo) hi = lo;
    while (hi < n_neg && neg[hi] <= pos[i]) hi++;
    wins += (double)lo + 0.5 * (double)(hi - lo);
  }
  return wins / ((double)n_neg * (double)n_pos);
}

double dm_merge_auroc(float *neg, long n_neg, float *pos, long n_pos) {
  if (n_neg <= 0 || n_pos <= 0) return 0.5;
  sort_floats(neg, (size_t)n_neg);
  sort_floats(pos, (size_t)n_pos);
  return auroc_sorted(neg, n_neg, pos, n_pos);
}

// --- member data

/* Indices of the members used: all, or lite's subsample, the first
 * max_seqlets_subsample of numpy RandomState(seed).permutation(n). */
static int subsample(const dm_pattern_t *p, const dm_merge_opt_t *mo, int *idx) {
  int n = p->n_seqlets;
  if (n <= mo->max_seqlets_subsample) {
    for (int i = 0; i < n; i++) idx[i] = i;
    return n;
  }
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, mo->seed);
  dm_nprand_permutation(r, idx, n);
  gsl_rng_free(r);
  return mo->max_seqlets_subsample;
}

/* Members idx of p, moved by the alignment (offset, rc) onto another
 * pattern's frame when aligned; members that leave the example (end must
 * stay < example length, as in lite) are skipped. @return members in out */
static int moved_members(const dm_pattern_t *p, const int *idx, int n_idx, const dm_tracks_t *t, int aligned,
                         int offset, int rc, dm_seqlet_t *out) {
  int n = 0;
  for (int i = 0; i < n_idx; i++) {
    dm_seqlet_t q = p->seqlets[idx[i]];
    if (aligned) {
      if (rc) q = dm_pattern_seqlet_revcomp(q);
      int shift = q.is_revcomp ? offset : -offset;
      q.start += shift;
      q.end += shift;
      if (q.start < 0 || q.end >= t->len) continue;
    }
    out[n++] = q;
  }
  return n;
}

/* Rows (see dm_pattern_seqlet_rows) of members idx of p, moved as above. */
static int member_rows(const dm_pattern_t *p, const int *idx, int n_idx, const dm_tracks_t *t, int aligned,
                       int offset, int rc, float *out) {
  dm_seqlet_t *q = dm_malloc("merge members", ((size_t)n_idx + 1) * sizeof *q);
  int n = moved_members(p, idx, n_idx, t, aligned, offset, rc, q);
  n = dm_pattern_seqlet_rows(t, q, n, p->len, out);
  free(q);
  return n;
}

/* What one pattern contributes to pairs (i, j): as j, its subsample; as
 * the reference i, also the rows and within-scores of that subsample. */
typedef struct {
  int n_idx, n_rows;
  int *idx;      /* (n_idx,) subsampled members */
  float *rows;   /* (n_rows, len * 8), NULL until ref_within */
  float *within; /* (n_rows^2,) sorted */
} ref_t;

static void ref_build(ref_t *r, const dm_pattern_t *p, const dm_merge_opt_t *mo) {
  r->idx = dm_malloc("merge idx", (size_t)(p->n_seqlets + 1) * sizeof *r->idx);
  r->n_idx = subsample(p, mo, r->idx);
  r->n_rows = 0;
  r->rows = r->within = NULL;
}

/* out[x * ny + y] = CJ of rows x of xs and y of ys, (nx, ny), rows of d floats. */
static void scores_against(const float *xs, int nx, const float *ys, int ny, int d, float *out) {
  float *packed = dm_malloc("merge rows", dm_cj_packed_size((size_t)d, ny) * sizeof *packed);
  dm_cj_pack(ys, (size_t)d, ny, packed);
  for (int x = 0; x < nx; x++)
    dm_cj_score_packed(xs + (size_t)x * d, packed, (size_t)d, ny, out + (size_t)x * ny);
  free(packed);
}

static void ref_within(ref_t *r, const dm_pattern_t *p, const dm_tracks_t *t) {
  int d = p->len * 8;
  r->rows = dm_malloc("merge rows", ((size_t)r->n_idx + 1) * (size_t)d * sizeof *r->rows);
  r->n_rows = member_rows(p, r->idx, r->n_idx, t, 0, 0, 0, r->rows);
  size_t nn = (size_t)r->n_rows * (size_t)r->n_rows;
  r->within = dm_malloc("merge within", (nn ? nn : 1) * sizeof *r->within);
  scores_against(r->rows, r->n_rows, r->rows, r->n_rows, d, r->within);
  sort_floats(r->within, nn);
}

static void ref_free(ref_t *r) {
  free(r->idx);
  free(r->rows);
  free(r->within);
}

/* sim and auroc of pair (a = i, b = j) given a's reference data and b's subsample. */
static int pair_stats(const dm_pattern_t *a, const ref_t *ra, const dm_pattern_t *b, const ref_t *rb,
                      const dm_tracks_t *t, const dm_pattern_opt_t *po, double *sim, double *auroc) {
  if (a->len != b->len) {
    dm_log_error("patterns of %d and %d bp cannot be compared (polish both first)", a->len, b->len);
    return -1;
  }
  int off = 0, rc = 0, d = a->len * 8;
  (void)dm_pattern_align_data(a, b->contrib, b->hyp, b->len, DM_ALIGN_COSINE, po->min_overlap, po->revcomp,
                              &off, &rc, sim); /* equal lengths: always placed */
  float *rows = dm_malloc("merge rows", ((size_t)rb->n_idx + 1) * (size_t)d * sizeof *rows);
  int nb = member_rows(b, rb->idx, rb->n_idx, t, 1, off, rc, rows);
  if (nb == 0) {
    *sim = 0;
    *auroc = 0.5;
    free(rows);
    return 0;
  }
  size_t nbetween = (size_t)ra->n_rows * (size_t)nb, nw = (size_t)ra->n_rows * ra->n_rows;
  float *between = dm_malloc("merge between", (nbetween ? nbetween : 1) * sizeof *between);
  scores_against(ra->rows, ra->n_rows, rows, nb, d, between);
  sort_floats(between, nbetween);
  *auroc = auroc_sorted(between, (long)nbetween, ra->within, (long)nw);
  free(between);
  free(rows);
  return 0;
}

int dm_merge_compare(const dm_pattern_t *a, const dm_pattern_t *b, const dm_tracks_t *t,
                     const dm_pattern_opt_t *po, const dm_merge_opt_t *mo, double *sim, double *auroc) {
  ref_t ra, rb;
  ref_build(&ra, a, mo);
  ref_within(&ra, a, t);
  ref_build(&rb, b, mo);
  int rc = pair_stats(a, &ra, b, &rb, t, po, sim, auroc);
  ref_free(&ra);
  ref_free(&rb);
  return rc;
}

// --- the merge loop

typedef struct {
  double key;
  int i, j;
} pair_t;

static int cmp_pair(const void *x, const void *y) {
  const pair_t *a = x, *b = y;
  if (a->key != b->key) return a->key > b->key ? -1 : 1; /* decreasing similarity */
  if (a->i != b->i) return a->i - b->i;
  return a->j - b->j;
}

/* Would merging the groups of i and j join a dealbreaker pair? */
static int dealbreaker(const int *grp, int n, int i, int j, const double *cc, const double *sim,
                       const dm_merge_opt_t *mo) {
  for (int m1 = 0; m1 < n; m1++) {
    if (grp[m1] != grp[i] && grp[m1] != grp[j]) continue;
    for (int m2 = m1 + 1; m2 < n; m2++) {
      if (grp[m2] != grp[i] && grp[m2] != grp[j]) continue;
      double c = 0.5 * (cc[m1 * n + m2] + cc[m2 * n + m1]), s = sim[m1 * n + m2];
      for (int r = 0; r < mo->n_dealbreak; r++)
        if (c <= mo->dealbreak[r][0] && s <= mo->dealbreak[r][1]) return 1;
    }
  }
  return 0;
}

/* Part of each row i of unknown pairs (i, j): whole rows (a row's pairs
 * share i's within-scores), the costliest first, each to the least loaded
 * part (ties: the lowest); cost = member comparisons, n_i^2 for the
 * within-scores plus n_i n_j per pair (n: members, at most cap of them
 * subsampled). */
static void assign_rows(dm_pattern_t **p, int n, const int *todo, int n_todo, int cap, int n_parts,
                        int *part) {
  dm_keyed_t *row = dm_calloc("merge rows", (size_t)n + 1, sizeof *row); /* (-cost, row) */
  double *used = dm_malloc("merge rows", ((size_t)n + 1) * sizeof *used);
  double *load = dm_calloc("merge loads", (size_t)n_parts, sizeof *load);
  for (int i = 0; i < n; i++) {
    row[i].idx = i;
    used[i] = p[i]->n_seqlets < cap ? p[i]->n_seqlets : cap;
  }
  for (int q = 0; q < n_todo; q++) {
    int i = todo[q] / n, j = todo[q] % n;
    row[i].key -= (row[i].key == 0 ? used[i] * used[i] : 0) + used[i] * used[j];
  }
  dm_keyed_sort(row, (size_t)n);
  for (int r = 0; r < n; r++) {
    int best = 0;
    for (int k = 1; k < n_parts; k++)
      if (load[k] < load[best]) best = k;
    part[row[r].idx] = best;
    load[best] -= row[r].key;
  }
  free(row);
  free(used);
  free(load);
}

/* Fill the unknown (auroc < 0) entries of the n x n matrices: this part's
 * share of them here, then the sum over the parts (split NULL: all here). */
static int fill_stats(dm_pattern_t **p, int n, const dm_tracks_t *t, const dm_pattern_opt_t *po,
                      const dm_merge_opt_t *mo, const dm_merge_split_t *split, double *sims, double *aurocs) {
  int me = split ? split->part : 0, n_parts = split ? split->n_parts : 1;
  ref_t *ref = dm_calloc("merge refs", (size_t)(n > 0 ? n : 1), sizeof *ref);
  int *part = dm_calloc("merge parts", (size_t)(n > 0 ? n : 1), sizeof *part);
  int *todo = dm_malloc("merge pairs", ((size_t)n * n + 1) * sizeof *todo);
  int n_todo = 0, rc = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      if (i == j) {
        aurocs[i * n + j] = 0.5;
        sims[i * n + j] = 1.0;
      } else if (aurocs[i * n + j] < 0) {
        todo[n_todo++] = i * n + j;
      }
    }
  assign_rows(p, n, todo, n_todo, mo->max_seqlets_subsample, n_parts, part);
  /* v: (sim, auroc) of each pair to do, then the failure count */
  double *v = dm_calloc("merge stats", 2 * (size_t)n_todo + 1, sizeof *v);
  for (int q = 0; q < n_todo && !rc; q++) {
    int i = todo[q] / n, j = todo[q] % n;
    if (part[i] != me) continue;
    for (int k = 0; k < 2; k++) {
      int m = k ? j : i;
      if (!ref[m].idx) ref_build(&ref[m], p[m], mo);
    }
    if (!ref[i].rows) ref_within(&ref[i], p[i], t);
    rc = pair_stats(p[i], &ref[i], p[j], &ref[j], t, po, &v[2 * q], &v[2 * q + 1]);
  }
  v[2 * n_todo] = rc ? 1.0 : 0.0;
  if (n_parts > 1) split->sum(split->ctx, v, 2 * (size_t)n_todo + 1);
  for (int q = 0; q < n_todo; q++) sims[todo[q]] = v[2 * q], aurocs[todo[q]] = v[2 * q + 1];
  rc = v[2 * n_todo] > 0 ? -1 : 0;
  for (int i = 0; i < n; i++) ref_free(&ref[i]);
  free(v);
  free(todo);
  free(part);
  free(ref);
  return rc;
}

int dm_merge_patterns(dm_pattern_t *const *in, int n, const dm_tracks_t *t, const dm_pattern_opt_t *po,
                      const dm_merge_opt_t *mo, const double bg[4], const dm_merge_split_t *split,
                      dm_pattern_t ***out) {
  int n_owned = n, cap_owned = n + 16, rc = -1;
  dm_pattern_t **owned = dm_malloc("merge patterns", (size_t)cap_owned * sizeof *owned);
  dm_pattern_t **cur = dm_malloc("merge patterns", (size_t)(n + 1) * sizeof *cur);
  for (int i = 0; i < n; i++) owned[i] = cur[i] = dm_pattern_copy(in[i]);
  size_t nn = (size_t)(n + 1) * (size_t)(n + 1);
  double *sims = dm_malloc("merge sims", nn * sizeof *sims);
  double *aurocs = dm_malloc("merge aurocs", nn * sizeof *aurocs);
  double *sym = dm_malloc("merge sym", nn * sizeof *sym), *cc = dm_malloc("merge cc", nn * sizeof *cc);
  for (size_t k = 0; k < nn; k++) sims[k] = 0, aurocs[k] = -1;
  pair_t *pairs = dm_malloc("merge pairs", nn * sizeof *pairs);
  int *grp = dm_malloc("merge groups", (size_t)(n + 1) * sizeof *grp);
  int *to_merge = dm_malloc("merge list", 2 * nn * sizeof *to_merge);
  dm_pattern_t **old = dm_malloc("merge old", (size_t)(n + 1) * sizeof *old);
  int *newidx = dm_malloc("merge map", (size_t)(n + 1) * sizeof *newidx);

  for (int iter = 0;; iter++) {
    if (fill_stats(cur, n, t, po, mo, split, sims, aurocs)) goto fail;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) {
        sym[i * n + j] = 0.5 * (sims[i * n + j] + sims[j * n + i]);
        cc[i * n + j] = 2 * (1 - fmax(aurocs[i * n + j], 0.5));
      }
    int np = 0, nm = 0;
    for (int i = 0; i < n; i++)
      for (int j = i + 1; j < n; j++) pairs[np++] = (pair_t){sym[i * n + j], i, j};
    qsort(pairs, (size_t)np, sizeof *pairs, cmp_pair);
    for (int i = 0; i < n; i++) grp[i] = i;
    for (int k = 0; k < np; k++) {
      int i = pairs[k].i, j = pairs[k].j;
      double c = fmin(cc[i * n + j], cc[j * n + i]);
      int collapse = 0;
      for (int r = 0; r < mo->n_merge; r++)
        if (c >= mo->merge[r][0] && pairs[k].key >= mo->merge[r][1]) collapse = 1;
      if (!collapse || dealbreaker(grp, n, i, j, cc, sym, mo)) continue;
      to_merge[2 * nm] = i;
      to_merge[2 * nm + 1] = j;
      nm++;
      int gi = grp[i], gj = grp[j];
      for (int m = 0; m < n; m++)
        if (grp[m] == gj) grp[m] = gi;
    }
    /* merge, replacing every occurrence of parent and child (single linkage) */
    memcpy(old, cur, (size_t)n * sizeof *old);
    int replaced = 0;
    for (int k = 0; k < nm; k++) {
      dm_pattern_t *p1 = cur[to_merge[2 * k]], *p2 = cur[to_merge[2 * k + 1]];
      if (p1 == p2) continue;
      dm_pattern_t *parent = p1->n_seqlets < p2->n_seqlets ? p2 : p1;
      dm_pattern_t *child = parent == p1 ? p2 : p1;
      dm_pattern_t *m = dm_pattern_merge_in(parent, t, child->seqlets, child->n_seqlets, DM_ALIGN_COSINE,
                                            po->min_overlap, po->revcomp);
      dm_pattern_t *polished = dm_pattern_polish(m, t, po, bg);
      dm_pattern_destroy(m);
      if (!polished) continue;
      if (n_owned == cap_owned) {
        cap_owned *= 2;
        owned = dm_realloc("merge patterns", owned, (size_t)cap_owned * sizeof *owned);
      }
      owned[n_owned++] = polished;
      for (int q = 0; q < n; q++)
        if (cur[q] == parent || cur[q] == child) cur[q] = polished;
      replaced++;
    }
    dm_log_debug("merge round %d: %d patterns, %d merges", iter, n, replaced);
    /* lite loops while any merge was decided; a merge whose polish failed
     * changes nothing and would repeat forever, so count only real ones */
    if (replaced == 0) break;
    /* new list: unique patterns by decreasing size (stable) */
    dm_pattern_t **tmp = dm_malloc("merge sort", (size_t)n * sizeof *tmp);
    memcpy(tmp, cur, (size_t)n * sizeof *tmp);
    dm_pattern_sort_by_size(tmp, n);
    int m = 0;
    for (int k = 0; k < n; k++) {
      int dup = 0;
      for (int q = 0; q < m; q++) dup |= tmp[q] == tmp[k];
      if (!dup) tmp[m++] = tmp[k];
    }
    /* carry over the statistics of pairs of unchanged patterns */
    for (int k = 0; k < n; k++) {
      newidx[k] = -1;
      if (cur[k] == old[k])
        for (int q = 0; q < m; q++)
          if (tmp[q] == cur[k]) newidx[k] = q;
    }
    double *ns = dm_malloc("merge sims", (size_t)m * m * sizeof *ns);
    double *na = dm_malloc("merge aurocs", (size_t)m * m * sizeof *na);
    for (int k = 0; k < m * m; k++) ns[k] = 0, na[k] = -1;
    for (int a = 0; a < n; a++)
      for (int b = 0; b < n; b++)
        if (newidx[a] >= 0 && newidx[b] >= 0) {
          ns[newidx[a] * m + newidx[b]] = sims[a * n + b];
          na[newidx[a] * m + newidx[b]] = aurocs[a * n + b];
        }
    memcpy(sims, ns, (size_t)m * m * sizeof *ns);
    memcpy(aurocs, na, (size_t)m * m * sizeof *na);
    free(ns);
    free(na);
    memcpy(cur, tmp, (size_t)m * sizeof *cur);
    free(tmp);
    n = m;
  }
  dm_pattern_sort_by_size(cur, n);
  *out = dm_malloc("merged patterns", (size_t)(n > 0 ? n : 1) * sizeof **out);
  memcpy(*out, cur, (size_t)n * sizeof *cur);
  rc = n;
fail:
  /* free every pattern made here that is not returned */
  for (int k = 0; k < n_owned; k++) {
    int kept = 0;
    for (int q = 0; rc >= 0 && q < n; q++) kept |= cur[q] == owned[k];
    if (!kept) dm_pattern_destroy(owned[k]);
  }
  free(owned);
  free(cur);
  free(sims);
  free(aurocs);
  free(sym);
  free(cc);
  free(pairs);
  free(grp);
  free(to_merge);
  free(old);
  free(newidx);
  return rc;
}
