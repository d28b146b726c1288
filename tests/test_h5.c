/* dm_h5 under MPI: files written collectively by any number of ranks (some
 * with zero rows), in split transfers, or by independent chunk writes in a
 * scrambled order hold datasets byte-identical to those of the file one rank
 * writes alone (and a file written twice by one rank is identical, byte for
 * byte: no time stamps);
 * rows and attributes read back; errors are reported, not crashes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "dm_h5.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_mpi.h"
#include "dm_test_mpi.h"

#define W 5     /* per-row shape of /data/x: (W, 4) */
#define CHUNK 8 /* rows per chunk */
#define NF 4

static const dm_h5_field_t fields[NF] = {
    {"/data/x", DM_H5_F32, 2, {W, 4}, 0, "test floats (N, W, 4)"},
    {"/ids", DM_H5_I64, 0, {0}, 0, "row ids"},
    {"/labels", DM_H5_STR, 0, {0}, 8, "row labels"},
    {"/tasks/0/hyp", DM_H5_U8, 1, {3}, 0, NULL},
};

/* Row contents: a function of the global row index only. */
typedef struct {
  float *x;     /* (n, W, 4) */
  int64_t *id;  /* (n,) */
  char *label;  /* (n, 8) */
  uint8_t *hyp; /* (n, 3) */
} rows_t;

static void rows_fill(rows_t *r, int64_t a, int64_t b) {
  size_t n = (size_t)(b > a ? b - a : 1);
  r->x = dm_calloc("x", n * W * 4, sizeof *r->x);
  r->id = dm_calloc("id", n, sizeof *r->id);
  r->label = dm_calloc("label", n, 8);
  r->hyp = dm_calloc("hyp", n, 3);
  for (int64_t i = a; i < b; i++) {
    for (int j = 0; j < W * 4; j++) r->x[(i - a) * W * 4 + j] = (float)i + 0.01f * (float)j;
    r->id[i - a] = 1000 * i + 7;
    snprintf(r->label + (i - a) * 8, 8, "r%d", (int)(i % 100000)); /* "r" + 5 digits fit in 8 */
    for (int j = 0; j < 3; j++) r->hyp[(i - a) * 3 + j] = (uint8_t)(i * 3 + j);
  }
}

static void rows_free(rows_t *r) {
  free(r->x);
  free(r->id);
  free(r->label);
  free(r->hyp);
}

static int write_all(dm_h5_t *h, int64_t a, int64_t b, dm_h5_mode_t mode) {
  rows_t r;
  rows_fill(&r, a, b);
  const void *buf[NF] = {r.x, r.id, r.label, r.hyp};
  int rc = 0;
  for (int k = 0; k < NF; k++)
    if (dm_h5_write_rows(h, &fields[k], a, b, buf[k], mode) < 0) rc = -1;
  rows_free(&r);
  return rc;
}

static int set_attrs(dm_h5_t *h) {
  int64_t n = 42;
  double pi = 3.25;
  return dm_h5_attr_set_string(h, "/", "tool", "test_h5") < 0 ||
                 dm_h5_attr_set_scalar(h, "/", "answer", DM_H5_I64, &n) < 0 ||
                 dm_h5_attr_set_scalar(h, "/data/x", "scale", DM_H5_F64, &pi) < 0 ||
                 dm_h5_attr_set_string(h, "/tasks/0", "note", "") < 0
             ? -1
             : 0;
}

/* The reference: rank 0 alone (MPI_COMM_SELF) writes every row. */
static void write_reference(const char *path, int64_t n) {
  dm_mpi_t self;
  dm_mpi_init(&self, MPI_COMM_SELF);
  dm_h5_t *h = dm_h5_create(&self, path, fields, NF, n, CHUNK);
  CHECK(h && write_all(h, 0, n, DM_H5_COLLECTIVE) == 0 && set_attrs(h) == 0, "reference %s", path);
  CHECK(dm_h5_close(h) == 0, "close reference");
}

