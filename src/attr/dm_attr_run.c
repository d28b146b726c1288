/* This object's header. */
#include "dm_attr_run.h"

/* Standard headers. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Local headers. */
#include "dm_chunks.h"
#include "dm_digest.h"
#include "dm_h5.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_onehot.h"
#include "dm_progress.h"
#include "dm_regions.h"
#include "dm_resume.h"
#include "dm_sched.h"
#include "dm_stop.h"

/* Datasets: onehot, the region fields, then per task hyp, pred [, contrib]. */
#define F_ONEHOT 0
#define F_REGIONS 1
#define F_TASKS (F_REGIONS + DM_REGIONS_NFIELDS)

/* State of one run on one rank. */
typedef struct {
  const dm_mpi_t *ctx;
  const dm_attr_job_t *job;
  dm_seqsrc_t *src;
  dm_model_t *model;
  dm_methods_t *attr;
  dm_ref_ws_t *refws;
  dm_h5_t *h5;
  dm_sched_t *sched;
  int64_t n, L, n_chunks;
  int n_tasks, per_task; /* tasks (targets) stored; datasets per task (2 or 3) */
  dm_target_t *tasks;    /* (n_tasks,) targets, named as their task groups */
  int R;                 /* references per sequence (0 without references) */
  dm_h5_field_t *fields; /* (F_TASKS + per_task * n_tasks,) */
  dm_resume_file_t file;  /* the output as a resumable file */
  /* chunk buffers */
  char *seq;           /* (C, L) bases */
  dm_region_t *reg;    /* (C,) */
  uint8_t *oh8;        /* (C, L, 4) */
  float *x;            /* (batch, L, 4) */
  float *refs;         /* (batch, R, L, 4) */
  float *hyp_all;      /* (tasks, batch, L, 4) */
  float *pred_all;     /* (batch, tasks) */
  float *out;          /* per stored task: hyp (C, L, 4), pred (C,), contrib (C, L, 4) */
  /* rank 0: progress */
  int64_t rows_todo;
  dm_progress_t progress;
  char length_from[1200]; /* where the sequence length comes from, for messages */
} run_t;

// --- output layout

/* Rows [*a, *b) of chunk c. */
static void chunk_range(const run_t *r, int64_t c, int64_t *a, int64_t *b) {
  dm_chunk_range(r->n, r->job->chunk_rows, c, a, b);
}

static size_t task_floats(const run_t *r) {
  size_t C = (size_t)r->job->chunk_rows, LC = C * (size_t)r->L * 4;
  return LC + C + (r->job->contrib ? LC : 0);
}
static float *task_hyp(run_t *r, int t) { return r->out + (size_t)t * task_floats(r); }
static float *task_pred(run_t *r, int t) {
  return task_hyp(r, t) + (size_t)r->job->chunk_rows * (size_t)r->L * 4;
}
static float *task_contrib(run_t *r, int t) { return task_pred(r, t) + r->job->chunk_rows; }

static void make_fields(run_t *r) {
  int nf = F_TASKS + r->per_task * r->n_tasks;
  r->fields = dm_calloc("attr fields", (size_t)nf, sizeof *r->fields);
  r->fields[F_ONEHOT] = (dm_h5_field_t){"/onehot", DM_H5_U8, 2, {r->L, 4}, 0,
                                        "one-hot sequence (N, L, 4), channels A, C, G, T"};
  dm_regions_fields(r->fields + F_REGIONS);
  for (int t = 0; t < r->n_tasks; t++) {
    dm_h5_field_t *f = r->fields + F_TASKS + r->per_task * t;
    char name[160];
    snprintf(name, sizeof name, "/tasks/%s/hyp", r->tasks[t].name);
    f[0] = (dm_h5_field_t){dm_strdup("field name", name), DM_H5_F32, 2, {r->L, 4}, 0,
                           "hypothetical contributions (N, L, 4), averaged over references"};
    snprintf(name, sizeof name, "/tasks/%s/pred", r->tasks[t].name);
    f[1] = (dm_h5_field_t){dm_strdup("field name", name), DM_H5_F32, 0, {0}, 0,
                           r->tasks[t].kind == DM_TARGET_UNIT
                               ? "model output for this task, after the output activation"
                               : "value of the target (weighted mean-normalised profile logits)"};
    if (r->job->contrib) {
      snprintf(name, sizeof name, "/tasks/%s/contrib", r->tasks[t].name);
      f[2] = (dm_h5_field_t){dm_strdup("field name", name), DM_H5_F32, 2, {r->L, 4}, 0,
                             "contributions (N, L, 4) = hyp * onehot"};
    }
  }
}

