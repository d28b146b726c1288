/* This object's header. */
#include "dm_hits_merge.h"

/* Standard headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Local headers. */
#include "dm_h5.h"
#include "dm_mem.h"
#include "dm_mpi.h"
#include "dm_output.h"
#include "dm_version.h"

static const char part_magic[8] = "DMHITS1";

// --- parts

static void part_name(const char *parts, int64_t c, char *out, size_t n) {
  snprintf(out, n, "%s/chunk_%ld.bin", parts, (long)c);
}

int dm_hits_part_exists(const char *parts, int64_t c) {
  char name[4096];
  part_name(parts, c, name, sizeof name);
  FILE *f = fopen(name, "rb");
  if (f) fclose(f);
  return f != NULL;
}

int dm_hits_part_write(const char *parts, int64_t c, const dm_hits_part_t *p) {
  char name[4096], tmp[4200];
  part_name(parts, c, name, sizeof name);
  snprintf(tmp, sizeof tmp, "%s.tmp", name);
  FILE *f = fopen(tmp, "wb");
  size_t rows = (size_t)(p->b - p->a);
  int64_t head[3] = {p->a, p->b, p->n};
  int ok = f && fwrite(part_magic, 1, 8, f) == 8 && fwrite(head, sizeof head, 1, f) == 1 &&
           fwrite(p->hits, sizeof *p->hits, (size_t)p->n, f) == (size_t)p->n &&
           fwrite(p->qc, sizeof *p->qc, rows, f) == rows && fwrite(p->reg, sizeof *p->reg, rows, f) == rows;
  if (f && fclose(f) != 0) ok = 0;
  if (ok && rename(tmp, name) != 0) ok = 0;
  if (!ok) {
    dm_log_error("%s: cannot write the hits of chunk %ld", tmp, (long)c);
    remove(tmp);
    return -1;
  }
  return 0;
}

int dm_hits_part_read(const char *parts, int64_t c, dm_hits_part_t *p) {
  char name[4096], magic[8];
  int64_t head[3];
  part_name(parts, c, name, sizeof name);
  memset(p, 0, sizeof *p);
  FILE *f = fopen(name, "rb");
  int ok = f && fread(magic, 1, 8, f) == 8 && memcmp(magic, part_magic, 8) == 0 &&
           fread(head, sizeof head, 1, f) == 1 && head[1] >= head[0] && head[2] >= 0;
  if (ok) {
    size_t rows = (size_t)(head[1] - head[0]);
    p->a = head[0], p->b = head[1], p->n = head[2];
    p->hits = dm_malloc("part hits", ((size_t)p->n + 1) * sizeof *p->hits);
    p->qc = dm_malloc("part qc", (rows + 1) * sizeof *p->qc);
    p->reg = dm_malloc("part regions", (rows + 1) * sizeof *p->reg);
    ok = fread(p->hits, sizeof *p->hits, (size_t)p->n, f) == (size_t)p->n &&
         fread(p->qc, sizeof *p->qc, rows, f) == rows && fread(p->reg, sizeof *p->reg, rows, f) == rows;
  }
  if (f) fclose(f);
  if (!ok) {
    dm_log_error("%s: missing or truncated hits part of chunk %ld", name, (long)c);
    dm_hits_part_free(p);
    return -1;
  }
  return 0;
}

void dm_hits_part_free(dm_hits_part_t *p) {
  free(p->hits), free(p->qc), free(p->reg);
  p->hits = NULL, p->qc = NULL, p->reg = NULL;
}

// --- outputs

enum { OUT_HITS_TSV, OUT_COUNTS_TSV, OUT_SUMMARY_TSV, OUT_H5, OUT_COUNT };
const char *const dm_hits_outputs[DM_HITS_N_OUTPUTS] = {"hits.tsv", "counts.tsv", "summary.tsv", "hits.h5"};

