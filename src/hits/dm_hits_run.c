/* This object's header. */
#include "dm_chunks.h"
#include "dm_hits_run.h"

/* Standard headers. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Local headers. */
#include "dm_h5.h"
#include "dm_hits_merge.h"
#include "dm_hits_scan.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_modisco_input.h"
#include "dm_modisco_read.h"
#include "dm_progress.h"
#include "dm_regions.h"
#include "dm_sched.h"

/* State of one run on one rank. */
typedef struct {
  const dm_mpi_t *ctx;
  const dm_hits_job_t *job;
  char parts[4096];
  /* patterns */
  dm_motif_set_t **sets;  /* (n_modisco,) */
  const dm_motif_t **pat; /* (P,) */
  int *pat_file;          /* (P,) */
  char **label;           /* (P,) */
  int P;
  dm_hits_bank_t *bank;
  double *sim_min, *imp_min; /* (P,) scan */
  /* input */
  dm_h5_t *h5;
  int64_t n, n_chunks;
  int L;
  dm_sched_t *sched;
  /* block and chunk buffers */
  int64_t block; /* rows per read: min(Input:block_rows, Output:chunk_rows) */
  uint8_t *oh;   /* (block, L, 4) */
  float *hyp;    /* (block, L, 4) */
  double *x;     /* (L,) */
  int8_t *base;  /* (L,) */
  dm_hits_part_t part;
  int64_t cap;
  dm_hits_fit_ws_t *fit;
  dm_hits_scan_ws_t *scan;
  /* rank 0: progress */
  int64_t rows_todo;
  dm_progress_t progress;
} run_t;

// --- patterns

/* Input:task of a dmotif modisco.h5's parameters (YAML), or NULL. */
static char *modisco_task(const char *yaml) {
  const char *s = yaml ? strstr(yaml, "\nInput:\n") : NULL;
  if (!s && yaml && strncmp(yaml, "Input:\n", 7) == 0) s = yaml - 1;
  if (!s) return NULL;
  for (s = strchr(s + 1, '\n'); s && s[1] == ' '; s = strchr(s + 1, '\n')) {
    const char *k = s + 1;
    while (*k == ' ') k++;
    if (strncmp(k, "task:", 5) == 0) {
      k += 5;
      while (*k == ' ') k++;
      size_t n = strcspn(k, " #\n");
      char *t = dm_malloc("task", n + 1);
      memcpy(t, k, n), t[n] = 0;
      return t;
    }
  }
  return NULL;
}

/* The label prefix of each modisco.h5: its Input:task, or, for a file
 * without stored parameters or whose task another file has too, its name
 * without directory and extension. (n_modisco,) malloc'd strings. */
static char **file_prefixes(const run_t *r) {
  const dm_hits_job_t *j = r->job;
  char **task = dm_calloc("tasks", (size_t)j->n_modisco, sizeof *task);
  char **prefix = dm_calloc("prefixes", (size_t)j->n_modisco, sizeof *prefix);
  for (int f = 0; f < j->n_modisco; f++) task[f] = modisco_task(r->sets[f]->parameters);
  for (int f = 0; f < j->n_modisco; f++) {
    int shared = 0;
    for (int g = 0; g < j->n_modisco && task[f]; g++)
      shared |= g != f && task[g] && strcmp(task[f], task[g]) == 0;
    if (task[f] && !shared) {
      prefix[f] = dm_strdup("prefix", task[f]);
      continue;
    }
    const char *base = strrchr(j->modisco[f], '/') ? strrchr(j->modisco[f], '/') + 1 : j->modisco[f];
    size_t n = strcspn(base, ".");
    prefix[f] = dm_malloc("prefix", n + 1);
    memcpy(prefix[f], base, n), prefix[f][n] = 0;
  }
  for (int f = 0; f < j->n_modisco; f++) free(task[f]);
  free(task);
  return prefix;
}