static void free_fields(run_t *r) {
  if (!r->fields) return;
  for (int i = F_TASKS; i < F_TASKS + r->per_task * r->n_tasks; i++) free((char *)r->fields[i].name);
  free(r->fields);
}

// --- attributes

/* Provenance attributes of a new file. Collective; same values on every rank. */
static int write_attrs(void *arg, dm_h5_t *h) {
  run_t *r = arg;
  const dm_attr_job_t *j = r->job;
  char model_hex[65] = "", weights_hex[65] = "", tasks[2048] = "";
  if (dm_digest_sha256_file_all(r->ctx, j->model, model_hex) < 0 ||
      dm_digest_sha256_file_all(r->ctx, j->weights, weights_hex) < 0)
    return -1;
  for (int t = 0, m = 0; t < r->n_tasks && m < (int)sizeof tasks - 100; t++)
    m += snprintf(tasks + m, sizeof tasks - (size_t)m, "%s%s", t ? "," : "", r->tasks[t].name);
  long long nref = r->R, seed = (long long)j->ref.seed, steps = j->attr.ig_steps;
  long long len = r->L, chunk = j->chunk_rows;
  const char *method = dm_methods_name(j->attr.method);
  const char *rules = j->attr.method == DM_METHOD_DEEPLIFT ? dm_deeplift_rules_name(j->attr.rules) : "none";
  const char *refkind = r->R ? dm_ref_kind_name(j->ref.kind) : "none";
  const char *text[][2] = {{"method", method},
                           {"rules", rules},
                           {"reference", refkind},
                           {"tasks", tasks},
                           {"model_file", j->model},
                           {"model_sha256", model_hex},
                           {"weights_file", j->weights ? j->weights : "none"},
                           {"weights_sha256", weights_hex}};
  for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
    if (dm_h5_attr_set_string(h, "/", text[i][0], text[i][1]) < 0) return -1;
  const char *names[] = {"n_refs", "seed", "ig_steps", "length", "chunk_rows"};
  const long long *vals[] = {&nref, &seed, &steps, &len, &chunk};
  for (int i = 0; i < 5; i++)
    if (dm_h5_attr_set_scalar(h, "/", names[i], DM_H5_I64, vals[i]) < 0) return -1;
  return 0;
}

// --- one chunk

/* Refuse a non-finite prediction or attribution of row a (chunk offset off), task t:
 * the chunk is then never marked done and the file never complete. */
static void check_finite(run_t *r, int64_t a, int64_t off, int t) {
  const int64_t L4 = r->L * 4;
  const float *h = task_hyp(r, t) + off * L4, p = task_pred(r, t)[off];
  int64_t e = 0;
  while (e < L4 && isfinite(h[e])) e++;
  if (e == L4 && isfinite(p)) return;
  const dm_region_t *g = r->reg + off;
  char what[96];
  if (e < L4)
    snprintf(what, sizeof what, "hypothetical contribution %g at base %ld, channel %ld", (double)h[e],
             (long)(e / 4), (long)(e % 4));
  else
    snprintf(what, sizeof what, "prediction %g", (double)p);
  dm_fatal(
      "row %ld (%s:%ld-%ld, name %s), task %s: non-finite %s; the model %s gives non-finite values on "
      "this input, nothing of its chunk is written",
      (long)a, g->chrom, (long)g->start, (long)g->end, g->name, r->tasks[t].name, what, r->model->source);
}

