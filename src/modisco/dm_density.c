/* dm_density: distances, per-row perplexity search, symmetric P. */
#include "dm_density.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"

// --- options

void dm_density_opt_init(dm_density_opt_t *o) {
  o->perplexity = 10.0;
  o->tol = 1e-5;
  o->max_steps = 100;
  o->min_affinity = 1e-7;
  o->lite_beta = 1;
}

int dm_density_opt_check(const dm_density_opt_t *o) {
  if (!(o->perplexity >= 1.0)) {
    dm_log_error("Density:perplexity must be >= 1 (got %g)", o->perplexity);
    return -1;
  }
  if (!(o->tol > 0.0)) {
    dm_log_error("Density:tol must be > 0 (got %g)", o->tol);
    return -1;
  }
  if (o->max_steps < 1) {
    dm_log_error("Density:max_steps must be >= 1 (got %d)", o->max_steps);
    return -1;
  }
  if (!(o->min_affinity > 0.0 && o->min_affinity < 1.0)) {
    dm_log_error("Density:min_affinity must be in (0, 1) (got %g)", o->min_affinity);
    return -1;
  }
  return 0;
}

int dm_density_opt_from_params(dm_density_opt_t *o, const dm_params_t *p) {
  dm_density_opt_init(o);
  o->perplexity = dm_params_get_float(p, "Density:perplexity");
  o->tol = dm_params_get_float(p, "Density:tol");
  long steps = dm_params_get_int(p, "Density:max_steps");
  o->max_steps = steps > 1000000 ? 1000000 : (int)(steps < 0 ? 0 : steps);
  o->min_affinity = dm_params_get_float(p, "Density:min_affinity");
  o->lite_beta = dm_params_get_bool(p, "Density:lite_beta");
  return dm_density_opt_check(o);
}

// --- steps 1-2: distances

/* Step 1 alone: the distances of aff's entries, self pairs and d <= 0
 * dropped, rows sorted; NULL if a value is not finite or a row's columns
 * are out of range or repeated (logged). */
static dm_sparse_t *row_distances(const dm_sparse_t *aff, const dm_density_opt_t *opt) {
  const int64_t n = aff->n;
  dm_sparse_t *d = dm_sparse_init(n, aff->rowptr[n]);
  int64_t out = 0;
  for (int64_t i = 0; i < n; i++) {
    for (int64_t k = aff->rowptr[i]; k < aff->rowptr[i + 1]; k++) {
      float a = aff->val[k];
      if (!isfinite(a)) {
        dm_log_error("affinity row %ld, column %d: value %g is not finite", (long)i, aff->col[k], a);
        dm_sparse_destroy(d);
        return NULL;
      }
      double dist = log(1.0 / (0.5 * fmax((double)a, opt->min_affinity)) - 1.0);
      if (!(dist > 0.0) || aff->col[k] == i) continue; /* d <= 0 or NaN (a > 2): clipped to 0, dropped */
      d->col[out] = aff->col[k];
      d->val[out++] = (float)dist;
    }
    d->rowptr[i + 1] = out;
  }
  if (dm_sparse_sort_rows(d)) {
    dm_log_error("affinity rows: bad neighbour columns (see above)");
    dm_sparse_destroy(d);
    return NULL;
  }
  return d;
}

dm_sparse_t *dm_density_distances(const dm_sparse_t *aff, const dm_density_opt_t *opt) {
  dm_sparse_t *d = row_distances(aff, opt);
  dm_sparse_t *s = d ? dm_sparse_symmetrise(d) : NULL;
  dm_sparse_destroy(d);
  return s;
}

// --- step 3: per-row search

/* kernel weight of distance x for a row with parameter beta */
static inline double weight(double x, double beta, int lite) {
  return lite ? exp(-x / beta) : exp(-x * beta);
}

/* Search beta for one row of distances (len,); returns the number of steps
 * used, max_steps + 1 if tol was not reached. */