/* Every rank writes its block collectively; max_bytes > 0 splits transfers. */
static void write_blocks(const dm_mpi_t *ctx, const char *path, int64_t n, int64_t max_bytes) {
  int64_t a, cnt;
  dm_mpi_block_range(n, ctx->size, ctx->rank, &a, &cnt);
  dm_h5_t *h = dm_h5_create(ctx, path, fields, NF, n, CHUNK);
  CHECK(h != NULL, "create %s", path);
  if (!h) return;
  if (max_bytes > 0) dm_h5_set_max_transfer(h, max_bytes);
  CHECK(write_all(h, a, a + cnt, DM_H5_COLLECTIVE) == 0, "collective write of %s", path);
  CHECK(set_attrs(h) == 0, "attributes of %s", path);
  CHECK(dm_h5_close(h) == 0, "close %s", path);
}

/* Chunks in a scrambled order, chunk j of that order written independently by rank j % size. */
static void write_scrambled(const dm_mpi_t *ctx, const char *path, int64_t n) {
  int64_t nc = (n + CHUNK - 1) / CHUNK;
  int64_t *order = dm_malloc("order", (size_t)nc * sizeof *order);
  for (int64_t k = 0; k < nc; k++) order[k] = k;
  uint64_t s = 12345; /* the same shuffle on every rank */
  for (int64_t k = nc - 1; k > 0; k--) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    int64_t j = (int64_t)((s >> 33) % (uint64_t)(k + 1)), t = order[k];
    order[k] = order[j];
    order[j] = t;
  }
  dm_h5_t *h = dm_h5_create(ctx, path, fields, NF, n, CHUNK);
  CHECK(h != NULL, "create %s", path);
  if (h) {
    for (int64_t j = ctx->rank; j < nc; j += ctx->size) {
      int64_t a = order[j] * CHUNK, b = a + CHUNK < n ? a + CHUNK : n;
      CHECK(write_all(h, a, b, DM_H5_INDEPENDENT) == 0, "independent chunk %ld", (long)order[j]);
    }
    CHECK(set_attrs(h) == 0, "attributes of %s", path);
    CHECK(dm_h5_close(h) == 0, "close %s", path);
  }
  free(order);
}

/* Whole-file comparison on rank 0. */
static int same_bytes(const char *p, const char *q) {
  FILE *a = fopen(p, "rb"), *b = fopen(q, "rb");
  int same = a && b;
  while (same) {
    int ca = fgetc(a), cb = fgetc(b);
    same = ca == cb;
    if (ca == EOF) break;
  }
  if (a) fclose(a);
  if (b) fclose(b);
  return same;
}

/* Every dataset of the table holds the same bytes in both files. (Whole
 * files written by several ranks are not byte-identical to a 1-rank file:
 * parallel HDF5 leaves uninitialised padding in unused metadata space.) */
static int same_datasets(const char *p, const char *q) {
  hid_t a = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT), b = H5Fopen(q, H5F_ACC_RDONLY, H5P_DEFAULT);
  int same = a >= 0 && b >= 0;
  for (int k = 0; k < NF && same; k++) {
    hid_t da = H5Dopen2(a, fields[k].name, H5P_DEFAULT), db = H5Dopen2(b, fields[k].name, H5P_DEFAULT);
    hid_t ta = H5Dget_type(da), tb = H5Dget_type(db);
    size_t na = (size_t)H5Dget_storage_size(da), nb = (size_t)H5Dget_storage_size(db);
    size_t sz = H5Sget_simple_extent_npoints(H5Dget_space(da)) * H5Tget_size(ta);
    char *ba = calloc(sz + 1, 1), *bb = calloc(sz + 1, 1);
    same = na == nb && H5Tequal(ta, tb) > 0 && H5Dread(da, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, ba) >= 0 &&
           H5Dread(db, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, bb) >= 0 && memcmp(ba, bb, sz) == 0;
    free(ba), free(bb);
    H5Tclose(ta), H5Tclose(tb), H5Dclose(da), H5Dclose(db);
  }
  if (a >= 0) H5Fclose(a);
  if (b >= 0) H5Fclose(b);
  return same;
}