/* A seqlet outside the input: the files do not belong together. */
static int check_seqlets(const run_t *r, const dm_motif_t *m, const char *path) {
  for (int i = 0; i < m->n_seqlets; i++)
    if (m->example_idx[i] >= r->n || m->end[i] > r->L) {
      dm_log_error(
          "%s: %s seqlet %d lies at [%ld, %ld) of row %ld, outside %s (%ld rows of %d bp): "
          "this modisco.h5 was not made from this attr.h5",
          path, m->name, i, (long)m->start[i], (long)m->end[i], (long)m->example_idx[i], r->job->attr,
          (long)r->n, r->L);
      return -1;
    }
  if (r->job->method == DM_HITS_SCAN && m->n_seqlets && m->seqlet_len != m->len) {
    dm_log_error(
        "%s: %s: seqlets of %d positions for a pattern of %d (the scan thresholds need them aligned)", path,
        m->name, m->seqlet_len, m->len);
    return -1;
  }
  if (r->job->method == DM_HITS_SCAN && m->n_seqlets == 0) {
    dm_log_error("%s: %s has no seqlets: the scan takes its thresholds from them", path, m->name);
    return -1;
  }
  return 0;
}

/* Read every modisco.h5 and check its patterns against the input (every
 * rank, same data: the caller logs collectively). */
static int load_patterns(run_t *r) {
  const dm_hits_job_t *j = r->job;
  r->sets = dm_calloc("modisco sets", (size_t)j->n_modisco, sizeof *r->sets);
  for (int f = 0; f < j->n_modisco; f++) {
    if (!(r->sets[f] = dm_modisco_read(j->modisco[f]))) return -1;
    if (r->sets[f]->n == 0) {
      dm_log_error(
          "%s: no patterns (pos_patterns and neg_patterns hold no pattern_<i>): nothing to call hits with",
          j->modisco[f]);
      return -1;
    }
    r->P += r->sets[f]->n;
  }
  r->pat = dm_calloc("patterns", (size_t)r->P, sizeof *r->pat);
  r->pat_file = dm_calloc("pattern files", (size_t)r->P, sizeof *r->pat_file);
  r->label = dm_calloc("pattern labels", (size_t)r->P, sizeof *r->label);
  char **prefix = file_prefixes(r);
  int p = 0, rc = 0;
  for (int f = 0; f < j->n_modisco && !rc; f++)
    for (int i = 0; i < r->sets[f]->n && !rc; i++, p++) {
      const dm_motif_t *m = &r->sets[f]->m[i];
      char lab[400];
      snprintf(lab, sizeof lab, "%s/%s/pattern_%d", prefix[f], m->sign > 0 ? "pos" : "neg", m->index);
      r->pat[p] = m, r->pat_file[p] = f, r->label[p] = dm_strdup("label", lab);
      if (m->len > r->L) {
        dm_log_error("%s: %s is %d bp long, longer than the %d-bp regions of %s", j->modisco[f], m->name,
                     m->len, r->L, j->attr);
        rc = -1;
      } else if (check_seqlets(r, m, j->modisco[f]) < 0) {
        rc = -1;
      }
      for (int q = 0; q < p && !rc; q++)
        if (strcmp(r->label[q], lab) == 0) {
          dm_log_error("%s and %s both give pattern %s: list each modisco.h5 once",
                       j->modisco[r->pat_file[q]], j->modisco[f], lab);
          rc = -1;
        }
    }
  for (int f = 0; f < j->n_modisco; f++) free(prefix[f]);
  free(prefix);
  if (rc) return -1;
  const double **cwms = dm_malloc("cwms", (size_t)r->P * sizeof *cwms);
  int *lens = dm_malloc("lens", (size_t)r->P * sizeof *lens);
  for (int i = 0; i < r->P; i++) cwms[i] = r->pat[i]->cwm, lens[i] = r->pat[i]->len;
  r->bank = dm_hits_bank_init(cwms, lens, r->P, j->trim);
  free(cwms), free(lens);
  if (j->method == DM_HITS_SCAN) {
    r->sim_min = dm_malloc("sim_min", (size_t)r->P * sizeof *r->sim_min);
    r->imp_min = dm_malloc("imp_min", (size_t)r->P * sizeof *r->imp_min);
    for (int i = 0; i < r->P; i++) {
      double *work = dm_malloc("seqlet scores", 2 * (size_t)r->pat[i]->n_seqlets * sizeof *work);
      dm_hits_scan_thresholds(r->bank, i, r->pat[i]->contrib, r->pat[i]->n_seqlets, j->scan_quantile,
                              &r->sim_min[i], &r->imp_min[i], work);
      free(work);
    }
  }
  return 0;
}