/* Hit datasets (n_hits rows). */
enum {
  H_ROW,
  H_CHROM,
  H_START,
  H_END,
  H_USTART,
  H_UEND,
  H_PATTERN,
  H_STRAND,
  H_SCORE,
  H_SIM,
  H_IMP,
  H_COUNT
};
static const dm_h5_field_t hit_fields[H_COUNT] = {
    {"/hits/row", DM_H5_I64, 0, {0}, 0, "row of the input attr.h5 (region index)"},
    {"/hits/chrom", DM_H5_STR, 0, {0}, DM_SEQ_NAME_LEN, "chromosome of the region"},
    {"/hits/start", DM_H5_I64, 0, {0}, 0, "first base of the trimmed motif, 0-based genome coordinate"},
    {"/hits/end", DM_H5_I64, 0, {0}, 0, "one past the last base of the trimmed motif"},
    {"/hits/start_untrimmed", DM_H5_I64, 0, {0}, 0, "start of the whole CWM placed at the hit"},
    {"/hits/end_untrimmed", DM_H5_I64, 0, {0}, 0, "end of the whole CWM placed at the hit"},
    {"/hits/pattern", DM_H5_I32, 0, {0}, 0, "index into /patterns"},
    {"/hits/strand", DM_H5_STR, 0, {0}, 2, "+ (CWM as is) or - (reverse complement), genome + strand"},
    {"/hits/score",
     DM_H5_F64,
     0,
     {0},
     0,
     "finemo: coefficient x global scale^2; scan: sum of contribution x CWM"},
    {"/hits/similarity", DM_H5_F64, 0, {0}, 0, "similarity of CWM and contributions over the window"},
    {"/hits/importance", DM_H5_F64, 0, {0}, 0, "sum of |contribution| over the window"},
};

/* Open outputs. */
typedef struct {
  const dm_hits_merge_t *m;
  FILE *tsv[3];
  dm_h5_t *h5;
  dm_mpi_t self;
  char tmp[OUT_COUNT][4200];
  int fit; /* fit diagnostics per row */
  /* per-pattern totals */
  int64_t *n_hits, *n_seq, *n_rec;
  /* column buffers of one chunk */
  int64_t *i64[6];
  int32_t *pat, *cnt;
  double *f64[3];
  char *chrom, *strand;
  int64_t cap, seq_next, hits_done;
} merge_t;

static void header_comment(FILE *f, const dm_hits_merge_t *m) {
  fprintf(f, "# dmotif hits %s, method %s, input %s\n# parameters (those that define the hits):\n",
          DM_VERSION, m->method, m->attr);
  const char *s = m->result_yaml;
  while (*s) {
    size_t n = strcspn(s, "\n");
    fprintf(f, "#   %.*s\n", (int)n, s);
    s += n + (s[n] == '\n');
  }
}

static int open_outputs(merge_t *g, int64_t total) {
  const dm_hits_merge_t *m = g->m;
  for (int i = 0; i < OUT_COUNT; i++)
    snprintf(g->tmp[i], sizeof g->tmp[i], "%s/%s.tmp", m->dir, dm_hits_outputs[i]);
  for (int i = 0; i < 3; i++)
    if (!(g->tsv[i] = fopen(g->tmp[i], "w"))) {
      dm_log_error("%s: cannot create", g->tmp[i]);
      return -1;
    }
  for (int i = 0; i < 3; i++) header_comment(g->tsv[i], m);
  fprintf(g->tsv[0],
          "chrom\tstart\tend\tpattern\tstrand\tscore\tsimilarity\timportance\trow\tregion_name\t"
          "start_untrimmed\tend_untrimmed\n");
  fprintf(g->tsv[1], "row\tregion_name\tchrom\tstart\tend");
  for (int j = 0; j < m->bank->n_patterns; j++) fprintf(g->tsv[1], "\t%s", m->label[j]);
  fprintf(g->tsv[1], "\ttotal\n");
  dm_mpi_init(&g->self, MPI_COMM_SELF);
  if (!(g->h5 = dm_h5_create(&g->self, g->tmp[OUT_H5], hit_fields, H_COUNT, total, 65536))) return -1;
  int P = m->bank->n_patterns;
  dm_h5_field_t rows[5] = {
      {"/rows/counts", DM_H5_I32, 1, {P}, 0, "hits of each pattern (columns as /patterns) in the row"},
      {"/rows/global_scale", DM_H5_F64, 0, {0}, 0, "finemo: sqrt(mean square contribution) of the row"},
      {"/rows/steps", DM_H5_I64, 0, {0}, 0, "finemo: optimiser steps"},
      {"/rows/gap", DM_H5_F64, 0, {0}, 0, "finemo: final duality gap / L"},
      {"/rows/status",
       DM_H5_I32,
       0,
       {0},
       0,
       "finemo: 0 converged, 1 step limit, 2 failed, 3 zero contributions"},
  };
  return dm_h5_add_fields(g->h5, rows, g->fit ? 5 : 1, m->n_rows,
                          m->n_rows < 65536 ? (m->n_rows ? m->n_rows : 1) : 65536);
}