/* Attribute rows [a, a+n) (n <= batch) into the chunk buffers at offset off. */
static void attribute_batch(run_t *r, int64_t a, int n, int64_t off) {
  const int64_t L4 = r->L * 4;
  dm_onehot_f32(r->seq + off * r->L, n, r->L, r->x);
  for (int i = 0; i < n && r->R; i++) {
    float *ri = r->refs + (size_t)i * (size_t)r->R * (size_t)L4;
    if (dm_ref_load_f32(r->refws, r->x + i * L4, (int)r->L) < 0 ||
        dm_ref_make(r->refws, &r->job->ref, (uint64_t)(a + i), 0, r->R, ri) < 0)
      dm_fatal("row %ld: cannot make references", (long)(a + i));
  }
  if (dm_methods_run(r->attr, n, (int)r->L, r->x, r->R ? r->refs : NULL, r->hyp_all, r->pred_all) < 0)
    dm_fatal("rows %ld..%ld: attribution failed", (long)a, (long)(a + n));
  size_t T = (size_t)r->n_tasks;
  for (int t = 0; t < r->n_tasks; t++) {
    memcpy(task_hyp(r, t) + off * L4, r->hyp_all + (size_t)t * (size_t)n * (size_t)L4,
           (size_t)n * (size_t)L4 * sizeof(float));
    for (int i = 0; i < n; i++) task_pred(r, t)[off + i] = r->pred_all[(size_t)i * T + (size_t)t];
    for (int i = 0; i < n; i++) check_finite(r, a + i, off + i, t);
  }
}

static void write_chunk(run_t *r, int64_t a, int64_t b) {
  dm_h5_t *h = r->h5;
  int bad = dm_h5_write_rows(h, &r->fields[F_ONEHOT], a, b, r->oh8, DM_H5_INDEPENDENT) < 0 ||
            dm_regions_write(h, a, b, r->reg, DM_H5_INDEPENDENT) < 0;
  for (int t = 0; t < r->n_tasks && !bad; t++) {
    const dm_h5_field_t *f = r->fields + F_TASKS + r->per_task * t;
    bad = dm_h5_write_rows(h, &f[0], a, b, task_hyp(r, t), DM_H5_INDEPENDENT) < 0 ||
          dm_h5_write_rows(h, &f[1], a, b, task_pred(r, t), DM_H5_INDEPENDENT) < 0 ||
          (r->job->contrib && dm_h5_write_rows(h, &f[2], a, b, task_contrib(r, t), DM_H5_INDEPENDENT) < 0);
  }
  if (bad)
    dm_fatal(
        "%s: cannot write rows %ld..%ld; the chunks marked done are kept: rerun with the same parameters "
        "to resume",
        r->job->output, (long)a, (long)b);
}

static void process_chunk(run_t *r, int64_t c) {
  int64_t a, b;
  chunk_range(r, c, &a, &b);
  int64_t LC = (b - a) * r->L * 4;
  if (dm_seqsrc_fetch(r->src, a, b, r->seq, r->reg) < 0) dm_fatal("cannot read rows %ld..%ld", (long)a, (long)b);
  dm_onehot_u8(r->seq, b - a, r->L, r->oh8);
  for (int64_t i = a; i < b; i += r->job->batch) {
    int n = (int)(b - i < r->job->batch ? b - i : r->job->batch);
    if (i + n >= b) dm_sched_ahead(r->sched); /* the last batch: the next chunk is on its way meanwhile */
    attribute_batch(r, i, n, i - a);
    if (dm_stop_requested()) dm_sched_stop(r->sched); /* finish this chunk, take no other */
    dm_sched_poll(r->sched);
  }
  for (int t = 0; t < r->n_tasks && r->job->contrib; t++)
    for (int64_t e = 0; e < LC; e++) task_contrib(r, t)[e] = task_hyp(r, t)[e] * (float)r->oh8[e];
  write_chunk(r, a, b);
}

/* Rank 0, for every finished chunk: mark it done, log progress. */
static void chunk_done(void *arg, int64_t c) {
  run_t *r = arg;
  dm_resume_mark(r->h5, &r->file, c);
  int64_t a, b;
  chunk_range(r, c, &a, &b);
  dm_progress_add(&r->progress, b - a);
}

// --- set-up and the run

/* Refuse, naming the parameter, buffers that cannot fit in this machine's
 * memory: those of a chunk (Output:chunk_rows) and the activations of a
 * batch of sequences with their references (Attr:batch, References:n). */