/* Read back: each rank reads another rank's block collectively, and one row independently. */
static void check_read(const dm_mpi_t *ctx, const char *path, int64_t n) {
  dm_h5_t *h = dm_h5_open(ctx, path, 0);
  CHECK(h != NULL, "open %s read-only", path);
  if (!h) return;
  int64_t a, cnt;
  dm_mpi_block_range(n, ctx->size, ctx->size - 1 - ctx->rank, &a, &cnt);
  rows_t want, got;
  rows_fill(&want, a, a + cnt);
  rows_fill(&got, a, a);
  memset(got.x, 0, sizeof *got.x);
  void *buf[NF] = {got.x, got.id, got.label, got.hyp};
  got.x = dm_realloc("x", got.x, (size_t)(cnt + 1) * W * 4 * sizeof *got.x);
  got.id = dm_realloc("id", got.id, (size_t)(cnt + 1) * sizeof *got.id);
  got.label = dm_realloc("label", got.label, (size_t)(cnt + 1) * 8);
  got.hyp = dm_realloc("hyp", got.hyp, (size_t)(cnt + 1) * 3);
  buf[0] = got.x, buf[1] = got.id, buf[2] = got.label, buf[3] = got.hyp;
  for (int k = 0; k < NF; k++)
    CHECK(dm_h5_read_rows(h, &fields[k], a, a + cnt, buf[k], DM_H5_COLLECTIVE) == 0, "read %s",
          fields[k].name);
  CHECK(memcmp(got.x, want.x, (size_t)cnt * W * 4 * sizeof *got.x) == 0, "x rows [%ld, +%ld)", (long)a,
        (long)cnt);
  CHECK(memcmp(got.id, want.id, (size_t)cnt * sizeof *got.id) == 0, "ids");
  CHECK(memcmp(got.label, want.label, (size_t)cnt * 8) == 0, "labels");
  CHECK(memcmp(got.hyp, want.hyp, (size_t)cnt * 3) == 0, "hyp");
  int64_t last;
  CHECK(dm_h5_read_rows(h, &fields[1], n - 1, n, &last, DM_H5_INDEPENDENT) == 0 && last == 1000 * (n - 1) + 7,
        "independent read of the last id");

  dm_h5_field_t info;
  int64_t rows = 0, chunk = 0;
  CHECK(dm_h5_field_info(h, "/data/x", &info, &rows, &chunk) == 0 && info.type == DM_H5_F32 &&
            info.ndims == 2 && info.dims[0] == W && info.dims[1] == 4 && rows == n &&
            chunk == (n < CHUNK ? n : CHUNK),
        "field info of /data/x");
  CHECK(dm_h5_field_info(h, "labels", &info, NULL, NULL) == 0 && info.type == DM_H5_STR &&
            info.str_len == 8 && info.ndims == 0,
        "field info of /labels");
  CHECK(dm_h5_exists(h, "/tasks/0/hyp") && dm_h5_exists(h, "/tasks/0") && !dm_h5_exists(h, "/tasks/1/hyp"),
        "exists");

  char *s = NULL;
  int64_t answer = 0;
  float scale = 0;
  CHECK(dm_h5_attr_get_string(h, "/", "tool", &s) == 0 && strcmp(s, "test_h5") == 0, "string attr");
  free(s);
  CHECK(dm_h5_attr_get_string(h, "/tasks/0", "note", &s) == 0 && strcmp(s, "") == 0, "empty attr");
  free(s);
  CHECK(dm_h5_attr_get_scalar(h, "/", "answer", DM_H5_I64, &answer) == 0 && answer == 42, "i64 attr");
  CHECK(dm_h5_attr_get_scalar(h, "/data/x", "scale", DM_H5_F32, &scale) == 0 && scale == 3.25f,
        "f64 attr read as f32");
  CHECK(
      dm_h5_attr_get_string(h, "/data/x", "description", &s) == 0 && strcmp(s, "test floats (N, W, 4)") == 0,
      "description");
  free(s);

  /* errors: negative codes, same on every rank for collective calls */
  dm_h5_field_t bad = fields[0];
  bad.dims[0] = W + 1;
  CHECK(dm_h5_read_rows(h, &bad, 0, 0, got.x, DM_H5_COLLECTIVE) < 0, "shape mismatch accepted");
  bad = fields[1];
  bad.name = "/nope";
  CHECK(dm_h5_read_rows(h, &bad, 0, 0, got.id, DM_H5_COLLECTIVE) < 0, "missing dataset accepted");
  CHECK(dm_h5_read_rows(h, &fields[1], n, n + 1, got.id, DM_H5_INDEPENDENT) < 0, "rows past N accepted");
  CHECK(dm_h5_write_rows(h, &fields[1], 0, 0, got.id, DM_H5_COLLECTIVE) < 0, "write to read-only file");
  CHECK(dm_h5_attr_get_scalar(h, "/", "nope", DM_H5_I64, &answer) < 0, "missing attribute accepted");
  CHECK(dm_h5_field_info(h, "/tasks", &info, NULL, NULL) < 0, "group taken for a dataset");
  CHECK(dm_h5_close(h) == 0, "close");
  rows_free(&want);
  rows_free(&got);
}

