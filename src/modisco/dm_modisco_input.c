/* dm_modisco_input: attr.h5 or tfmodisco-lite arrays -> (N, L, 4) tracks on every rank. */
#include "dm_modisco_input.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_h5.h"
#include "dm_mem.h"
#include "dm_npy.h"
#include "dm_regions.h"

// --- attr.h5

/* in->onehot and in->hyp, node-shared, for in->n rows of in->len bases. */
static void alloc_shared(const dm_mpi_t *ctx, dm_modisco_input_t *in) {
  size_t bases = (size_t)in->n * (size_t)in->len * 4;
  in->onehot = dm_shm_alloc(ctx, "onehot", bases, &in->shm[0]);
  in->hyp = dm_shm_alloc(ctx, "hyp", bases * sizeof(float), &in->shm[1]);
}

/* Regions of all rows on rank 0 (collective read; other ranks read none). */
static int read_regions(const dm_mpi_t *ctx, dm_h5_t *h, dm_modisco_input_t *in) {
  int64_t n = ctx->rank == 0 ? in->n : 0;
  dm_region_t *reg = dm_malloc("regions", (size_t)(n > 0 ? n : 1) * sizeof *reg);
  int rc = dm_regions_read(h, 0, n, reg, DM_H5_COLLECTIVE);
  if (rc == 0 && ctx->rank == 0) {
    in->chrom = dm_malloc("region chrom", (size_t)n * sizeof *in->chrom);
    in->start = dm_malloc("region start", (size_t)n * sizeof *in->start);
    for (int64_t i = 0; i < n; i++) {
      in->chrom[i] = dm_strdup("region chrom", reg[i].chrom);
      in->start[i] = reg[i].start;
    }
  }
  free(reg);
  return rc;
}

int dm_modisco_attr_check(dm_h5_t *h, const char *attr, const char *task, int64_t *n, int *len) {
  char hyp_name[512];
  snprintf(hyp_name, sizeof hyp_name, "/tasks/%s/hyp", task);
  char *status = NULL;
  if (dm_h5_attr_get_string(h, "/", "status", &status) < 0) return -1;
  int complete = strcmp(status, "complete") == 0;
  if (!complete)
    dm_log_error("%s: status is \"%s\", not \"complete\": dmotif attr did not finish (rerun it to resume)",
                 attr, status);
  free(status);
  if (!complete) return -1;
  if (!dm_h5_exists(h, hyp_name)) {
    char *tasks = NULL;
    if (dm_h5_attr_get_string(h, "/", "tasks", &tasks) < 0) tasks = NULL;
    dm_log_error("%s: no task \"%s\" (Input:task; %s has tasks: %s)", attr, task, attr,
                 tasks ? tasks : "?");
    free(tasks);
    return -1;
  }
  dm_h5_field_t fo, fh;
  int64_t no, nh;
  if (dm_h5_field_info(h, "/onehot", &fo, &no, NULL) < 0 || dm_h5_field_info(h, hyp_name, &fh, &nh, NULL) < 0)
    return -1;
  if (fo.ndims != 2 || fo.dims[1] != 4 || fh.ndims != 2 || no != nh || fo.dims[0] != fh.dims[0] ||
      fh.dims[1] != 4) {
    dm_log_error("%s: /onehot and %s must both be (N, L, 4) with the same N and L", attr, hyp_name);
    return -1;
  }
  *n = no;
  *len = (int)fo.dims[0];
  return 0;
}

/* This rank's block of rows [r0, r0 + nb) of attr.h5 into in->onehot and in->hyp. */
static int load_attr(const dm_mpi_t *ctx, const dm_modisco_input_opt_t *opt, dm_modisco_input_t *in,
                     int64_t *r0, int64_t *nb) {
  dm_h5_t *h = dm_h5_open(ctx, opt->attr, 0);
  if (!h) return -1;
  char hyp_name[512];
  snprintf(hyp_name, sizeof hyp_name, "/tasks/%s/hyp", opt->task);
  int prev = dm_log_collective(1); /* every rank reads the same header: one message */
  int rc = dm_modisco_attr_check(h, opt->attr, opt->task, &in->n, &in->len);
  dm_log_collective(prev);
  if (rc == 0) {
    size_t row = (size_t)in->len * 4;
    alloc_shared(ctx, in);
    dm_mpi_block_range(in->n, ctx->size, ctx->rank, r0, nb);
    int64_t rr = opt->block_rows, most = (in->n + ctx->size - 1) / ctx->size;
    int64_t n_reads = (most + rr - 1) / rr;
    dm_h5_field_t fo = {.name = "/onehot", .type = DM_H5_U8, .ndims = 2, .dims = {in->len, 4}};
    dm_h5_field_t fh = {.name = hyp_name, .type = DM_H5_F32, .ndims = 2, .dims = {in->len, 4}};
    for (int64_t it = 0; it < n_reads; it++) { /* every rank makes every collective call */
      int64_t a = *r0 + it * rr < *r0 + *nb ? *r0 + it * rr : *r0 + *nb;
      int64_t b = a + rr < *r0 + *nb ? a + rr : *r0 + *nb;
      if (dm_h5_read_rows(h, &fo, a, b, in->onehot + (size_t)a * row, DM_H5_COLLECTIVE) < 0) rc = -1;
      if (dm_h5_read_rows(h, &fh, a, b, in->hyp + (size_t)a * row, DM_H5_COLLECTIVE) < 0) rc = -1;
    }
    if (dm_h5_exists(h, "/regions/chrom") && read_regions(ctx, h, in) < 0) rc = -1;
  }
  if (dm_h5_close(h) < 0) rc = -1;
  return rc;
}