// --- outputs: the existing-output policy and resume

static int path_exists(const char *p) { return access(p, F_OK) == 0; }

/* Remove the parts directory and its files (ours only). */
static void remove_parts(const char *parts) {
  DIR *d = opendir(parts);
  if (!d) return;
  for (struct dirent *e; (e = readdir(d));) {
    if (strncmp(e->d_name, "chunk_", 6) && strcmp(e->d_name, "parameters.yml")) continue;
    char p[4400];
    snprintf(p, sizeof p, "%s/%s", parts, e->d_name);
    remove(p);
  }
  closedir(d);
  rmdir(parts);
}

/* Rank 0, after dm_output_check (in the command): the parts of an
 * interrupted run; 1 = resume them, 0 = start, -1 = refuse. */
static int prepare_output_rank0(run_t *r) {
  const dm_hits_job_t *j = r->job;
  int have_parts = path_exists(r->parts), have_final = 0;
  char p[4400];
  for (int i = 0; i < DM_HITS_N_OUTPUTS; i++) {
    snprintf(p, sizeof p, "%s/%s", j->dir, dm_hits_outputs[i]);
    if (path_exists(p)) have_final = 1;
  }
  if (j->overwrite) {
    remove_parts(r->parts);
  } else if (have_parts && !j->resume) {
    dm_log_error(
        "%s holds an unfinished run; set Output:resume=true to continue it or Output:overwrite=true to "
        "start again",
        j->dir);
    return -1;
  } else if (have_final && !have_parts) {
    dm_log_error(
        "%s already holds complete hits (hits.tsv, hits.h5, ...): nothing to resume; set "
        "Output:overwrite=true to replace them",
        j->dir);
    return -1;
  } else if (have_parts) {
    snprintf(p, sizeof p, "%s/parameters.yml", r->parts);
    FILE *f = fopen(p, "rb");
    char *old = dm_calloc("old parameters", strlen(j->result_yaml) + 2, 1);
    size_t n = f ? fread(old, 1, strlen(j->result_yaml) + 1, f) : 0;
    if (f) fclose(f);
    int same = n == strlen(j->result_yaml) && strcmp(old, j->result_yaml) == 0;
    free(old);
    if (!same) {
      dm_log_error(
          "%s was started with other parameters (%s differs); set Output:overwrite=true to start again",
          r->parts, p);
      return -1;
    }
    return 1;
  }
  char tmp[4500];
  snprintf(p, sizeof p, "%s/parameters.yml", r->parts);
  snprintf(tmp, sizeof tmp, "%s.tmp", p);
  FILE *f = NULL;
  if (mkdir(r->parts, 0777) != 0 || !(f = fopen(tmp, "wb")) || fputs(j->result_yaml, f) < 0 ||
      fclose(f) != 0 || rename(tmp, p) != 0) {
    dm_log_error("%s: cannot create the parts directory (%s)", r->parts, strerror(errno));
    return -1;
  }
  return 0;
}

static int prepare_output(run_t *r) {
  int v = r->ctx->rank == 0 ? prepare_output_rank0(r) : 0;
  DM_MPI_CHECK(MPI_Bcast(&v, 1, MPI_INT, 0, r->ctx->comm));
  return v;
}

// --- one chunk