/* Resume: reopen read-write, rewrite the last chunk from the last rank alone. */
static void rewrite_last_chunk(const dm_mpi_t *ctx, const char *path, int64_t n) {
  dm_h5_t *h = dm_h5_open(ctx, path, 1);
  CHECK(h != NULL, "open %s read-write", path);
  if (!h) return;
  int64_t a = (n - 1) / CHUNK * CHUNK;
  if (ctx->rank == ctx->size - 1) CHECK(write_all(h, a, n, DM_H5_INDEPENDENT) == 0, "rewrite");
  CHECK(dm_h5_close(h) == 0, "close");
}

static void run_case(const dm_mpi_t *ctx, int64_t n) {
  char ref[64], coll[64], split[64], scram[64];
  snprintf(ref, sizeof ref, "h5_np%d_n%ld_ref.h5", ctx->size, (long)n);
  snprintf(coll, sizeof coll, "h5_np%d_n%ld_coll.h5", ctx->size, (long)n);
  snprintf(split, sizeof split, "h5_np%d_n%ld_split.h5", ctx->size, (long)n);
  snprintf(scram, sizeof scram, "h5_np%d_n%ld_scram.h5", ctx->size, (long)n);
  if (ctx->rank == 0) write_reference(ref, n);
  MPI_Barrier(ctx->comm);
  write_blocks(ctx, coll, n, 0);
  write_blocks(ctx, split, n, 2 * W * 4 * sizeof(float)); /* 2 rows of /data/x per transfer */
  write_scrambled(ctx, scram, n);
  if (ctx->rank == 0) {
    CHECK(same_datasets(ref, coll), "n=%ld: %s differs from %s", (long)n, coll, ref);
    CHECK(same_datasets(ref, split), "n=%ld: %s differs from %s", (long)n, split, ref);
    CHECK(same_datasets(ref, scram), "n=%ld: %s differs from %s", (long)n, scram, ref);
  }
  check_read(ctx, coll, n);
  check_read(ctx, scram, n);
  rewrite_last_chunk(ctx, scram, n);
  MPI_Barrier(ctx->comm);
  if (ctx->rank == 0) {
    CHECK(same_datasets(ref, scram), "n=%ld: rewritten %s differs", (long)n, scram);
    remove(ref), remove(coll), remove(split), remove(scram);
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_WORLD);
  dm_log_init(ctx.rank, DM_LOG_ERROR - 1); /* the error cases below log; keep the output short */
  run_case(&ctx, 37);                      /* blocks not aligned to chunks */
  run_case(&ctx, 3);                       /* fewer rows than ranks at np 4 */
  if (ctx.rank == 0) { /* no time stamps: the same file a second later has the same bytes */
    char ta[64], tb[64];
    snprintf(ta, sizeof ta, "h5_np%d_time_a.h5", ctx.size);
    snprintf(tb, sizeof tb, "h5_np%d_time_b.h5", ctx.size);
    write_reference(ta, 3);
    usleep(1100000);
    write_reference(tb, 3);
    CHECK(same_bytes(ta, tb), "files written 1 s apart differ");
    remove(ta), remove(tb);
  }
  CHECK(dm_h5_open(&ctx, "h5_does_not_exist.h5", 0) == NULL, "missing file opened");
  CHECK(dm_h5_create(&ctx, "no_such_dir/x.h5", fields, NF, 4, CHUNK) == NULL, "bad path created");
  return dm_test_finish_mpi("test_h5");
}