// --- tfmodisco-lite arrays

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* (N, 4, L) float array of a .npy or of arr_0 of a .npz. */
static int read_lite(const char *path, dm_npy_array_t *a) {
  int rc = ends_with(path, ".npz") ? dm_npz_read(path, "arr_0", DM_NPY_F4, a) : dm_npy_read(path, DM_NPY_F4, a);
  if (rc < 0) return -1;
  const int64_t shape[3] = {-1, 4, -1};
  return dm_npy_check_shape(a, 3, shape, path);
}

/* This rank's block of rows of both arrays into in->onehot and in->hyp
 * (every rank reads the files). */
static int load_lite(const dm_mpi_t *ctx, const dm_modisco_input_opt_t *opt, dm_modisco_input_t *in,
                     int64_t *r0, int64_t *nb) {
  dm_npy_array_t oh = {0}, hy = {0};
  int rc = -1, bad = 0;
  if (read_lite(opt->onehot, &oh) < 0 || read_lite(opt->hyp, &hy) < 0) {
    bad = 1;
  } else if (oh.shape[0] != hy.shape[0] || oh.shape[2] != hy.shape[2]) {
    dm_log_error("shapes differ: %s is (%ld, 4, %ld), %s is (%ld, 4, %ld)", opt->onehot, (long)oh.shape[0],
                 (long)oh.shape[2], opt->hyp, (long)hy.shape[0], (long)hy.shape[2]);
    bad = 1;
  }
  DM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, ctx->comm));
  if (bad) goto out;
  in->n = oh.shape[0];
  in->len = (int)oh.shape[2];
  alloc_shared(ctx, in);
  dm_mpi_block_range(in->n, ctx->size, ctx->rank, r0, nb);
  size_t at = (size_t)*r0 * (size_t)in->len * 4, count = (size_t)*nb * (size_t)in->len * 4;
  float *h = in->hyp + at; /* the block's room in hyp as scratch for the one-hot */
  dm_npy_swap_last2((const float *)oh.data + at, h, sizeof(float), *nb, 4, in->len);
  for (size_t i = 0; i < count; i++) /* 2 marks a value other than 0 or 1 for the check */
    in->onehot[at + i] = h[i] == 0.0f ? 0 : h[i] == 1.0f ? 1 : 2;
  dm_npy_swap_last2((const float *)hy.data + at, h, sizeof(float), *nb, 4, in->len);
  rc = 0;
out:
  dm_npy_free(&oh);
  dm_npy_free(&hy);
  return rc;
}

// --- checks, centring, gathering

/* First row of [r0, r0 + nb) holding a non-finite hyp value, or INT64_MAX. */
static int64_t first_bad_row(const dm_modisco_input_t *in, int64_t r0, int64_t nb) {
  size_t row = (size_t)in->len * 4;
  for (int64_t r = r0; r < r0 + nb; r++)
    for (size_t i = 0; i < row; i++)
      if (!isfinite(in->hyp[(size_t)r * row + i])) return r;
  return INT64_MAX;
}

/* First row of [r0, r0 + nb) whose one-hot is not 0/1 with at most one 1 per
 * position, or INT64_MAX; *pos gets the position. */
static int64_t first_bad_onehot(const dm_modisco_input_t *in, int64_t r0, int64_t nb, int64_t *pos) {
  for (int64_t r = r0; r < r0 + nb; r++)
    for (int64_t l = 0; l < in->len; l++) {
      const uint8_t *o = in->onehot + ((size_t)r * (size_t)in->len + (size_t)l) * 4;
      int ok = o[0] + o[1] + o[2] + o[3] <= 1;
      for (int k = 0; k < 4; k++) ok &= o[k] <= 1;
      if (!ok) return *pos = l, r;
    }
  return INT64_MAX;
}