static void grow(merge_t *g, int64_t n) {
  if (n <= g->cap) return;
  g->cap = n;
  for (int i = 0; i < 6; i++) g->i64[i] = dm_realloc("merge i64", g->i64[i], (size_t)n * sizeof(int64_t));
  for (int i = 0; i < 3; i++) g->f64[i] = dm_realloc("merge f64", g->f64[i], (size_t)n * sizeof(double));
  g->pat = dm_realloc("merge pattern", g->pat, (size_t)n * sizeof *g->pat);
  g->chrom = dm_realloc("merge chrom", g->chrom, (size_t)n * DM_SEQ_NAME_LEN);
  g->strand = dm_realloc("merge strand", g->strand, (size_t)n * 2);
}

/* Seqlets of rows [p->a, p->b) recovered: a hit of the same pattern in the
 * row whose centre lies in the seqlet's window. hits of row r are
 * [first[r - a], first[r - a + 1]). */
static void count_recovered(merge_t *g, const dm_hits_part_t *p, const int64_t *first) {
  const dm_hits_merge_t *m = g->m;
  for (; g->seq_next < m->n_seqlets && m->seq_row[g->seq_next] < p->b; g->seq_next++) {
    int64_t s = g->seq_next, r = m->seq_row[s] - p->a;
    if (r < 0) continue;
    for (int64_t h = first[r]; h < first[r + 1]; h++) {
      const dm_hit_t *x = &p->hits[h];
      int64_t centre = x->pos + m->bank->width[x->motif] / 2;
      if (x->motif / 2 == m->seq_pattern[s] && centre >= m->seq_start[s] && centre < m->seq_end[s]) {
        g->n_rec[m->seq_pattern[s]]++;
        break;
      }
    }
  }
}

static int merge_chunk(merge_t *g, const dm_hits_part_t *p) {
  const dm_hits_merge_t *m = g->m;
  const dm_hits_bank_t *bk = m->bank;
  int P = bk->n_patterns;
  int64_t rows = p->b - p->a, *first = dm_calloc("row hits", (size_t)rows + 1, sizeof *first);
  grow(g, p->n > rows ? p->n : rows);
  g->cnt = dm_realloc("merge counts", g->cnt, ((size_t)rows * P + 1) * sizeof *g->cnt);
  memset(g->cnt, 0, (size_t)rows * P * sizeof *g->cnt);
  for (int64_t i = 0; i < p->n; i++) {
    const dm_hit_t *h = &p->hits[i];
    const dm_region_t *reg = &p->reg[h->region - p->a];
    int k = h->motif, j = k / 2;
    int64_t s = reg->start + h->pos, e = s + bk->width[k], us = s - bk->offset[k], ue = us + bk->full_len[k];
    char strand = k % 2 ? '-' : '+';
    fprintf(g->tsv[0], "%s\t%ld\t%ld\t%s\t%c\t%.6g\t%.6g\t%.6g\t%ld\t%s\t%ld\t%ld\n", reg->chrom, (long)s,
            (long)e, m->label[j], strand, h->score, h->similarity, h->importance, (long)h->region, reg->name,
            (long)us, (long)ue);
    g->i64[0][i] = h->region, g->i64[1][i] = s, g->i64[2][i] = e, g->i64[3][i] = us, g->i64[4][i] = ue;
    memcpy(g->chrom + i * DM_SEQ_NAME_LEN, reg->chrom, DM_SEQ_NAME_LEN);
    g->strand[2 * i] = strand, g->strand[2 * i + 1] = 0;
    g->pat[i] = j;
    g->f64[0][i] = h->score, g->f64[1][i] = h->similarity, g->f64[2][i] = h->importance;
    g->cnt[(h->region - p->a) * P + j]++;
    g->n_hits[j]++;
    first[h->region - p->a + 1]++;
  }
  for (int64_t r = 0; r < rows; r++) first[r + 1] += first[r];
  count_recovered(g, p, first);
  free(first);
  for (int64_t r = 0; r < rows; r++) {
    const dm_region_t *reg = &p->reg[r];
    long tot = 0;
    fprintf(g->tsv[1], "%ld\t%s\t%s\t%ld\t%ld", (long)(p->a + r), reg->name, reg->chrom, (long)reg->start,
            (long)reg->end);
    for (int j = 0; j < P; j++) fprintf(g->tsv[1], "\t%d", g->cnt[r * P + j]), tot += g->cnt[r * P + j];
    fprintf(g->tsv[1], "\t%ld\n", tot);
  }
  int64_t a = g->hits_done, b = a + p->n;
  const void *cols[H_COUNT] = {g->i64[0], g->chrom,  g->i64[1], g->i64[2], g->i64[3], g->i64[4],
                               g->pat,    g->strand, g->f64[0], g->f64[1], g->f64[2]};
  int bad = 0;
  for (int f = 0; f < H_COUNT && !bad; f++)
    bad = dm_h5_write_rows(g->h5, &hit_fields[f], a, b, cols[f], DM_H5_INDEPENDENT) < 0;
  g->hits_done = b;
  dm_h5_field_t fc = {"/rows/counts", DM_H5_I32, 1, {P}, 0, NULL};
  bad = bad || dm_h5_write_rows(g->h5, &fc, p->a, p->b, g->cnt, DM_H5_INDEPENDENT) < 0;
  if (g->fit && !bad) {
    for (int64_t r = 0; r < rows; r++) {
      g->f64[0][r] = p->qc[r].global_scale, g->f64[1][r] = p->qc[r].gap;
      g->i64[0][r] = p->qc[r].steps, g->i64[1][r] = p->qc[r].status;
    }
    dm_h5_field_t fq[4] = {{"/rows/global_scale", DM_H5_F64, 0, {0}, 0, NULL},
                           {"/rows/gap", DM_H5_F64, 0, {0}, 0, NULL},
                           {"/rows/steps", DM_H5_I64, 0, {0}, 0, NULL},
                           {"/rows/status", DM_H5_I64, 0, {0}, 0, NULL}};
    const void *qv[4] = {g->f64[0], g->f64[1], g->i64[0], g->i64[1]};
    for (int f = 0; f < 4 && !bad; f++)
      bad = dm_h5_write_rows(g->h5, &fq[f], p->a, p->b, qv[f], DM_H5_INDEPENDENT) < 0;
  }
  return bad ? -1 : 0;
}

