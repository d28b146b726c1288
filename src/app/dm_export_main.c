/* dmotif export: one task of an attr.h5 -> tfmodisco-lite inputs (.npy/.npz, (N, 4, L)).
 *
 * tfmodisco-lite (`modisco motifs -s ohe.npz -a hyp.npz`) loads member arr_0
 * of a .npz (or the array of a .npy) of shape (N, 4, L), any numeric dtype,
 * and casts it to float32. dmotif keeps (N, L, 4), so every row is
 * transposed on the way out.
 *
 * Rank 0 does all the work (other ranks wait for its verdict): it reads the
 * attr.h5 in blocks of Input:block_rows rows. A .npy output is streamed
 * block by block (memory bounded by the block); a .npz output is assembled
 * in memory first (one (N, 4, L) array per output file), because the zip
 * writer takes whole arrays. Every output is written as <file>.tmp and
 * renamed when complete; on failure no output is left.
 */

/* Standard headers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Local headers. */
#include "dm_cmd.h"
#include "dm_h5.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_npy.h"
#include "dm_output.h"

static const dm_param_spec_t export_spec[] = {
    {"Input:attr", DM_PARAM_PATH, NULL, NULL, "attr.h5 written by dmotif attr (status complete)"},
    {"Input:task", DM_PARAM_STRING, "0", NULL,
     "task to export (a /tasks/<task> group of Input:attr: a unit index or a target name)"},
    {"Input:center_hyp", DM_PARAM_BOOL, "true", NULL,
     "centre hyp: subtract its mean over the 4 bases at each position (as the TF-MoDISco examples do)"},
    {"Input:block_rows", DM_PARAM_INT, "1024", NULL, "rows read from Input:attr per step"},
    {"Output:dir", DM_PARAM_PATH, NULL, NULL,
     "directory (created if missing) for onehot.<format>, hyp.<format> [, contrib.<format>] and parameters.yml"},
    {"Output:format", DM_PARAM_STRING, "npz", "npz|npy", "array files: .npz (member arr_0) or .npy"},
    {"Output:contrib", DM_PARAM_BOOL, "false", NULL, "also write contrib.<format> = hyp * onehot"},
    {"Output:onehot_dtype", DM_PARAM_STRING, "float32", "float32|uint8", "element type of onehot.<format>"},
    {"Output:compress", DM_PARAM_BOOL, "false", NULL, "deflate .npz members (as numpy.savez_compressed)"},
    DM_OUTPUT_OVERWRITE_PARAM,
};

/* Output files: onehot, hyp, contrib. */
enum { OUT_ONEHOT, OUT_HYP, OUT_CONTRIB, OUT_COUNT };

/* One output file receiving (N, 4, L) rows in order. */
typedef struct {
  const char *path;   /* final name; NULL: not written */
  char *tmp;          /* <path>.tmp */
  int npz;            /* 1: .npz (whole array in memory), 0: .npy (streamed) */
  FILE *fp;           /* .npy stream */
  dm_npy_array_t arr; /* .npz: (N, 4, L); .npy: shape only (data NULL) */
  int64_t row;        /* rows received so far */
} sink_t;

typedef struct {
  const char *input;
  const char *task;
  int center, compress, npz;
  int64_t block;
  dm_npy_dtype_t onehot_dtype;
  char *out[OUT_COUNT]; /* <dir>/onehot.<format>, ...; NULL: not written */
  char *params;         /* <dir>/parameters.yml */
} export_opt_t;

// --- kernels

/* Centre hyp in place: subtract the mean over the 4 bases at each of n positions.
 * hyp (n, 4) */
static void center_hyp(float *hyp, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float *h = hyp + 4 * i, m = 0.25f * (h[0] + h[1] + h[2] + h[3]);
    for (int c = 0; c < 4; c++) h[c] -= m;
  }
}

/* contrib = hyp * onehot, onehot to float. All (n,) elements. */
static void onehot_products(const uint8_t *oh, const float *hyp, int64_t n, float *ohf, float *contrib) {
  for (int64_t e = 0; e < n; e++) {
    ohf[e] = (float)oh[e];
    contrib[e] = hyp[e] * ohf[e];
  }
}