static void chunk_range(const run_t *r, int64_t c, int64_t *a, int64_t *b) {
  dm_chunk_range(r->n, r->job->chunk_rows, c, a, b);
}

static int cmp_hit(const void *pa, const void *pb) {
  const dm_hit_t *a = pa, *b = pb;
  if (a->pos != b->pos) return a->pos < b->pos ? -1 : 1;
  return (a->motif > b->motif) - (a->motif < b->motif);
}

static void add_hits(run_t *r, const dm_hit_t *h, int n) {
  if (r->part.n + n > r->cap) {
    r->cap = 2 * (r->part.n + n) + 256;
    r->part.hits = dm_realloc("chunk hits", r->part.hits, (size_t)r->cap * sizeof *r->part.hits);
  }
  memcpy(r->part.hits + r->part.n, h, (size_t)n * sizeof *h);
  qsort(r->part.hits + r->part.n, (size_t)n, sizeof *h, cmp_hit);
  r->part.n += n;
}

/* Hits of row i (its one-hot and hyp at row offset o of the block buffers). */
static void call_row(run_t *r, int64_t i, int64_t o) {
  const dm_hits_job_t *j = r->job;
  size_t L4 = (size_t)r->L * 4;
  dm_hit_t *hits;
  dm_hits_qc_t *qc = &r->part.qc[i - r->part.a];
  dm_hits_project(r->hyp + (size_t)o * L4, r->oh + (size_t)o * L4, r->L, j->center_hyp, r->x, r->base);
  int n;
  if (j->method == DM_HITS_FINEMO) {
    n = dm_hits_fit_region(r->fit, &j->fit, r->x, r->base, i, &hits, qc);
  } else {
    dm_hits_thr_t thr = {r->sim_min, r->imp_min, j->scan_compete};
    memset(qc, 0, sizeof *qc);
    n = dm_hits_scan_region(r->scan, &thr, r->x, r->base, i, &hits);
  }
  add_hits(r, hits, n);
}

static void process_chunk(run_t *r, int64_t c) {
  const dm_hits_job_t *j = r->job;
  int64_t a, b;
  chunk_range(r, c, &a, &b);
  char hyp_name[512];
  snprintf(hyp_name, sizeof hyp_name, "/tasks/%s/hyp", j->task);
  dm_h5_field_t fo = {"/onehot", DM_H5_U8, 2, {r->L, 4}, 0, NULL},
                fh = {hyp_name, DM_H5_F32, 2, {r->L, 4}, 0, NULL};
  if (dm_regions_read(r->h5, a, b, r->part.reg, DM_H5_INDEPENDENT) < 0)
    dm_fatal("%s: cannot read the regions of rows %ld..%ld", j->attr, (long)a, (long)b);
  r->part.a = a, r->part.b = b, r->part.n = 0;
  for (int64_t ba = a; ba < b; ba += r->block) { /* Input:block_rows rows per read */
    int64_t bb = ba + r->block < b ? ba + r->block : b;
    if (dm_h5_read_rows(r->h5, &fo, ba, bb, r->oh, DM_H5_INDEPENDENT) < 0 ||
        dm_h5_read_rows(r->h5, &fh, ba, bb, r->hyp, DM_H5_INDEPENDENT) < 0)
      dm_fatal("%s: cannot read rows %ld..%ld", j->attr, (long)ba, (long)bb);
    for (int64_t i = ba; i < bb; i++) {
      call_row(r, i, i - ba);
      if ((i - a) % 64 == 63) dm_sched_poll(r->sched);
    }
  }
  if (dm_hits_part_write(r->parts, c, &r->part) < 0)
    dm_fatal("%s: cannot record chunk %ld", r->parts, (long)c);
}

/* Rank 0, for every finished chunk: progress. */
static void chunk_done(void *arg, int64_t c) {
  run_t *r = arg;
  int64_t a, b;
  chunk_range(r, c, &a, &b);
  dm_progress_add(&r->progress, b - a);
}