/* Per-pattern summary: summary.tsv and /patterns. */
static int write_summary(merge_t *g) {
  const dm_hits_merge_t *m = g->m;
  const dm_hits_bank_t *bk = m->bank;
  int P = bk->n_patterns;
  FILE *f = g->tsv[2];
  fprintf(f,
          "pattern\tsource\ttrim_start\ttrim_end\tseqlets\thits\tseqlets_recovered\tfraction_recovered%s\n",
          m->sim_min ? "\tsim_min\timportance_min" : "");
  char(*name)[128] = dm_calloc("pattern names", (size_t)P, sizeof *name);
  char(*src)[512] = dm_calloc("pattern sources", (size_t)P, sizeof *src);
  int32_t *ts = dm_malloc("trim", 2 * (size_t)P * sizeof *ts);
  int64_t *cnt = dm_malloc("pattern counts", 3 * (size_t)P * sizeof *cnt);
  for (int j = 0; j < P; j++) {
    int k = 2 * j;
    double frac = g->n_seq[j] ? (double)g->n_rec[j] / (double)g->n_seq[j] : 0.0;
    fprintf(f, "%s\t%s\t%d\t%d\t%ld\t%ld\t%ld\t%.4f", m->label[j], m->source[j], bk->offset[k],
            bk->offset[k] + bk->width[k], (long)g->n_seq[j], (long)g->n_hits[j], (long)g->n_rec[j], frac);
    if (m->sim_min) fprintf(f, "\t%.6g\t%.6g", m->sim_min[j], m->imp_min[j]);
    fputc('\n', f);
    snprintf(name[j], sizeof name[j], "%s", m->label[j]);
    snprintf(src[j], sizeof src[j], "%s", m->source[j]);
    ts[j] = bk->offset[k], ts[P + j] = bk->offset[k] + bk->width[k];
    cnt[j] = g->n_seq[j], cnt[P + j] = g->n_hits[j], cnt[2 * P + j] = g->n_rec[j];
  }
  dm_h5_field_t pf[7] = {
      {"/patterns/name", DM_H5_STR, 0, {0}, 128, "task/sign/name of the pattern"},
      {"/patterns/source", DM_H5_STR, 0, {0}, 512, "modisco.h5 the pattern comes from"},
      {"/patterns/trim_start", DM_H5_I32, 0, {0}, 0, "first position of the CWM used (trimmed)"},
      {"/patterns/trim_end", DM_H5_I32, 0, {0}, 0, "one past the last position used"},
      {"/patterns/seqlets", DM_H5_I64, 0, {0}, 0, "seqlets of the pattern in its modisco.h5"},
      {"/patterns/hits", DM_H5_I64, 0, {0}, 0, "hits of the pattern"},
      {"/patterns/seqlets_recovered",
       DM_H5_I64,
       0,
       {0},
       0,
       "seqlets with a hit of the pattern at their centre"},
  };
  const void *pv[7] = {name, src, ts, ts + P, cnt, cnt + P, cnt + 2 * P};
  int bad = dm_h5_add_fields(g->h5, pf, 7, P, P) < 0;
  for (int i = 0; i < 7 && !bad; i++)
    bad = dm_h5_write_rows(g->h5, &pf[i], 0, P, pv[i], DM_H5_INDEPENDENT) < 0;
  if (m->sim_min && !bad) {
    dm_h5_field_t sf[2] = {{"/patterns/sim_min", DM_H5_F64, 0, {0}, 0, "scan: similarity threshold"},
                           {"/patterns/importance_min", DM_H5_F64, 0, {0}, 0, "scan: importance threshold"}};
    bad = dm_h5_add_fields(g->h5, sf, 2, P, P) < 0 ||
          dm_h5_write_rows(g->h5, &sf[0], 0, P, m->sim_min, DM_H5_INDEPENDENT) < 0 ||
          dm_h5_write_rows(g->h5, &sf[1], 0, P, m->imp_min, DM_H5_INDEPENDENT) < 0;
  }
  free(name), free(src), free(ts), free(cnt);
  return bad ? -1 : 0;
}