// --- output files

static int sink_open(sink_t *s, const char *path, int npz, dm_npy_dtype_t dtype, int64_t n, int64_t L) {
  s->path = path;
  s->npz = npz;
  s->tmp = dm_output_tmpname(path);
  int64_t shape[3] = {n, 4, L};
  if (npz) return dm_npy_alloc(&s->arr, dtype, 3, shape);
  s->arr = (dm_npy_array_t){.dtype = dtype, .ndim = 3, .shape = {n, 4, L}};
  char hdr[512];
  long hl = dm_npy_header(&s->arr, hdr, sizeof hdr);
  if (hl < 0 || !(s->fp = fopen(s->tmp, "wb")) || fwrite(hdr, 1, (size_t)hl, s->fp) != (size_t)hl) {
    dm_log_error("%s: cannot write the .npy header", s->tmp);
    return -1;
  }
  return 0;
}

/* Append rows: block (n, 4, L) of the sink's dtype. */
static int sink_put(sink_t *s, const void *block, int64_t n) {
  size_t row_bytes = (size_t)(4 * s->arr.shape[2]) * dm_npy_dtype_size(s->arr.dtype),
         bytes = (size_t)n * row_bytes;
  if (s->npz)
    memcpy((char *)s->arr.data + (size_t)s->row * row_bytes, block, bytes);
  else if (fwrite(block, 1, bytes, s->fp) != bytes) {
    dm_log_error("%s: write failed at row %ld", s->tmp, (long)s->row);
    return -1;
  }
  s->row += n;
  return 0;
}

/* Finish: write the .npz / close the .npy, rename on success (ok), else remove. */
static int sink_close(sink_t *s, int ok, int compress) {
  if (!s->tmp) return 0;
  int rc = ok ? 0 : -1;
  if (s->npz && rc == 0) {
    const char *name = "arr_0";
    rc = dm_npz_write(s->tmp, 1, &name, &s->arr, compress);
  }
  if (s->fp && fclose(s->fp) != 0 && rc == 0) {
    dm_log_error("%s: close failed", s->tmp);
    rc = -1;
  }
  rc = dm_output_commit(s->tmp, s->path, rc == 0);
  if (s->npz) dm_npy_free(&s->arr);
  free(s->tmp);
  s->tmp = NULL;
  return rc;
}

// --- reading attr.h5

/* Open an attr.h5 and check it is complete and has the task; fills the
 * onehot and hyp fields and N, L. @return handle or NULL (logged). */
static dm_h5_t *open_input(const dm_mpi_t *self, const export_opt_t *o, dm_h5_field_t *oh, dm_h5_field_t *hyp,
                           char *hyp_name, size_t name_cap, int64_t *n) {
  dm_h5_t *h = dm_h5_open(self, o->input, 0);
  if (!h) return NULL;
  char *status = NULL, *tasks = NULL;
  int64_t nh = 0;
  snprintf(hyp_name, name_cap, "/tasks/%s/hyp", o->task);
  if (dm_h5_attr_get_string(h, "/", "status", &status) < 0) {
    dm_log_error("%s is not an attr.h5 of dmotif attr (no status attribute)", o->input);
  } else if (strcmp(status, "complete") != 0) {
    dm_log_error(
        "%s: status is '%s', not 'complete': finish it first (rerun dmotif attr with "
        "Output:resume=true)",
        o->input, status);
  } else if (!dm_h5_exists(h, hyp_name)) {
    if (dm_h5_attr_get_string(h, "/", "tasks", &tasks) < 0) tasks = NULL;
    dm_log_error("%s: Input:task %s does not exist (the file has tasks %s)", o->input, o->task,
                 tasks ? tasks : "?");
  } else if (dm_h5_field_info(h, "/onehot", oh, n, NULL) == 0 &&
             dm_h5_field_info(h, hyp_name, hyp, &nh, NULL) == 0) {
    if (oh->ndims == 2 && oh->dims[1] == 4 && hyp->ndims == 2 && hyp->dims[0] == oh->dims[0] &&
        hyp->dims[1] == 4 && nh == *n) {
      oh->type = DM_H5_U8;
      hyp->type = DM_H5_F32;
      free(status);
      return h;
    }
    dm_log_error("%s: /onehot and %s are not both (N, L, 4) with the same N and L", o->input, hyp_name);
  }
  free(status);
  free(tasks);
  (void)dm_h5_close(h);
  return NULL;
}