static int check_memory(run_t *r) {
  const dm_attr_job_t *j = r->job;
  const dm_model_t *m = r->model;
  double phys = dm_mem_physical(), L = m->in_len, T = r->n_tasks, act = 0;
  for (int i = 0; i < m->n_tensors; i++) act += (double)m->tensors[i].len * m->tensors[i].ch;
  double chunk =
      (double)j->chunk_rows * (L * 5 + sizeof(dm_region_t) + r->n_tasks * (L * 4 * (1 + j->contrib) + 1) * 4);
  double pairs = (double)j->batch * (r->R ? r->R : 1);
  double batch = 4 * (pairs + j->batch) * act + 4 * 2 * T * pairs * (double)dm_model_max_size(m);
  if (chunk <= phys && batch <= phys) return 0;
  if (r->ctx->rank != 0) return -1;
  if (chunk > phys)
    dm_log_error(
        "Output:chunk_rows = %ld is too large: a chunk's buffers need %.3g GB per rank, this machine has "
        "%.3g GB",
        (long)j->chunk_rows, chunk / 1e9, phys / 1e9);
  else
    dm_log_error(
        "References:n = %d with Attr:batch = %d is too large: the model's activations for %.3g (sequence, "
        "reference) pairs need %.3g GB per rank, this machine has %.3g GB",
        r->R, j->batch, pairs, batch / 1e9, phys / 1e9);
  return -1;
}

static int setup_model(run_t *r) {
  const dm_attr_job_t *j = r->job;
  int ok = 1;
  if (r->ctx->rank == 0) ok = (r->model = dm_model_load(j->model, j->weights)) != NULL;
  DM_MPI_CHECK(MPI_Bcast(&ok, 1, MPI_INT, 0, r->ctx->comm));
  if (!ok) return -1;
  if (r->ctx->rank != 0 && !(r->model = dm_model_load(j->model, j->weights)))
    dm_fatal("rank %d cannot load %s", r->ctx->rank, j->model);
  if (r->model->in_ch != 4 || (j->input.length && j->input.length != r->model->in_len)) {
    if (r->ctx->rank == 0)
      dm_log_error("model %s expects input (%d, %d), but Input:length is %ld with 4 channels (one-hot DNA)",
                   r->model->source, r->model->in_len, r->model->in_ch, (long)j->input.length);
    return -1;
  }
  int prev = dm_log_collective(1); /* every rank checks the same targets: one message */
  if (j->targets && j->tasks) {
    dm_log_error("give Attr:targets or Attr:tasks, not both");
    r->n_tasks = -1;
  } else if (j->targets) {
    r->n_tasks = dm_target_parse_list(r->model, j->targets, &r->tasks);
  } else {
    r->n_tasks = dm_target_units(r->model, j->tasks, j->tasks ? j->n_tasks : 0, &r->tasks);
  }
  dm_log_collective(prev);
  if (r->n_tasks < 0) return -1;
  r->R = dm_methods_uses_refs(j->attr.method) ? dm_ref_count(&j->ref) : 0;
  if (check_memory(r) < 0) return -1;
  r->attr = dm_methods_init(r->model, &j->attr, r->tasks, r->n_tasks, j->batch, r->R ? r->R : 1);
  return r->attr ? 0 : -1;
}

/* @return 0, or -1 on every rank if a rank has no reference workspace (logged). Collective. */
static int alloc_buffers(run_t *r) {
  size_t C = (size_t)r->job->chunk_rows, B = (size_t)r->job->batch, L4 = (size_t)r->L * 4;
  size_t T = (size_t)r->n_tasks;
  r->seq = dm_malloc("chunk bases", C * (size_t)r->L);
  r->reg = dm_malloc("chunk regions", C * sizeof *r->reg);
  r->oh8 = dm_malloc("chunk onehot", C * L4);
  r->x = dm_malloc("batch inputs", B * L4 * sizeof(float));
  r->refs = dm_malloc("batch references", B * (size_t)(r->R ? r->R : 1) * L4 * sizeof(float));
  r->hyp_all = dm_malloc("batch hyp", T * B * L4 * sizeof(float));
  r->pred_all = dm_malloc("batch predictions", B * T * sizeof(float));
  r->out = dm_malloc("chunk outputs", (size_t)r->n_tasks * task_floats(r) * sizeof(float));
  r->refws = dm_ref_ws_init((int)r->L);
  int bad = r->refws == NULL;
  DM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, r->ctx->comm));
  return bad ? -1 : 0;
}