static int write_attrs(merge_t *g) {
  const dm_hits_merge_t *m = g->m;
  long long total = g->hits_done;
  return dm_h5_attr_set_string(g->h5, "/", "tool", "dmotif hits") < 0 ||
                 dm_h5_attr_set_string(g->h5, "/", "version", DM_VERSION) < 0 ||
                 dm_h5_attr_set_string(g->h5, "/", "method", m->method) < 0 ||
                 dm_h5_attr_set_string(g->h5, "/", "input_attr", m->attr) < 0 ||
                 dm_h5_attr_set_string(g->h5, "/", "parameters", m->params_yaml) < 0 ||
                 dm_h5_attr_set_string(g->h5, "/", "result_parameters", m->result_yaml) < 0 ||
                 dm_h5_attr_set_scalar(g->h5, "/", "n_hits", DM_H5_I64, &total) < 0
             ? -1
             : 0;
}

int dm_hits_merge(const dm_hits_merge_t *m, int64_t *n_hits) {
  merge_t g = {.m = m, .fit = strcmp(m->method, "finemo") == 0};
  int P = m->bank->n_patterns, rc = 0;
  g.n_hits = dm_calloc("pattern hits", (size_t)P, sizeof *g.n_hits);
  g.n_seq = dm_calloc("pattern seqlets", (size_t)P, sizeof *g.n_seq);
  g.n_rec = dm_calloc("pattern recovered", (size_t)P, sizeof *g.n_rec);
  for (int64_t s = 0; s < m->n_seqlets; s++) g.n_seq[m->seq_pattern[s]]++;
  int64_t total = 0;
  for (int64_t c = 0; c < m->n_chunks && rc == 0; c++) { /* pass 1: the number of hits */
    dm_hits_part_t p;
    if ((rc = dm_hits_part_read(m->parts, c, &p)) == 0) total += p.n;
    dm_hits_part_free(&p);
  }
  if (rc == 0) rc = open_outputs(&g, total);
  for (int64_t c = 0; c < m->n_chunks && rc == 0; c++) {
    dm_hits_part_t p;
    if ((rc = dm_hits_part_read(m->parts, c, &p)) == 0) rc = merge_chunk(&g, &p);
    dm_hits_part_free(&p);
  }
  if (rc == 0) rc = write_summary(&g);
  if (rc == 0) rc = write_attrs(&g);
  for (int i = 0; i < 3; i++)
    if (g.tsv[i] && fclose(g.tsv[i]) != 0) rc = -1;
  if (dm_h5_close(g.h5) < 0) rc = -1;
  for (int i = 0; i < OUT_COUNT; i++) { /* all complete: rename; else remove the temporary files */
    char final[4200];
    snprintf(final, sizeof final, "%s/%s", m->dir, dm_hits_outputs[i]);
    if (g.tmp[i][0] && dm_output_commit(g.tmp[i], final, rc == 0) < 0) rc = -1;
  }
  for (int i = 0; i < 6; i++) free(g.i64[i]);
  for (int i = 0; i < 3; i++) free(g.f64[i]);
  free(g.pat), free(g.cnt), free(g.chrom), free(g.strand), free(g.n_hits), free(g.n_seq), free(g.n_rec);
  *n_hits = g.hits_done;
  return rc;
}