// --- the export

static int export_rank0(const export_opt_t *o) {
  dm_mpi_t self;
  dm_mpi_init(&self, MPI_COMM_SELF);
  dm_h5_field_t oh_f, hyp_f;
  char hyp_name[64];
  int64_t n = 0;
  dm_h5_t *h = open_input(&self, o, &oh_f, &hyp_f, hyp_name, sizeof hyp_name, &n);
  if (!h) return -1;
  int64_t L = oh_f.dims[0], B = o->block, LB = B * L * 4;
  sink_t sinks[OUT_COUNT] = {{0}};
  int rc = 0;
  for (int k = 0; k < OUT_COUNT && rc == 0; k++) {
    if (!o->out[k]) continue;
    dm_npy_dtype_t dt = k == OUT_ONEHOT ? o->onehot_dtype : DM_NPY_F4;
    rc = sink_open(&sinks[k], o->out[k], o->npz, dt, n, L);
  }
  uint8_t *oh = dm_malloc("export onehot block", (size_t)LB);                     /* (B, L, 4) */
  float *hyp = dm_malloc("export hyp block", (size_t)LB * sizeof(float));         /* (B, L, 4) */
  float *ohf = dm_malloc("export onehot floats", (size_t)LB * sizeof(float));     /* (B, L, 4) */
  float *contrib = dm_malloc("export contrib block", (size_t)LB * sizeof(float)); /* (B, L, 4) */
  float *out = dm_malloc("export transposed block", (size_t)LB * sizeof(float));  /* (B, 4, L) */
  for (int64_t a = 0; a < n && rc == 0; a += B) {
    int64_t b = a + B < n ? a + B : n, m = b - a;
    if (dm_h5_read_rows(h, &oh_f, a, b, oh, DM_H5_INDEPENDENT) < 0 ||
        dm_h5_read_rows(h, &hyp_f, a, b, hyp, DM_H5_INDEPENDENT) < 0) {
      rc = -1;
      break;
    }
    for (int64_t e = 0; e < m * L * 4 && rc == 0; e++)
      if (!isfinite(hyp[e])) {
        dm_log_error("%s: row %ld, task %s: non-finite hypothetical contribution (%g at base %ld)", o->input,
                     (long)(a + e / (L * 4)), o->task, (double)hyp[e], (long)(e / 4 % L));
        rc = -1;
      }
    if (rc < 0) break;
    if (o->center) center_hyp(hyp, m * L);
    onehot_products(oh, hyp, m * L * 4, ohf, contrib);
    const void *rows[OUT_COUNT] = {o->onehot_dtype == DM_NPY_U1 ? (const void *)oh : ohf, hyp, contrib};
    for (int k = 0; k < OUT_COUNT && rc == 0; k++) {
      if (!sinks[k].tmp) continue;
      size_t elem = dm_npy_dtype_size(sinks[k].arr.dtype);
      dm_npy_swap_last2(rows[k], out, elem, m, L, 4);
      rc = sink_put(&sinks[k], out, m);
    }
  }
  for (int k = 0; k < OUT_COUNT; k++)
    if (sink_close(&sinks[k], rc == 0, o->compress) < 0) rc = -1;
  if (dm_h5_close(h) < 0) rc = -1;
  if (rc == 0)
    dm_log_info("%s task %s -> %ld x 4 x %ld arrays (%s)", o->input, o->task, (long)n, (long)L,
                o->center ? "hyp centred per position" : "hyp as stored");
  free(oh), free(hyp), free(ohf), free(contrib), free(out);
  return rc;
}

/* The parameters, as <dir>/parameters.yml (the arrays cannot hold them). */
static int write_params(const dm_params_t *p, const char *path) {
  char *tmp = dm_output_tmpname(path);
  int rc = dm_output_commit(tmp, path, dm_params_write(p, tmp) == 0);
  free(tmp);
  return rc;
}