/* Centre hyp on rows [r0, r0 + nb). */
static void center_block(dm_modisco_input_t *in, int64_t r0, int64_t nb) {
  for (size_t p = (size_t)r0 * in->len; p < (size_t)(r0 + nb) * in->len; p++) {
    float *h = in->hyp + p * 4;
    float m = (h[0] + h[1] + h[2] + h[3]) / 4;
    for (int k = 0; k < 4; k++) h[k] -= m;
  }
}

void dm_modisco_gather_part(const dm_mpi_t *ctx, void *x, int64_t n, int64_t c0, int64_t c, int width,
                            MPI_Datatype type) {
  if (ctx->size == 1) return;
  int *counts = dm_malloc("block counts", (size_t)ctx->size * sizeof *counts);
  int *displs = dm_malloc("block displs", (size_t)ctx->size * sizeof *displs);
  for (int r = 0; r < ctx->size; r++) {
    int64_t a, m;
    dm_mpi_block_range(n, ctx->size, r, &a, &m);
    int64_t lo = a > c0 ? a : c0, hi = a + m < c0 + c ? a + m : c0 + c;
    counts[r] = hi > lo ? (int)(hi - lo) : 0;
    displs[r] = hi > lo ? (int)(lo - c0) : 0;
  }
  MPI_Datatype row;
  DM_MPI_CHECK(MPI_Type_contiguous(width, type, &row));
  DM_MPI_CHECK(MPI_Type_commit(&row));
  DM_MPI_CHECK(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, x, counts, displs, row, ctx->comm));
  MPI_Type_free(&row);
  free(counts);
  free(displs);
}

void dm_modisco_gather_blocks(const dm_mpi_t *ctx, void *x, int64_t n, int width, MPI_Datatype type) {
  dm_modisco_gather_part(ctx, x, n, 0, n, width, type);
}

int dm_modisco_input_load(const dm_mpi_t *ctx, const dm_modisco_input_opt_t *opt, dm_modisco_input_t *in) {
  memset(in, 0, sizeof *in);
  int64_t r0 = 0, nb = 0;
  int rc = opt->attr ? load_attr(ctx, opt, in, &r0, &nb) : load_lite(ctx, opt, in, &r0, &nb);
  int bad = rc < 0, any_bad = 0;
  DM_MPI_CHECK(MPI_Allreduce(&bad, &any_bad, 1, MPI_INT, MPI_MAX, ctx->comm));
  if (any_bad) goto fail;
  if (in->n < 1 || in->len < 1) {
    if (ctx->rank == 0) dm_log_error("%s: no rows", opt->attr ? opt->attr : opt->hyp);
    goto fail;
  }
  int64_t first = first_bad_row(in, r0, nb), first_all = INT64_MAX;
  DM_MPI_CHECK(MPI_Allreduce(&first, &first_all, 1, MPI_INT64_T, MPI_MIN, ctx->comm));
  if (first_all != INT64_MAX) {
    if (ctx->rank == 0)
      dm_log_error("%s: non-finite (NaN or Inf) hypothetical contribution in row %ld (first bad row)",
                   opt->attr ? opt->attr : opt->hyp, (long)first_all);
    goto fail;
  }
  int64_t pos = 0;
  first = first_bad_onehot(in, r0, nb, &pos);
  DM_MPI_CHECK(MPI_Allreduce(&first, &first_all, 1, MPI_INT64_T, MPI_MIN, ctx->comm));
  if (first_all != INT64_MAX) { /* the rank holding that row names it */
    if (first == first_all)
      dm_log_error("%s: row %ld, position %ld: one-hot values must be 0 or 1 with at most one 1 per position",
                   opt->attr ? opt->attr : opt->onehot, (long)first, (long)pos);
    goto fail;
  }
  if (opt->center_hyp) center_block(in, r0, nb);
  dm_shm_gather_blocks(in->shm[0], in->n, (size_t)in->len * 4);
  dm_shm_gather_blocks(in->shm[1], in->n, (size_t)in->len * 4 * sizeof(float));
  return 0;
fail:
  dm_modisco_input_free(in);
  return -1;
}

void dm_modisco_input_free(dm_modisco_input_t *in) {
  if (!in) return;
  if (in->chrom)
    for (int64_t i = 0; i < in->n; i++) free(in->chrom[i]);
  free(in->chrom);
  free(in->start);
  dm_shm_free(in->shm[0]);
  dm_shm_free(in->shm[1]);
  memset(in, 0, sizeof *in);
}