static int search_row(const float *x, int64_t len, const dm_density_opt_t *opt, double *beta_out) {
  const double target = log(opt->perplexity);
  double beta = 1.0, lo = -INFINITY, hi = INFINITY;
  int step;
  for (step = 0; step < opt->max_steps; step++) {
    double z = 1.0, sx = 0.0; /* the 1: the row's own point, at distance 0 */
    for (int64_t k = 0; k < len; k++) {
      double w = exp(-(double)x[k] * beta);
      z += w;
      sx += (double)x[k] * w;
    }
    double h = log(z) + beta * sx / z; /* entropy in nats */
    double diff = h - target;
    if (fabs(diff) <= opt->tol) break;
    if (diff > 0.0) {
      lo = beta;
      beta = isinf(hi) ? 2.0 * beta : 0.5 * (beta + hi);
    } else {
      hi = beta;
      beta = isinf(lo) ? 0.5 * beta : 0.5 * (beta + lo);
    }
  }
  *beta_out = beta;
  return step < opt->max_steps ? step : opt->max_steps + 1;
}

int64_t dm_density_betas(const dm_sparse_t *dist, int64_t r0, int64_t r1, const dm_density_opt_t *opt,
                         double *beta, double *norm) {
  DM_ASSERT(0 <= r0 && r0 <= r1 && r1 <= dist->n);
  int64_t failed = 0;
  for (int64_t i = r0; i < r1; i++) {
    const int64_t b = dist->rowptr[i], len = dist->rowptr[i + 1] - b;
    double bt;
    failed += search_row(dist->val + b, len, opt, &bt) > opt->max_steps;
    double z = 1.0;
    for (int64_t k = 0; k < len; k++) z += weight(dist->val[b + k], bt, opt->lite_beta);
    beta[i - r0] = bt;
    norm[i - r0] = z;
  }
  return failed;
}

// --- step 4: symmetric P

dm_sparse_t *dm_density_joint_init(const dm_sparse_t *dist) {
  const int64_t n = dist->n;
  dm_sparse_t *p = dm_sparse_init(n, dist->rowptr[n] + n);
  int64_t out = 0;
  for (int64_t i = 0; i < n; i++) {
    int diag = 0;
    for (int64_t k = dist->rowptr[i]; k < dist->rowptr[i + 1]; k++) {
      int32_t c = dist->col[k];
      if (c == i || (k > dist->rowptr[i] && c <= dist->col[k - 1])) {
        dm_log_error("distance row %ld: column %d is %s", (long)i, c,
                     c == i ? "the diagonal" : "out of order or repeated");
        dm_sparse_destroy(p);
        return NULL;
      }
      if (!diag && c > i) {
        p->col[out++] = (int32_t)i;
        diag = 1;
      }
      p->col[out++] = c;
    }
    if (!diag) p->col[out++] = (int32_t)i;
    p->rowptr[i + 1] = out;
  }
  return p;
}

void dm_density_joint(const dm_sparse_t *dist, const double *beta, const double *norm, int64_t r0, int64_t r1,
                      const dm_density_opt_t *opt, dm_sparse_t *p) {
  DM_ASSERT(0 <= r0 && r0 <= r1 && r1 <= dist->n && p->n == dist->n);
  for (int64_t i = r0; i < r1; i++) {
    int64_t k = dist->rowptr[i], q = p->rowptr[i];
    DM_ASSERT(p->rowptr[i + 1] - q == dist->rowptr[i + 1] - k + 1);
    for (; q < p->rowptr[i + 1]; q++) {
      const int32_t j = p->col[q];
      if (j == i) {
        p->val[q] = (float)(1.0 / norm[i]);
        continue;
      }
      const double x = dist->val[k++];
      const double pi = weight(x, beta[i], opt->lite_beta) / norm[i];
      const double pj = weight(x, beta[j], opt->lite_beta) / norm[j];
      p->val[q] = (float)sqrt(pi * pj);
    }
  }
}