/* The file <dir>/<name>.<ext> (malloc'd). */
static char *in_dir(const char *dir, const char *name, const char *ext) {
  size_t n = strlen(dir) + strlen(name) + strlen(ext) + 3;
  char *f = dm_malloc("export file name", n);
  snprintf(f, n, "%s/%s.%s", dir, name, ext);
  return f;
}

/* Options from the parameters, checked; creates Output:dir. @return 0 or -1 (rank 0 logged) */
static int export_options(const dm_mpi_t *ctx, const dm_params_t *p, export_opt_t *o) {
  const char *dir = dm_params_get_string(p, "Output:dir"), *fmt = dm_params_get_string(p, "Output:format");
  *o = (export_opt_t){
      .input = dm_params_get_string(p, "Input:attr"),
      .task = dm_params_get_string(p, "Input:task"),
      .center = dm_params_get_bool(p, "Input:center_hyp"),
      .compress = dm_params_get_bool(p, "Output:compress"),
      .npz = strcmp(fmt, "npz") == 0,
      .block = dm_params_get_int(p, "Input:block_rows"),
      .onehot_dtype = strcmp(dm_params_get_string(p, "Output:onehot_dtype"), "uint8") ? DM_NPY_F4 : DM_NPY_U1,
      .out = {in_dir(dir, "onehot", fmt), in_dir(dir, "hyp", fmt),
              dm_params_get_bool(p, "Output:contrib") ? in_dir(dir, "contrib", fmt) : NULL},
      .params = in_dir(dir, "parameters", "yml"),
  };
  if (o->block < 1 || !o->task[0] || strchr(o->task, '/')) {
    if (ctx->rank == 0)
      dm_log_error("Input:block_rows (%ld) must be >= 1 and Input:task ('%s') a task name", (long)o->block, o->task);
    return -1;
  }
  if (ctx->rank == 0 && mkdir(dir, 0777) == 0) dm_log_info("%s: created (Output:dir)", dir);
  dm_output_path_t in[] = {{"Input:attr", o->input}, {NULL, NULL}};
  dm_output_path_t out[] = {{"Output:dir", o->out[OUT_ONEHOT]},
                            {"Output:dir", o->out[OUT_HYP]},
                            {"Output:dir", o->out[OUT_CONTRIB]},
                            {"Output:dir", o->params},
                            {NULL, NULL}};
  dm_output_policy_t pol = dm_output_policy_from_params(p, 0);
  return dm_output_check(ctx, &pol, in, out);
}

static int export_main(const dm_mpi_t *ctx, const dm_params_t *p) {
  export_opt_t o;
  int rc = export_options(ctx, p, &o) < 0 ? 2 : 0;
  if (rc == 0 && ctx->rank == 0) rc = export_rank0(&o) < 0 || write_params(p, o.params) < 0 ? 1 : 0;
  DM_MPI_CHECK(MPI_Bcast(&rc, 1, MPI_INT, 0, ctx->comm));
  for (int k = 0; k < OUT_COUNT; k++) free(o.out[k]);
  free(o.params);
  return rc;
}

const dm_cmd_t dm_cmd_export = {
    .name = "export",
    .summary = "one task of an attr.h5 -> tfmodisco-lite inputs (.npy/.npz, (N, 4, L))",
    .usage =
        "Writes the one-hot sequences and the hypothetical contributions of task Input:task of\n"
        "Input:attr (an attr.h5 with status complete) as arrays (N, 4, L) in Output:dir/onehot.npz\n"
        "and hyp.npz (member arr_0; or .npy), as `modisco motifs -s onehot.npz -a hyp.npz` of\n"
        "tfmodisco-lite reads them, and the parameters as parameters.yml. Rank 0 does the work.\n"
        ".npy outputs are streamed; a .npz output is built in memory (N x 4 x L x 4 bytes).\n"
        "Files appear only when complete (<file>.tmp, then renamed).",
    .spec = export_spec,
    .n_spec = (int)(sizeof export_spec / sizeof export_spec[0]),
    .run = export_main,
};
