/* bench_report: matching and page time of `dmotif report` for T tasks x P
 * patterns against a MEME database, next to a brute-force comparison.
 *
 * usage: build/tests/bench_report [database.meme[.gz]] [tasks=3] [patterns=20] [brute=1]
 *
 * Patterns are synthetic, 40 positions each: a random database motif (on a
 * random strand) planted in the middle of uniform-ish flanks, with CWM =
 * (PPM - 0.25) x information, so that lite's trimming keeps the motif core;
 * 100 seqlets each. The report part (dm_report_match: every pattern against
 * the whole database and against the other tasks' patterns, then the page
 * to /dev/null) is timed whole. The brute-force comparison computes, for
 * `brute` patterns, the p-value of every alignment with every target by
 * convolving the per-column null distributions of its aligned columns from
 * scratch (no sharing between alignments), checks it finds the same best
 * p-values, and reports its time per pattern and extrapolated to all. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"
#include "dm_report.h"
#include "dm_tomtom.h"

enum { W = 40 };

static double unif(void) { return rand() / (RAND_MAX + 1.0); }

static void fake_pattern(dm_motif_t *m, const dm_meme_t *db, int index) {
  memset(m, 0, sizeof *m);
  snprintf(m->name, sizeof m->name, "pos_patterns/pattern_%d", index);
  m->sign = 1, m->index = index, m->sub_index = -1, m->len = W;
  m->ppm = dm_malloc("ppm", W * 4 * sizeof(double));
  m->cwm = dm_malloc("cwm", W * 4 * sizeof(double));
  m->hcwm = dm_malloc("hcwm", W * 4 * sizeof(double));
  for (int i = 0; i < W; i++) {
    double s = 0;
    for (int b = 0; b < 4; b++) s += m->ppm[4 * i + b] = 1 + 0.3 * unif();
    for (int b = 0; b < 4; b++) m->ppm[4 * i + b] /= s;
  }
  const dm_meme_motif_t *t = &db->m[rand() % db->n];
  int len = t->len < W - 4 ? t->len : W - 4, at = (W - len) / 2;
  double *rc = dm_malloc("rc", (size_t)t->len * 4 * sizeof *rc);
  dm_motif_revcomp(t->p, t->len, rc);
  const double *src = rand() % 2 ? rc : t->p;
  for (int i = 0; i < len; i++)
    for (int b = 0; b < 4; b++) m->ppm[4 * (at + i) + b] = 0.9 * src[4 * i + b] + 0.025;
  free(rc);
  for (int i = 0; i < W; i++) {
    double ic = 2;
    for (int b = 0; b < 4; b++) ic += m->ppm[4 * i + b] * log2(m->ppm[4 * i + b]);
    for (int b = 0; b < 4; b++) m->cwm[4 * i + b] = m->hcwm[4 * i + b] = (m->ppm[4 * i + b] - 0.25) * ic;
  }
  int n = m->n_seqlets = 100;
  m->example_idx = dm_malloc("idx", n * sizeof(int64_t));
  m->start = dm_malloc("start", n * sizeof(int64_t));
  m->end = dm_malloc("end", n * sizeof(int64_t));
  m->is_revcomp = dm_malloc("rc", n);
  m->total = dm_malloc("total", n * sizeof(double));
  for (int k = 0; k < n; k++) {
    m->example_idx[k] = k;
    m->start[k] = rand() % 160;
    m->end[k] = m->start[k] + W;
    m->is_revcomp[k] = (uint8_t)(rand() % 2);
    m->total[k] = unif() * 5;
  }
}

/* Brute force: best raw p-value of query q (wq) against every target. */
static void brute(const dm_meme_t *db, const double *q, int wq, const dm_tomtom_opt_t *o, double *best) {
  int K = 2 * o->bins + 1;
  long ncol = 0;
  for (int t = 0; t < db->n; t++) ncol += 2 * db->m[t].len;
  double *f = calloc((size_t)wq * K, sizeof *f);
  int **kq = malloc((size_t)wq * sizeof *kq);
  /* quantised scores of each query column against every column, both strands */
  for (int i = 0; i < wq; i++) {
    kq[i] = malloc((size_t)ncol * sizeof **kq);
    long c = 0;
    for (int st = 0; st < 2; st++)
      for (int t = 0; t < db->n; t++) {
        const dm_meme_motif_t *m = &db->m[t];
        double *x = malloc((size_t)m->len * 4 * sizeof *x);
        dm_motif_strand(m->p, m->len, st, x);
        for (int j = 0; j < m->len; j++, c++) {
          kq[i][c] = (int)lround((dm_tomtom_pearson(q + 4 * i, x + 4 * j) + 1) * o->bins);
          f[(size_t)i * K + kq[i][c]] += 1.0 / ncol;
        }
        free(x);
      }
  }
  double *pmf = malloc((size_t)(wq * (K - 1) + 1) * sizeof *pmf),
         *nx = malloc((size_t)(wq * (K - 1) + 1) * sizeof *nx);
  long c0[2] = {0, ncol / 2};
  for (int t = 0; t < db->n; t++) {
    int wt = db->m[t].len, need = o->min_overlap < wq ? o->min_overlap : wq;
    need = need < wt ? need : wt;
    best[t] = 2;
    for (int st = 0; st < 2; st++)
      for (int off = -(wt - 1); off <= wq - 1; off++) {
        int a = off > 0 ? off : 0, b = off + wt < wq ? off + wt : wq;
        if (b - a < need) continue;
        int s = 0, n = 1;
        for (int i = a; i < b; i++) s += kq[i][c0[st] + i - off];
        pmf[0] = 1;
        for (int i = a; i < b; i++) { /* convolve from scratch */
          memset(nx, 0, (size_t)(n + K - 1) * sizeof *nx);
          for (int x = 0; x < n; x++)
            if (pmf[x] != 0)
              for (int k = 0; k < K; k++) nx[x + k] += pmf[x] * f[(size_t)i * K + k];
          n += K - 1;
          memcpy(pmf, nx, (size_t)n * sizeof *pmf);
        }
        double p = 0;
        for (int x = s; x < n; x++) p += pmf[x];
        if (p < best[t]) best[t] = p;
      }
    c0[0] += wt, c0[1] += wt;
  }
  free(pmf), free(nx), free(f);
  for (int i = 0; i < wq; i++) free(kq[i]);
  free(kq);
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "data/motifs/MotifCompendium-Database-Human.meme.txt.gz";
  int T = argc > 2 ? atoi(argv[2]) : 3, P = argc > 3 ? atoi(argv[3]) : 20, NB = argc > 4 ? atoi(argv[4]) : 1;
  dm_log_init(0, DM_LOG_WARN);
  dm_meme_t *db = dm_meme_read(path, 1);
  if (!db) return 1;
  srand(5);
  dm_report_task_t *tasks = dm_calloc("tasks", (size_t)T, sizeof *tasks);
  for (int t = 0; t < T; t++) {
    tasks[t].path = "synthetic";
    snprintf(tasks[t].label, sizeof tasks[t].label, "task%d", t);
    tasks[t].set = dm_calloc("set", 1, sizeof *tasks[t].set);
    tasks[t].set->n = P;
    tasks[t].set->window = 200;
    tasks[t].set->m = dm_calloc("patterns", (size_t)P, sizeof(dm_motif_t));
    for (int i = 0; i < P; i++) fake_pattern(&tasks[t].set->m[i], db, i);
  }
  dm_report_t r = {.n_tasks = T,
                   .tasks = tasks,
                   .db = db,
                   .tomtom = dm_tomtom_opt_default(),
                   .top = 3,
                   .trim = 0.3,
                   .pad = 4,
                   .recur_q = 0.05,
                   .params_yaml = "",
                   .command = "bench"};
  double t0 = dm_wall_time(), c0 = dm_cpu_time();
  dm_report_match(&r);
  FILE *null = fopen("/dev/null", "w");
  if (dm_report_html(null, &r) < 0) return 1;
  fclose(null);
  double wall = dm_wall_time() - t0, cpu = dm_cpu_time() - c0;
  long cols = 0;
  for (int i = 0; i < db->n; i++) cols += db->m[i].len;
  printf("database %s: %d motifs, %ld columns\n", path, db->n, cols);
  printf(
      "report of %d tasks x %d patterns: matching %.3f s (database and cross-task), whole report %.3f s "
      "wall, %.3f s CPU\n",
      T, P, r.match_seconds, wall, cpu);
  /* brute force on NB patterns */
  dm_tomtom_db_t *tdb;
  {
    const double **m = dm_malloc("m", (size_t)db->n * sizeof *m);
    int *len = dm_malloc("len", (size_t)db->n * sizeof *len);
    for (int i = 0; i < db->n; i++) m[i] = db->m[i].p, len[i] = db->m[i].len;
    tdb = dm_tomtom_db_new(m, len, db->n);
    free(m), free(len);
  }
  dm_tomtom_hit_t *hits = dm_malloc("hits", (size_t)db->n * sizeof *hits);
  double *bp = dm_malloc("brute p", (size_t)db->n * sizeof *bp), tb = 0, tf = 0, maxrel = 0;
  double a = dm_cpu_time();
  for (int t = 0; t < T; t++)
    for (int k = 0; k < P; k++) {
      const dm_report_pattern_t *p = &tasks[t].pat[k];
      dm_tomtom_query(tdb, p->m->ppm + 4 * p->q0, p->q1 - p->q0, &r.tomtom, hits);
    }
  tf = (dm_cpu_time() - a) / (T * P);
  for (int k = 0; k < NB && k < P; k++) {
    const dm_report_pattern_t *p = &tasks[0].pat[k];
    int wq = p->q1 - p->q0;
    dm_tomtom_query(tdb, p->m->ppm + 4 * p->q0, wq, &r.tomtom, hits);
    double b = dm_cpu_time();
    brute(db, p->m->ppm + 4 * p->q0, wq, &r.tomtom, bp);
    tb += dm_cpu_time() - b;
    for (int t = 0; t < db->n; t++) {
      double rel = fabs(hits[t].p_align - bp[t]) / (bp[t] > 1e-300 ? bp[t] : 1e-300);
      maxrel = rel > maxrel ? rel : maxrel;
    }
  }
  int nb = NB < P ? NB : P;
  if (nb > 0) {
    printf(
        "CPU s per pattern: dm_tomtom %.4f s (mean of %d), brute force (every alignment convolved from "
        "scratch) %.3f s (mean of %d): %.0fx; largest relative difference of the best p-values %.1e\n",
        tf, T * P, tb / nb, nb, tb / nb / (tf > 0 ? tf : 1e-9), maxrel);
    printf("against the database, %d patterns: dm_tomtom %.2f s, brute force (extrapolated) %.0f s\n", T * P,
           tf * T * P, tb / nb * T * P);
  }
  free(bp), free(hits);
  dm_tomtom_db_free(tdb);
  dm_report_free(&r);
  free(tasks);
  dm_meme_free(db);
  return maxrel < 1e-9 ? 0 : 1;
}