static void warn_failed(int64_t failed, int64_t n, const dm_density_opt_t *opt) {
  if (failed)
    dm_log_warn("%ld of %ld rows did not reach perplexity %g within tol %g in %d steps", (long)failed,
                (long)n, opt->perplexity, opt->tol, opt->max_steps);
}

dm_sparse_t *dm_density_run(const dm_sparse_t *aff, const dm_density_opt_t *opt) {
  dm_sparse_t *dist = dm_density_distances(aff, opt);
  if (!dist) return NULL;
  const int64_t n = dist->n;
  double *beta = dm_malloc("density beta", (size_t)n * sizeof(*beta));
  double *norm = dm_malloc("density norm", (size_t)n * sizeof(*norm));
  warn_failed(dm_density_betas(dist, 0, n, opt, beta, norm), n, opt);
  dm_sparse_t *p = dm_density_joint_init(dist);
  if (p) dm_density_joint(dist, beta, norm, 0, n, opt, p);
  free(beta);
  free(norm);
  dm_sparse_destroy(dist);
  return p;
}

// --- distributed

/* The rank owning row i, given every rank's first row (first[size] = n). */
static int owner_of(const int64_t *first, int size, int64_t i) {
  int lo = 0, hi = size - 1; /* the last rank r with first[r] <= i */
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (first[mid] <= i)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

typedef struct {
  int32_t row, col; /* an entry (col, row) of d, sent as (row, col) of d^T */
  float val;
} triple_t;

/* The rows [r0, r0 + nr) of d^T from the ranks' rows of d (rows own by
 * first[]): each entry goes to the owner of its column, in the sender's row
 * order, received in rank order, so every row of d^T comes out sorted as
 * dm_sparse_symmetrise's transpose. */
static dm_sparse_t *transpose_rows(const dm_mpi_t *ctx, const dm_sparse_t *d, const int64_t *first,
                                   int64_t r0, int64_t nr) {
  const int64_t n = d->n;
  int *cnt = dm_calloc("transpose counts", 4 * (size_t)ctx->size, sizeof *cnt);
  int *rcnt = cnt + ctx->size, *sdsp = rcnt + ctx->size, *rdsp = sdsp + ctx->size;
  for (int64_t k = d->rowptr[r0]; k < d->rowptr[r0 + nr]; k++) cnt[owner_of(first, ctx->size, d->col[k])]++;
  DM_MPI_CHECK(MPI_Alltoall(cnt, 1, MPI_INT, rcnt, 1, MPI_INT, ctx->comm));
  int64_t ns = 0, nrecv = 0;
  for (int r = 0; r < ctx->size; r++) sdsp[r] = (int)ns, rdsp[r] = (int)nrecv, ns += cnt[r], nrecv += rcnt[r];
  DM_ASSERT(ns <= INT32_MAX && nrecv <= INT32_MAX);
  triple_t *out = dm_malloc("transpose send", ((size_t)ns + 1) * sizeof *out);
  triple_t *in = dm_malloc("transpose receive", ((size_t)nrecv + 1) * sizeof *in);
  int *fill = dm_malloc("transpose fill", ((size_t)ctx->size + 1) * sizeof *fill);
  memcpy(fill, sdsp, (size_t)ctx->size * sizeof *fill);
  for (int64_t i = r0; i < r0 + nr; i++)
    for (int64_t k = d->rowptr[i]; k < d->rowptr[i + 1]; k++)
      out[fill[owner_of(first, ctx->size, d->col[k])]++] = (triple_t){d->col[k], (int32_t)i, d->val[k]};
  MPI_Datatype tt;
  DM_MPI_CHECK(MPI_Type_contiguous((int)sizeof(triple_t), MPI_BYTE, &tt));
  DM_MPI_CHECK(MPI_Type_commit(&tt));
  DM_MPI_CHECK(MPI_Alltoallv(out, cnt, sdsp, tt, in, rcnt, rdsp, tt, ctx->comm));
  MPI_Type_free(&tt);
  free(out);
  dm_sparse_t *t = dm_sparse_init(n, nrecv);
  for (int64_t e = 0; e < nrecv; e++) t->rowptr[in[e].row + 1]++;
  for (int64_t i = 0; i < n; i++) t->rowptr[i + 1] += t->rowptr[i];
  int64_t *at = dm_malloc("transpose rows", ((size_t)nr + 1) * sizeof *at);
  for (int64_t i = 0; i < nr; i++) at[i] = t->rowptr[r0 + i];
  for (int64_t e = 0; e < nrecv; e++) {
    int64_t q = at[in[e].row - r0]++;
    t->col[q] = in[e].col;
    t->val[q] = in[e].val;
  }
  free(at);
  free(in);
  free(fill);
  free(cnt);
  return t;
}

/* The rows [r0, r0 + nr) of p (rows owned as first[]) gathered whole on
 * the ranks with want set; *whole gets the matrix there, NULL elsewhere. */
static void gather_rows(const dm_mpi_t *ctx, const dm_sparse_t *p, const int64_t *first, int want,
                        dm_sparse_t **whole) {
  const int64_t n = p->n, r0 = first[ctx->rank], nr = first[ctx->rank + 1] - r0;
  int *flags = dm_malloc("gather flags", (size_t)ctx->size * sizeof *flags);
  int *cnt = dm_malloc("gather counts", 4 * (size_t)ctx->size * sizeof *cnt);
  int *dsp = cnt + ctx->size, *rows = dsp + ctx->size, *rdsp = rows + ctx->size;
  int e = (int)(p->rowptr[r0 + nr] - p->rowptr[r0]);
  DM_ASSERT(p->rowptr[r0 + nr] - p->rowptr[r0] <= INT32_MAX);
  DM_MPI_CHECK(MPI_Allgather(&want, 1, MPI_INT, flags, 1, MPI_INT, ctx->comm));
  DM_MPI_CHECK(MPI_Allgather(&e, 1, MPI_INT, cnt, 1, MPI_INT, ctx->comm));
  int64_t total = 0;
  for (int r = 0; r < ctx->size; r++) {
    dsp[r] = (int)total, total += cnt[r];
    rows[r] = (int)(first[r + 1] - first[r]), rdsp[r] = (int)first[r];
  }
  DM_ASSERT(total <= INT32_MAX);
  int64_t *len = dm_malloc("gather row lengths", ((size_t)n + 1) * sizeof *len);
  for (int64_t i = 0; i < nr; i++) len[r0 + i] = p->rowptr[r0 + i + 1] - p->rowptr[r0 + i];
  *whole = want ? dm_sparse_init(n, total) : NULL;
  for (int r = 0; r < ctx->size; r++) {
    if (!flags[r]) continue;
    dm_sparse_t *w = r == ctx->rank ? *whole : NULL;
    const int64_t b = p->rowptr[r0];
    DM_MPI_CHECK(
        MPI_Gatherv(p->col + b, e, MPI_INT32_T, w ? w->col : NULL, cnt, dsp, MPI_INT32_T, r, ctx->comm));
    DM_MPI_CHECK(MPI_Gatherv(p->val + b, e, MPI_FLOAT, w ? w->val : NULL, cnt, dsp, MPI_FLOAT, r, ctx->comm));
    DM_MPI_CHECK(MPI_Gatherv(w ? MPI_IN_PLACE : len + r0, (int)nr, MPI_INT64_T, w ? len : NULL, rows, rdsp,
                             MPI_INT64_T, r, ctx->comm)); /* the root's own lengths are in place */
    if (w)
      for (int64_t i = 0; i < n; i++) w->rowptr[i + 1] = w->rowptr[i] + len[i];
  }
  free(len);
  free(cnt);
  free(flags);
}

int dm_density_run_mpi(const dm_mpi_t *ctx, const dm_sparse_t *mine, int64_t r0, int64_t nr,
                       const dm_density_opt_t *opt, int want, dm_sparse_t **whole, int64_t *entries) {
  const int64_t n = mine->n;
  *whole = NULL;
  int64_t *first = dm_malloc("row blocks", ((size_t)ctx->size + 1) * sizeof *first);
  DM_MPI_CHECK(MPI_Allgather(&r0, 1, MPI_INT64_T, first, 1, MPI_INT64_T, ctx->comm));
  first[ctx->size] = n;
  DM_ASSERT(r0 + nr == (ctx->rank + 1 < ctx->size ? first[ctx->rank + 1] : n));
  dm_sparse_t *d = row_distances(mine, opt);
  int bad = d == NULL, any_bad;
  DM_MPI_CHECK(MPI_Allreduce(&bad, &any_bad, 1, MPI_INT, MPI_MAX, ctx->comm));
  if (any_bad) {
    dm_sparse_destroy(d);
    free(first);
    return -1;
  }
  dm_sparse_t *t = transpose_rows(ctx, d, first, r0, nr);
  dm_sparse_t *dist = dm_sparse_merge_mean(d, t); /* this rank's rows of the symmetric distances */
  dm_sparse_destroy(d);
  dm_sparse_destroy(t);
  int *count = dm_malloc("density counts", 2 * (size_t)ctx->size * sizeof(*count)),
      *displ = count + ctx->size;
  double *beta = dm_malloc("density beta", ((size_t)n + 1) * sizeof(*beta));
  double *norm = dm_malloc("density norm", ((size_t)n + 1) * sizeof(*norm));
  int64_t failed = dm_density_betas(dist, r0, r0 + nr, opt, beta + r0, norm + r0), all_failed;
  DM_MPI_CHECK(MPI_Allreduce(&failed, &all_failed, 1, MPI_INT64_T, MPI_SUM, ctx->comm));
  if (ctx->rank == 0) warn_failed(all_failed, n, opt);
  for (int r = 0; r < ctx->size; r++) count[r] = (int)(first[r + 1] - first[r]), displ[r] = (int)first[r];
  DM_MPI_CHECK(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, beta, count, displ, MPI_DOUBLE, ctx->comm));
  DM_MPI_CHECK(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, norm, count, displ, MPI_DOUBLE, ctx->comm));
  dm_sparse_t *p = dm_density_joint_init(dist); /* this rank's rows (every other row: its diagonal) */
  DM_ASSERT(p != NULL);                         /* dist comes from row_distances */
  dm_density_joint(dist, beta, norm, r0, r0 + nr, opt, p);
  free(count);
  free(beta);
  free(norm);
  dm_sparse_destroy(dist);
  int64_t mine_e = p->rowptr[r0 + nr] - p->rowptr[r0];
  DM_MPI_CHECK(MPI_Allreduce(&mine_e, entries, 1, MPI_INT64_T, MPI_SUM, ctx->comm));
  gather_rows(ctx, p, first, want, whole);
  dm_sparse_destroy(p);
  free(first);
  return 0;
}