// --- the run

/* Rank 0: the patterns' seqlets sorted by row, for the recovery summary. */
typedef struct {
  int64_t row, start, end;
  int32_t pattern;
} seqlet_ref_t;

static int cmp_seqlet(const void *pa, const void *pb) {
  const seqlet_ref_t *a = pa, *b = pb;
  if (a->row != b->row) return a->row < b->row ? -1 : 1;
  if (a->pattern != b->pattern) return a->pattern < b->pattern ? -1 : 1;
  return (a->start > b->start) - (a->start < b->start);
}

static int merge(run_t *r, int64_t *n_hits) {
  const dm_hits_job_t *j = r->job;
  int64_t ns = 0;
  for (int i = 0; i < r->P; i++) ns += r->pat[i]->n_seqlets;
  seqlet_ref_t *sr = dm_malloc("seqlet refs", ((size_t)ns + 1) * sizeof *sr);
  int64_t k = 0;
  for (int i = 0; i < r->P; i++)
    for (int s = 0; s < r->pat[i]->n_seqlets; s++, k++)
      sr[k] = (seqlet_ref_t){r->pat[i]->example_idx[s], r->pat[i]->start[s], r->pat[i]->end[s], i};
  qsort(sr, (size_t)ns, sizeof *sr, cmp_seqlet);
  int64_t *row = dm_malloc("seq rows", 3 * ((size_t)ns + 1) * sizeof *row);
  int32_t *pat = dm_malloc("seq patterns", ((size_t)ns + 1) * sizeof *pat);
  for (k = 0; k < ns; k++)
    row[k] = sr[k].row, row[ns + k] = sr[k].start, row[2 * ns + k] = sr[k].end, pat[k] = sr[k].pattern;
  free(sr);
  const char **source = dm_malloc("sources", (size_t)r->P * sizeof *source);
  for (int i = 0; i < r->P; i++) source[i] = j->modisco[r->pat_file[i]];
  dm_hits_merge_t m = {.dir = j->dir,
                       .parts = r->parts,
                       .method = j->method == DM_HITS_FINEMO ? "finemo" : "scan",
                       .params_yaml = j->params_yaml,
                       .result_yaml = j->result_yaml,
                       .attr = j->attr,
                       .bank = r->bank,
                       .label = (const char *const *)r->label,
                       .source = source,
                       .sim_min = r->sim_min,
                       .imp_min = r->imp_min,
                       .n_seqlets = ns,
                       .seq_row = row,
                       .seq_start = row + ns,
                       .seq_end = row + 2 * ns,
                       .seq_pattern = pat,
                       .n_rows = r->n,
                       .n_chunks = r->n_chunks,
                       .L = r->L};
  int rc = dm_hits_merge(&m, n_hits);
  free(row), free(pat), free(source);
  if (rc == 0) remove_parts(r->parts);
  return rc;
}

static int64_t *chunks_todo(run_t *r, int64_t *n_todo) {
  uint8_t *done = dm_calloc("done map", (size_t)r->n_chunks + 1, 1);
  for (int64_t c = 0; c < r->n_chunks; c++) done[c] = (uint8_t)dm_hits_part_exists(r->parts, c);
  int64_t *todo = dm_chunks_todo(r->n, r->job->chunk_rows, done, n_todo, &r->rows_todo);
  free(done);
  return todo;
}