/* Rank 0: the chunks not yet done. */
static int run(run_t *r) {
  const dm_attr_job_t *j = r->job;
  if (setup_model(r) < 0) return -1;
  dm_seqsrc_opt_t in = j->input; /* every sequence must have the model's input length */
  snprintf(r->length_from, sizeof r->length_from, "the input length of model %s", r->model->source);
  in.length = r->model->in_len;
  if (!j->input.length) in.length_from = r->length_from;
  if (!(r->src = dm_seqsrc_open_all(r->ctx, &in))) return -1;
  r->n = dm_seqsrc_rows(r->src);
  r->L = dm_seqsrc_length(r->src);
  r->n_chunks = (r->n + j->chunk_rows - 1) / j->chunk_rows;
  r->per_task = j->contrib ? 3 : 2;
  make_fields(r);
  if (alloc_buffers(r) < 0) return -1; /* before the output exists: running out of memory leaves nothing */
  r->file = (dm_resume_file_t){j->output,  "dmotif attr", j->params_yaml, j->result_yaml,
                               j->resume, j->overwrite,   r->n,          j->chunk_rows};
  int resumed = dm_resume_open(r->ctx, &r->file, &r->h5);
  if (resumed < 0) return -1;
  if (!resumed && !(r->h5 = dm_resume_create(r->ctx, &r->file, r->fields, F_TASKS + r->per_task * r->n_tasks,
                                             write_attrs, r)))
    return -1;
  int64_t n_todo = 0, *todo = r->ctx->rank == 0 ? dm_resume_todo(r->h5, &r->file, &n_todo, &r->rows_todo) : NULL;
  if (r->ctx->rank == 0)
    dm_log_info("%s: %ld rows of %ld bp, %d task(s), %s%s%s, %d reference(s); %ld of %ld chunks to do%s", j->output,
                (long)r->n, (long)r->L, r->n_tasks, dm_methods_name(j->attr.method),
                j->attr.method == DM_METHOD_DEEPLIFT ? " " : "",
                j->attr.method == DM_METHOD_DEEPLIFT ? dm_deeplift_rules_name(j->attr.rules) : "", r->R,
                (long)n_todo, (long)r->n_chunks, resumed ? " (resumed)" : "");
  dm_progress_start(&r->progress, "rows", r->rows_todo, r->job->progress_seconds);
  r->sched = dm_sched_init(r->ctx, todo, n_todo, chunk_done, r);
  free(todo);
  for (int64_t c;;) {
    if (dm_stop_requested()) dm_sched_stop(r->sched);
    if ((c = dm_sched_next(r->sched)) < 0) break;
    process_chunk(r, c);
  }
  int cut = dm_sched_finish(r->sched);
  r->sched = NULL;
  if (cut) { /* every chunk handed out is written and marked */
    int sig = dm_stop_requested();
    if (r->ctx->rank == 0)
      dm_log_warn("%s: stopped by %s with %ld of %ld rows done; finished chunks are kept: run the same command "
                  "again to resume (exit code %d)",
                  j->output, sig == SIGUSR1 ? "SIGUSR1" : sig == SIGTERM ? "SIGTERM" : "a signal to another rank",
                  (long)r->progress.done, (long)r->rows_todo, DM_EXIT_INTERRUPTED);
    return 1;
  }
  /* every chunk is written and marked: the file is complete */
  return dm_h5_attr_set_string(r->h5, "/", "status", "complete");
}

int dm_attr_run_job(const dm_mpi_t *ctx, const dm_attr_job_t *job) {
  run_t r = {.ctx = ctx, .job = job};
  dm_stop_install(); /* a stop request from now on ends the run cleanly */
  int rc = run(&r);
  dm_stop_uninstall();
  if (dm_h5_close(r.h5) < 0) /* abort now: HDF5 would retry the close after MPI_Finalize */
    dm_fatal(
        "%s: cannot close the output; the chunks marked done are kept: rerun with the same parameters to "
        "resume",
        job->output);
  DM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &rc, 1, MPI_INT, MPI_MIN, ctx->comm));
  if (rc == 0 && ctx->rank == 0) dm_log_info("%s: complete", job->output);
  if (rc == 1) rc = DM_EXIT_INTERRUPTED;
  free(r.seq), free(r.reg), free(r.oh8), free(r.x), free(r.refs), free(r.hyp_all), free(r.pred_all),
      free(r.out), free(r.tasks);
  free_fields(&r);
  dm_ref_ws_destroy(r.refws);
  dm_methods_destroy(r.attr);
  dm_model_destroy(r.model);
  dm_seqsrc_close(r.src);
  return rc < 0 ? 1 : rc;
}