// --- subpattern density (lite's NNTsneConditionalProbs)

/* p (m,) = the t-SNE conditional of distances d (m,), beta searched as
 * sklearn's _binary_search_perplexity does: no self term, exp(-beta d). */
static void tsne_row(const double *d, int64_t m, const dm_density_opt_t *opt, double *p) {
  double beta = 1.0, lo = -INFINITY, hi = INFINITY, want = log(opt->perplexity);
  for (int step = 0; step < opt->max_steps; step++) {
    double sum = 0.0, sum_dp = 0.0;
    for (int64_t j = 0; j < m; j++) sum += (p[j] = exp(-d[j] * beta));
    if (sum == 0.0) sum = 1e-8;
    for (int64_t j = 0; j < m; j++) sum_dp += d[j] * (p[j] /= sum);
    double diff = log(sum) + beta * sum_dp - want;
    if (fabs(diff) <= opt->tol) break;
    if (diff > 0) {
      lo = beta;
      beta = isinf(hi) ? beta * 2.0 : (beta + hi) / 2.0;
    } else {
      hi = beta;
      beta = isinf(lo) ? beta / 2.0 : (beta + lo) / 2.0;
    }
  }
}

dm_sparse_t *dm_density_tsne(const dm_sparse_t *aff, const dm_density_opt_t *opt) {
  int64_t n = aff->n, nnz = aff->rowptr[n];
  double *d = dm_malloc("tsne distances", (size_t)(nnz + 1) * sizeof *d);
  double *p = dm_malloc("tsne conditional", (size_t)(nnz + 1) * sizeof *p);
  int64_t *cnt = dm_calloc("tsne counts", (size_t)n + 1, sizeof *cnt);
  for (int64_t i = 0; i < n; i++) {
    int64_t m = 0, a = aff->rowptr[i];
    for (int64_t e = a; e < aff->rowptr[i + 1]; e++) {
      if (aff->col[e] == i) continue;
      /* lite computes these in float32 */
      d[a + m++] = fmax((float)log(2.0 / fmax(aff->val[e], opt->min_affinity) - 1.0), 0.0);
    }
    tsne_row(d + a, m, opt, p + a);
  }
  /* S = C + C^T through a dense row accumulator */
  double *acc = dm_calloc("tsne row", (size_t)n + 1, sizeof *acc);
  int32_t *touched = dm_malloc("tsne row", ((size_t)n + 1) * sizeof *touched);
  char *mark = dm_calloc("tsne row", (size_t)n + 1, 1);
  int64_t *tptr = dm_calloc("tsne transpose", (size_t)n + 2, sizeof *tptr);
  int32_t *tcol = dm_malloc("tsne transpose", (size_t)(nnz + 1) * sizeof *tcol);
  double *tval = dm_malloc("tsne transpose", (size_t)(nnz + 1) * sizeof *tval);
  for (int64_t i = 0; i < n; i++)
    for (int64_t e = aff->rowptr[i]; e < aff->rowptr[i + 1]; e++)
      if (aff->col[e] != i) tptr[aff->col[e] + 1]++;
  for (int64_t i = 0; i < n; i++) tptr[i + 1] += tptr[i];
  for (int64_t i = 0; i < n; i++) {
    int64_t k = aff->rowptr[i];
    for (int64_t e = aff->rowptr[i]; e < aff->rowptr[i + 1]; e++) {
      if (aff->col[e] == i) continue;
      int32_t j = aff->col[e];
      int64_t at = tptr[j] + cnt[j]++;
      tcol[at] = (int32_t)i;
      tval[at] = p[k++];
    }
  }
  dm_sparse_t *s = dm_sparse_init(n, 2 * nnz);
  s->rowptr[0] = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t nt = 0, k = aff->rowptr[i];
    for (int64_t e = aff->rowptr[i]; e < aff->rowptr[i + 1]; e++) {
      int32_t j = aff->col[e];
      if (j == i) continue;
      if (!mark[j]) mark[j] = 1, touched[nt++] = j;
      acc[j] += p[k++];
    }
    for (int64_t e = tptr[i]; e < tptr[i + 1]; e++) {
      int32_t j = tcol[e];
      if (!mark[j]) mark[j] = 1, touched[nt++] = j;
      acc[j] += tval[e];
    }
    /* columns ascending */
    for (int64_t a = 1; a < nt; a++)
      for (int64_t b = a; b > 0 && touched[b - 1] > touched[b]; b--) {
        int32_t x = touched[b];
        touched[b] = touched[b - 1];
        touched[b - 1] = x;
      }
    int64_t at = s->rowptr[i];
    for (int64_t a = 0; a < nt; a++) {
      s->col[at] = touched[a];
      s->val[at++] = (float)acc[touched[a]];
      acc[touched[a]] = 0.0;
      mark[touched[a]] = 0;
    }
    s->rowptr[i + 1] = at;
  }
  free(d), free(p), free(cnt), free(acc), free(mark), free(touched), free(tptr), free(tcol), free(tval);
  return s;
}