static int run(run_t *r) {
  const dm_hits_job_t *j = r->job;
  snprintf(r->parts, sizeof r->parts, "%s/hits.parts", j->dir);
  if (!(r->h5 = dm_h5_open(r->ctx, j->attr, 0))) return -1;
  int prev = dm_log_collective(1); /* every rank checks the same files: one message */
  int bad = dm_modisco_attr_check(r->h5, j->attr, j->task, &r->n, &r->L) < 0 || load_patterns(r) < 0;
  dm_log_collective(prev);
  if (bad) return -1;
  int resumed = prepare_output(r);
  if (resumed < 0) return -1;
  r->n_chunks = (r->n + j->chunk_rows - 1) / j->chunk_rows;
  size_t C = (size_t)j->chunk_rows, L4 = (size_t)r->L * 4;
  r->block = j->block_rows < j->chunk_rows ? j->block_rows : j->chunk_rows;
  r->oh = dm_malloc("block onehot", (size_t)r->block * L4);
  r->hyp = dm_malloc("block hyp", (size_t)r->block * L4 * sizeof *r->hyp);
  r->x = dm_malloc("track", (size_t)r->L * sizeof *r->x);
  r->base = dm_malloc("bases", (size_t)r->L);
  r->part.qc = dm_malloc("chunk qc", C * sizeof *r->part.qc);
  r->part.reg = dm_malloc("chunk regions", C * sizeof *r->part.reg);
  if (j->method == DM_HITS_FINEMO)
    r->fit = dm_hits_fit_ws_init(r->bank, r->L);
  else
    r->scan = dm_hits_scan_ws_init(r->bank, r->L);
  int64_t n_todo = 0, *todo = r->ctx->rank == 0 ? chunks_todo(r, &n_todo) : NULL;
  if (r->ctx->rank == 0)
    dm_log_info(
        "%s: %ld rows of %d bp, task %s; %d pattern(s) from %d modisco.h5; method %s; %ld of %ld chunks to "
        "do%s",
        j->attr, (long)r->n, r->L, j->task, r->P, j->n_modisco,
        j->method == DM_HITS_FINEMO ? "finemo" : "scan", (long)n_todo, (long)r->n_chunks,
        resumed ? " (resumed)" : "");
  dm_progress_start(&r->progress, "rows", r->rows_todo, j->progress_seconds);
  r->sched = dm_sched_init(r->ctx, todo, n_todo, chunk_done, r);
  free(todo);
  for (int64_t c; (c = dm_sched_next(r->sched)) >= 0;) process_chunk(r, c);
  dm_sched_finish(r->sched);
  r->sched = NULL;
  int rc = 0;
  if (r->ctx->rank == 0) {
    int64_t n_hits = 0;
    double t0 = dm_wall_time();
    rc = merge(r, &n_hits);
    double now = dm_wall_time();
    if (rc == 0)
      dm_log_info("%s: %ld hits in %ld rows; %.0f hits/s, %.1f rows/s (calling %.2f s, writing %.2f s)",
                  j->dir, (long)n_hits, (long)r->n, n_hits / (now - r->progress.t_start + 1e-9),
                  r->rows_todo / (t0 - r->progress.t_start + 1e-9), t0 - r->progress.t_start, now - t0);
  }
  DM_MPI_CHECK(MPI_Bcast(&rc, 1, MPI_INT, 0, r->ctx->comm));
  return rc;
}

int dm_hits_run_job(const dm_mpi_t *ctx, const dm_hits_job_t *job) {
  run_t r = {.ctx = ctx, .job = job};
  int rc = run(&r);
  if (dm_h5_close(r.h5) < 0) rc = -1;
  DM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &rc, 1, MPI_INT, MPI_MIN, ctx->comm));
  if (rc == 0 && ctx->rank == 0) dm_log_info("%s: complete", job->dir);
  dm_hits_fit_ws_destroy(r.fit);
  dm_hits_scan_ws_destroy(r.scan);
  dm_hits_bank_destroy(r.bank);
  for (int i = 0; i < r.P && r.label; i++) free(r.label[i]);
  for (int f = 0; f < job->n_modisco && r.sets; f++) dm_modisco_read_free(r.sets[f]);
  free(r.sets), free(r.pat), free(r.pat_file), free(r.label), free(r.sim_min), free(r.imp_min);
  free(r.oh), free(r.hyp), free(r.x), free(r.base), free(r.part.qc), free(r.part.reg), free(r.part.hits);
  return rc < 0 ? 1 : 0;
}
