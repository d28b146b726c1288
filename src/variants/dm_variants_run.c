/* This object's header. */
#include "dm_variants_run.h"

/* Standard headers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library headers. */
#include <htslib/faidx.h>

/* Local headers. */
#include "dm_chunks.h"
#include "dm_digest.h"
#include "dm_forward.h"
#include "dm_h5.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_model.h"
#include "dm_onehot.h"
#include "dm_output.h"
#include "dm_progress.h"
#include "dm_resume.h"
#include "dm_sched.h"
#include "dm_target.h"
#include "dm_varhits.h"
#include "dm_variant.h"
#include "dm_vcf.h"
#include "dm_version.h"

/* Datasets: the allele columns, then per task (target) its score columns:
 * the N_SCORES unit scores for a unit target, jsd for a profile target. */
enum { F_CHROM, F_ID, F_REF, F_ALT, F_POS, F_RECORD, F_FLAGS, F_TASKS };
#define N_SCORES 6
static const char *const score_names[N_SCORES] = {"logit_ref", "logit_alt", "pred_ref",
                                                  "pred_alt",  "logit_diff", "logfc"};
static const char *const score_desc[N_SCORES] = {
    "logit (pre-activation output) of the reference window", "logit of the alternate window",
    "model output of the reference window", "model output of the alternate window",
    "logit_alt - logit_ref", "log2(pred_alt / pred_ref)"};
static const char *const jsd_desc =
    "Jensen-Shannon distance between the softmax profiles of the reference and alternate windows";

/* State of one run on one rank. */
typedef struct {
  const dm_mpi_t *ctx;
  const dm_variants_job_t *job;
  dm_vcf_t *vcf;
  faidx_t *fai;
  dm_varhits_t *vh;   /* motif hits, or NULL */
  dm_model_t *model;
  dm_run_t *fw;
  dm_methods_t *expl;  /* explanation, or NULL */
  dm_ref_ws_t *refws;
  int R, W;            /* references per window, explanation half-width */
  float *refs, *hyp;   /* (2 batch, R, L, 4), (n_tasks, 2 batch, L, 4) */
  int K, span_cap;     /* null shuffles; bases of the longest genome span */
  dm_ref_opt_t null;   /* dinucleotide shuffles of the null */
  char *span;          /* (batch, span_cap) genome span of each allele of the batch */
  int *span_len;       /* (batch,) */
  float *spanx;        /* (span_cap, 4) one-hot of one span, then of its shuffle */
  dm_h5_t *h5;
  dm_sched_t *sched;
  int64_t n, n_chunks;
  int L, n_tasks, str_chrom, str_id, str_allele;
  dm_target_t *tg;    /* (n_tasks) the targets scored */
  int *foff;          /* (n_tasks + 1) first field of each target; foff[n_tasks] = all fields */
  dm_h5_field_t *fields;
  dm_resume_file_t file; /* the output as a resumable file */
  /* chunk buffers */
  char *win;          /* (2 batch, L) ref windows then alt windows */
  float *zref, *zalt, *yref, *yalt, *diff, *lfc; /* (batch) one unit target */
  float *ybuf;        /* (2 batch, largest output) activated outputs */
  char *s_chrom, *s_id, *s_ref, *s_alt; /* (C, str_*) */
  int64_t *pos, *record;
  uint8_t *flags;
  float *out;         /* (n_tasks, N_SCORES, C) */
  float *xout;        /* (n_tasks, 2, C, 2W+1, 4) explanation windows */
  float *nulld;       /* (n_tasks, C, K) null logit differences */
  float *pv;          /* (n_tasks, C) p-values, for the TSV */
  int32_t *hpat;      /* (C,) motif hit the allele falls in, -1 if none */
  int64_t *hstart, *hend; /* (C,) its trimmed motif */
  char *hstrand;      /* (C, 2) */
  float *hcwm;        /* (2, C) CWM score on the ref, alt window */
  /* rank 0 */
  int64_t rows_todo;
  dm_progress_t progress;
} run_t;

static void chunk_range(const run_t *r, int64_t c, int64_t *a, int64_t *b) {
  dm_chunk_range(r->n, r->job->chunk_rows, c, a, b);
}

static float *score_col(run_t *r, int t, int k) {
  return r->out + ((size_t)t * N_SCORES + (size_t)k) * (size_t)r->job->chunk_rows;
}

// --- output layout and attributes

/* Datasets of target t: its scores, hyp_ref and hyp_alt with an explanation,
 * null_<score> and pvalue with a null (of logit_diff, or of jsd). */
static int is_profile(const run_t *r, int t) { return r->tg[t].kind == DM_TARGET_PROFILE; }
static int n_scores(const run_t *r, int t) { return is_profile(r, t) ? 1 : N_SCORES; }
static int null_slot(const run_t *r, int t) { return is_profile(r, t) ? 0 : 4; }
static int k_null(const run_t *r, int t) { return n_scores(r, t) + (r->W ? 2 : 0); }
static int per_task(const run_t *r, int t) { return k_null(r, t) + (r->K ? 2 : 0); }
static const char *score_name(const run_t *r, int t, int k) { return is_profile(r, t) ? "jsd" : score_names[k]; }
static size_t out_size(const run_t *r, int o) {
  const dm_tensor_t *x = &r->model->tensors[r->model->outputs[o].tensor];
  return (size_t)x->len * (size_t)x->ch;
}
static float *null_block(run_t *r, int t) { return r->nulld + (size_t)t * (size_t)r->job->chunk_rows * (size_t)r->K; }

static float *expl_win(run_t *r, int t, int side) {
  size_t w = (size_t)r->job->chunk_rows * (size_t)(2 * r->W + 1) * 4;
  return r->xout + ((size_t)t * 2 + (size_t)side) * w;
}

static void make_fields(run_t *r) {
  r->foff = dm_malloc("field offsets", (size_t)(r->n_tasks + 1) * sizeof *r->foff);
  r->foff[0] = F_TASKS;
  for (int t = 0; t < r->n_tasks; t++) r->foff[t + 1] = r->foff[t] + per_task(r, t);
  int nf = r->foff[r->n_tasks] + (r->vh ? 6 : 0);
  dm_h5_field_t *f = r->fields = dm_calloc("variant fields", (size_t)nf, sizeof *r->fields);
  f[F_CHROM] = (dm_h5_field_t){"/variants/chrom", DM_H5_STR, 0, {0}, r->str_chrom, "VCF CHROM"};
  f[F_ID] = (dm_h5_field_t){"/variants/id", DM_H5_STR, 0, {0}, r->str_id, "VCF ID"};
  f[F_REF] = (dm_h5_field_t){"/variants/ref", DM_H5_STR, 0, {0}, r->str_allele, "VCF REF"};
  f[F_ALT] = (dm_h5_field_t){"/variants/alt", DM_H5_STR, 0, {0}, r->str_allele,
                             "one ALT allele (multi-allelic records are split)"};
  f[F_POS] = (dm_h5_field_t){"/variants/pos", DM_H5_I64, 0, {0}, 0, "VCF POS (1-based)"};
  f[F_RECORD] = (dm_h5_field_t){"/variants/record", DM_H5_I64, 0, {0}, 0, "record number in the VCF (1-based)"};
  f[F_FLAGS] = (dm_h5_field_t){"/variants/flags", DM_H5_U8, 0, {0}, 0,
                               "0: scored; bits 1 ref_mismatch, 2 off_chromosome_end, 4 unknown_contig, "
                               "8 alt_not_sequence"};
  for (int t = 0; t < r->n_tasks; t++) {
    char name[160];
    for (int k = 0; k < n_scores(r, t); k++) {
      snprintf(name, sizeof name, "/tasks/%s/%s", r->tg[t].name, score_name(r, t, k));
      f[r->foff[t] + k] = (dm_h5_field_t){dm_strdup("field name", name), DM_H5_F32, 0, {0}, 0,
                                          is_profile(r, t) ? jsd_desc : score_desc[k]};
    }
    for (int side = 0; side < 2 && r->W; side++) {
      snprintf(name, sizeof name, "/tasks/%s/hyp_%s", r->tg[t].name, side ? "alt" : "ref");
      f[r->foff[t] + n_scores(r, t) + side] =
          (dm_h5_field_t){dm_strdup("field name", name), DM_H5_F32, 2, {2 * r->W + 1, 4}, 0,
                          side ? "hypothetical contributions of the alternate window around the variant"
                               : "hypothetical contributions of the reference window around the variant"};
    }
    if (r->K) {
      snprintf(name, sizeof name, "/tasks/%s/null_%s", r->tg[t].name, score_name(r, t, null_slot(r, t)));
      f[r->foff[t] + k_null(r, t)] =
          (dm_h5_field_t){dm_strdup("field name", name), DM_H5_F32, 1, {r->K}, 0,
                          "the score of the allele in dinucleotide-shuffled contexts of its genome span"};
      snprintf(name, sizeof name, "/tasks/%s/pvalue", r->tg[t].name);
      f[r->foff[t] + k_null(r, t) + 1] =
          (dm_h5_field_t){dm_strdup("field name", name), DM_H5_F32, 0, {0}, 0,
                          "two-sided empirical p-value of the score against the pooled null of all alleles"};
    }
  }
  if (r->vh) {
    dm_h5_field_t *h = f + r->foff[r->n_tasks];
    h[0] = (dm_h5_field_t){"/motif_hits/pattern", DM_H5_I32, 0, {0}, 0,
                           "motif hit the REF overlaps: index into the root attribute hit_patterns, -1 none"};
    h[1] = (dm_h5_field_t){"/motif_hits/start", DM_H5_I64, 0, {0}, 0, "its trimmed motif, 0-based"};
    h[2] = (dm_h5_field_t){"/motif_hits/end", DM_H5_I64, 0, {0}, 0, "one past its last base"};
    h[3] = (dm_h5_field_t){"/motif_hits/strand", DM_H5_STR, 0, {0}, 2, "its strand"};
    h[4] = (dm_h5_field_t){"/motif_hits/cwm_ref", DM_H5_F32, 0, {0}, 0, "CWM score of the ref window at the hit"};
    h[5] = (dm_h5_field_t){"/motif_hits/cwm_alt", DM_H5_F32, 0, {0}, 0, "CWM score of the alt window at the hit"};
  }
}

/* All datasets but /done: the task fields and the motif hit fields. */
static int n_fields(const run_t *r) { return r->foff[r->n_tasks] + (r->vh ? 6 : 0); }

static void free_fields(run_t *r) {
  if (!r->fields) return;
  for (int i = F_TASKS; i < r->foff[r->n_tasks]; i++) free((char *)r->fields[i].name);
  free(r->fields);
  free(r->foff);
}

static int write_attrs(void *arg, dm_h5_t *h) {
  run_t *r = arg;
  const dm_variants_job_t *j = r->job;
  char vcf_hex[65], model_hex[65], weights_hex[65], tasks[2048] = "";
  if (dm_digest_sha256_file_all(r->ctx, j->vcf, vcf_hex) < 0 ||
      dm_digest_sha256_file_all(r->ctx, j->model, model_hex) < 0 ||
      dm_digest_sha256_file_all(r->ctx, j->weights, weights_hex) < 0)
    return -1;
  for (int t = 0, m = 0; t < r->n_tasks && m < (int)sizeof tasks - 100; t++)
    m += snprintf(tasks + m, sizeof tasks - (size_t)m, "%s%s", t ? "," : "", r->tg[t].name);
  const char *text[][2] = {{"tasks", tasks},
                           {"vcf", j->vcf},             {"vcf_sha256", vcf_hex},
                           {"genome", j->genome},       {"model_file", j->model},
                           {"model_sha256", model_hex}, {"weights_file", j->weights ? j->weights : "none"},
                           {"weights_sha256", weights_hex}};
  for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
    if (dm_h5_attr_set_string(h, "/", text[i][0], text[i][1]) < 0) return -1;
  long long len = r->L, chunk = j->chunk_rows;
  if (dm_h5_attr_set_scalar(h, "/", "length", DM_H5_I64, &len) < 0 ||
      dm_h5_attr_set_scalar(h, "/", "chunk_rows", DM_H5_I64, &chunk) < 0)
    return -1;
  if (r->vh) {
    size_t cap = (size_t)r->vh->n_patterns * 130 + 1;
    char *names = dm_calloc("hit patterns", cap, 1);
    for (int p = 0; p < r->vh->n_patterns; p++)
      snprintf(names + strlen(names), cap - strlen(names), "%s%s", p ? "," : "", r->vh->name[p]);
    int bad = dm_h5_attr_set_string(h, "/", "hit_patterns", names) < 0 ||
              dm_h5_attr_set_string(h, "/", "hits", j->hits) < 0;
    free(names);
    if (bad) return -1;
  }
  return 0;
}

// --- one chunk

/* Windows of allele a into wref, walt, its genome span into slot i of
 * r->span (with a null); @return its flags. */
static int allele_windows(run_t *r, const dm_vcf_allele_t *a, int i, char *wref, char *walt) {
  int flags = a->flags;
  memset(wref, 'N', (size_t)r->L);
  memset(walt, 'N', (size_t)r->L);
  if (flags) return flags;
  if (!faidx_has_seq(r->fai, a->chrom)) {
    dm_log_warn("%s: record %ld: contig %s is not in %s; not scored", r->job->vcf, (long)a->record, a->chrom,
                r->job->genome);
    return DM_VAR_UNKNOWN_CONTIG;
  }
  int64_t s, e, clen = faidx_seq_len(r->fai, a->chrom);
  dm_variant_span(a->pos - 1, r->L, a->len_ref, a->len_alt, &s, &e);
  if (s < 0 || e > clen) {
    dm_log_warn("%s: record %ld (%s:%ld): the %d-bp window runs off the chromosome end; not scored", r->job->vcf,
                (long)a->record, a->chrom, (long)a->pos, r->L);
    return DM_VAR_OFF_END;
  }
  hts_pos_t got = 0;
  char *g = faidx_fetch_seq64(r->fai, a->chrom, s, e - 1, &got);
  if (!g || got != e - s) dm_fatal("%s: cannot fetch %s:%ld-%ld", r->job->genome, a->chrom, (long)s, (long)e);
  if (!dm_variant_ref_matches(g, r->L, a->ref, a->len_ref)) {
    flags = DM_VAR_REF_MISMATCH;
    dm_log_warn("%s: record %ld (%s:%ld): REF %s does not match the genome (%.*s); not scored", r->job->vcf,
                (long)a->record, a->chrom, (long)a->pos, a->ref, a->len_ref, g + r->L / 2);
  } else {
    dm_variant_windows(g, r->L, a->ref, a->len_ref, a->alt, a->len_alt, wref, walt);
    if (r->K) {
      memcpy(r->span + (size_t)i * (size_t)r->span_cap, g, (size_t)(e - s));
      r->span_len[i] = (int)(e - s);
    }
  }
  free(g);
  return flags;
}

/* Explanation of alleles [a, a + n): attribution of the 2 x batch windows in
 * r->fw->in (ref windows, then alt windows), kept at the centre +- W. */
static void explain_batch(run_t *r, int64_t a, int n, int64_t off) {
  const int B = r->job->batch, L = r->L, W = r->W;
  const size_t L4 = (size_t)L * 4, w4 = (size_t)(2 * W + 1) * 4;
  memset(r->refs, 0, (size_t)2 * B * (size_t)r->R * L4 * sizeof(float));
  for (int i = 0; i < 2 * B; i++) {
    int row = i % B, side = i / B;
    if (row >= n || !dm_variant_scored(r->flags[off + row])) continue;
    if (dm_ref_load_f32(r->refws, r->fw->in + (size_t)i * L4, L) < 0 ||
        dm_ref_make(r->refws, &r->job->ref, 2 * (uint64_t)(a + row) + (uint64_t)side, 0, r->R,
                    r->refs + (size_t)i * (size_t)r->R * L4) < 0)
      dm_fatal("allele row %ld: cannot make references", (long)(a + row));
  }
  if (dm_methods_run(r->expl, 2 * B, L, r->fw->in, r->refs, r->hyp, NULL) < 0)
    dm_fatal("allele rows %ld..%ld: attribution failed", (long)a, (long)(a + n));
  for (int t = 0; t < r->n_tasks; t++)
    for (int side = 0; side < 2; side++)
      for (int i = 0; i < n; i++) {
        float *dst = expl_win(r, t, side) + (size_t)(off + i) * w4;
        const float *h = r->hyp + ((size_t)t * 2 * (size_t)B + (size_t)side * B + (size_t)i) * L4;
        if (dm_variant_scored(r->flags[off + i])) memcpy(dst, h + (size_t)(L / 2 - W) * 4, w4 * sizeof(float));
        else memset(dst, 0, w4 * sizeof(float));
      }
}

/* Null of alleles [a, a + n): for each shuffle j, the alleles' genome spans
 * shuffled (dinucleotide counts kept) with REF put back at its place, both
 * windows built by the same rule and run as one batch. */
static void null_batch(run_t *r, int64_t a, int n, int64_t off) {
  const int B = r->job->batch, L = r->L, F = L / 2;
  char *shuf = dm_malloc("null span", (size_t)r->span_cap);
  for (int j = 0; j < r->K; j++) {
    memset(r->win, 'N', (size_t)2 * (size_t)B * (size_t)L);
    for (int i = 0; i < n; i++) {
      const dm_vcf_allele_t *al = &r->vcf->a[a + i];
      if (!dm_variant_scored(r->flags[off + i])) continue;
      int len = r->span_len[i];
      dm_onehot_f32(r->span + (size_t)i * (size_t)r->span_cap, 1, len, r->spanx);
      if (dm_ref_load_f32(r->refws, r->spanx, len) < 0 ||
          dm_ref_make(r->refws, &r->null, (uint64_t)(a + i), j, 1, r->spanx) < 0)
        dm_fatal("allele row %ld: cannot shuffle its context", (long)(a + i));
      for (int l = 0; l < len; l++) {
        int c = 0;
        while (c < 4 && r->spanx[l * 4 + c] == 0.0f) c++;
        shuf[l] = "ACGTN"[c];
      }
      memcpy(shuf + F, al->ref, (size_t)al->len_ref);
      dm_variant_windows(shuf, L, al->ref, al->len_ref, al->alt, al->len_alt, r->win + (size_t)i * (size_t)L,
                         r->win + ((size_t)B + (size_t)i) * (size_t)L);
    }
    dm_onehot_f32(r->win, 2 * B, L, r->fw->in);
    dm_forward_run(r->fw, 2 * B);
    for (int t = 0; t < r->n_tasks; t++) {
      size_t sz = out_size(r, r->tg[t].output);
      const float *z = dm_forward_output(r->fw, r->tg[t].output);
      for (int i = 0; i < n; i++) {
        const float *zr = z + (size_t)i * sz, *za = z + ((size_t)B + (size_t)i) * sz;
        float v = is_profile(r, t) ? (float)dm_variant_jsd(zr, za, (int)sz) : za[r->tg[t].unit] - zr[r->tg[t].unit];
        null_block(r, t)[(size_t)(off + i) * (size_t)r->K + (size_t)j] = dm_variant_scored(r->flags[off + i]) ? v : NAN;
      }
    }
  }
  free(shuf);
}

/* Motif hits of alleles [a, a + n), whose windows are in r->win. */
static void hits_batch(run_t *r, int64_t a, int n, int64_t off) {
  const int B = r->job->batch, F = r->L / 2;
  for (int i = 0; i < n; i++) {
    const dm_vcf_allele_t *al = &r->vcf->a[a + i];
    int64_t k = off + i, p0 = al->pos - 1;
    const dm_varhit_t *h =
        dm_variant_scored(r->flags[k]) ? dm_varhits_find(r->vh, al->chrom, p0, p0 + al->len_ref) : NULL;
    r->hpat[k] = h ? h->pattern : -1;
    r->hstart[k] = h ? h->start : -1;
    r->hend[k] = h ? h->end : -1;
    r->hstrand[2 * k] = h ? h->strand : '.', r->hstrand[2 * k + 1] = 0;
    r->hcwm[k] = r->hcwm[r->job->chunk_rows + k] = NAN;
    if (!h) continue;
    int64_t o = h->start - (p0 - F), W = h->end - h->start; /* the hit's place in the windows */
    if (o < 0 || o + W > r->L) continue;
    const double *cwm = r->vh->cwm[h->pattern];
    r->hcwm[k] = (float)dm_varhits_cwm_score(cwm, (int)W, h->strand, r->win + (size_t)i * (size_t)r->L + o);
    r->hcwm[r->job->chunk_rows + k] =
        (float)dm_varhits_cwm_score(cwm, (int)W, h->strand, r->win + ((size_t)B + (size_t)i) * (size_t)r->L + o);
  }
}

/* Score alleles [a, a + n) (n <= batch) into the chunk buffers at offset off.
 * The model always runs on 2 x batch rows, so products have one shape. */
static void score_batch(run_t *r, int64_t a, int n, int64_t off) {
  const int B = r->job->batch;
  memset(r->win, 'N', (size_t)2 * (size_t)B * (size_t)r->L);
  for (int i = 0; i < n; i++) {
    const dm_vcf_allele_t *al = &r->vcf->a[a + i];
    r->flags[off + i] = (uint8_t)allele_windows(r, al, i, r->win + (size_t)i * (size_t)r->L,
                                                r->win + ((size_t)B + (size_t)i) * (size_t)r->L);
  }
  dm_onehot_f32(r->win, 2 * B, r->L, r->fw->in);
  dm_forward_run(r->fw, 2 * B);
  for (int t = 0; t < r->n_tasks; t++) {
    int o = r->tg[t].output;
    size_t sz = out_size(r, o), u = (size_t)r->tg[t].unit;
    const float *z = dm_forward_output(r->fw, o);
    if (is_profile(r, t)) {
      for (int i = 0; i < n; i++)
        score_col(r, t, 0)[off + i] = dm_variant_scored(r->flags[off + i])
                                          ? (float)dm_variant_jsd(z + (size_t)i * sz, z + ((size_t)B + i) * sz, (int)sz)
                                          : NAN;
      continue;
    }
    dm_model_activate_output(r->model, o, 2 * B, z, r->ybuf);
    for (int i = 0; i < B; i++) {
      r->zref[i] = z[(size_t)i * sz + u], r->zalt[i] = z[((size_t)B + i) * sz + u];
      r->yref[i] = r->ybuf[(size_t)i * sz + u], r->yalt[i] = r->ybuf[((size_t)B + i) * sz + u];
    }
    dm_variant_scores(B, 1, r->zref, r->zalt, r->yref, r->yalt, r->diff, r->lfc);
    if (r->model->outputs[o].act == DM_OUT_LINEAR) /* a log-counts head: log2 of exp(alt) / exp(ref) */
      for (int i = 0; i < B; i++) r->lfc[i] = (float)(r->diff[i] / M_LN2);
    const float *src[N_SCORES] = {r->zref, r->zalt, r->yref, r->yalt, r->diff, r->lfc};
    for (int k = 0; k < N_SCORES; k++)
      for (int i = 0; i < n; i++) score_col(r, t, k)[off + i] = dm_variant_scored(r->flags[off + i]) ? src[k][i] : NAN;
  }
  if (r->vh) hits_batch(r, a, n, off);
  if (r->W) explain_batch(r, a, n, off);
  if (r->K) null_batch(r, a, n, off);
}

static void put_str(char *dst, int len, const char *s) {
  memset(dst, 0, (size_t)len);
  memcpy(dst, s, strlen(s) < (size_t)len ? strlen(s) : (size_t)len - 1);
}

static void process_chunk(run_t *r, int64_t c) {
  int64_t a, b;
  chunk_range(r, c, &a, &b);
  for (int64_t i = a; i < b; i++) {
    const dm_vcf_allele_t *al = &r->vcf->a[i];
    int64_t k = i - a;
    put_str(r->s_chrom + k * r->str_chrom, r->str_chrom, al->chrom);
    put_str(r->s_id + k * r->str_id, r->str_id, al->id);
    put_str(r->s_ref + k * r->str_allele, r->str_allele, al->ref);
    put_str(r->s_alt + k * r->str_allele, r->str_allele, al->alt);
    r->pos[k] = al->pos;
    r->record[k] = al->record;
  }
  for (int64_t i = a; i < b; i += r->job->batch) {
    int n = (int)(b - i < r->job->batch ? b - i : r->job->batch);
    score_batch(r, i, n, i - a);
    dm_sched_poll(r->sched);
  }
  const void *cols[F_TASKS] = {r->s_chrom, r->s_id, r->s_ref, r->s_alt, r->pos, r->record, r->flags};
  int bad = 0;
  for (int f = 0; f < F_TASKS && !bad; f++)
    bad = dm_h5_write_rows(r->h5, &r->fields[f], a, b, cols[f], DM_H5_INDEPENDENT) < 0;
  for (int t = 0; t < r->n_tasks && !bad; t++)
    for (int k = 0; k < per_task(r, t) - (r->K ? 1 : 0) && !bad; k++) /* pvalue: when every chunk is done */
      bad = dm_h5_write_rows(r->h5, &r->fields[r->foff[t] + k], a, b,
                             k < n_scores(r, t)  ? score_col(r, t, k)
                             : k < k_null(r, t) ? expl_win(r, t, k - n_scores(r, t))
                                                : null_block(r, t),
                             DM_H5_INDEPENDENT) < 0;
  if (r->vh) {
    const void *hc[6] = {r->hpat, r->hstart, r->hend, r->hstrand, r->hcwm, r->hcwm + r->job->chunk_rows};
    for (int k = 0; k < 6 && !bad; k++)
      bad = dm_h5_write_rows(r->h5, &r->fields[r->foff[r->n_tasks] + k], a, b, hc[k], DM_H5_INDEPENDENT) < 0;
  }
  if (bad) dm_fatal("%s: cannot write rows %ld..%ld", r->job->output, (long)a, (long)b);
}

static void chunk_done(void *arg, int64_t c) {
  run_t *r = arg;
  dm_resume_mark(r->h5, &r->file, c);
  int64_t a, b;
  chunk_range(r, c, &a, &b);
  dm_progress_add(&r->progress, b - a);
}

// --- the TSV, from the finished file (rank 0)

static const char *flag_text(int f, char *buf, size_t n) {
  static const char *const names[4] = {"ref_mismatch", "off_chromosome_end", "unknown_contig", "alt_not_sequence"};
  buf[0] = 0;
  if (!f) return "ok";
  for (int k = 0; k < 4; k++)
    if (f & (1 << k)) snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", buf[0] ? "," : "", names[k]);
  return buf;
}

/* Rank 0, every chunk done: the p-values of every allele and task. */
static int write_pvalues(run_t *r) {
  int64_t N = r->n, K = r->K;
  float *null = dm_malloc("pooled null", (size_t)(N ? N : 1) * (size_t)K * sizeof(float));
  float *obs = dm_malloc("logit diffs", (size_t)(N ? N : 1) * sizeof(float));
  float *p = dm_malloc("p-values", (size_t)(N ? N : 1) * sizeof(float));
  int bad = 0;
  for (int t = 0; t < r->n_tasks && !bad && N; t++) {
    const dm_h5_field_t *f = &r->fields[r->foff[t]];
    bad = dm_h5_read_rows(r->h5, &f[k_null(r, t)], 0, N, null, DM_H5_INDEPENDENT) < 0 ||
          dm_h5_read_rows(r->h5, &f[null_slot(r, t)], 0, N, obs, DM_H5_INDEPENDENT) < 0;
    if (bad) break;
    dm_variant_pvalues(N * K, null, N, obs, p);
    bad = dm_h5_write_rows(r->h5, &f[k_null(r, t) + 1], 0, N, p, DM_H5_INDEPENDENT) < 0;
  }
  free(null), free(obs), free(p);
  return bad ? -1 : 0;
}

static int write_tsv(run_t *r) {
  const dm_variants_job_t *j = r->job;
  char *tmp = dm_output_tmpname(j->tsv);
  FILE *fp = fopen(tmp, "w");
  if (!fp) {
    dm_log_error("%s: cannot create", tmp);
    free(tmp);
    return -1;
  }
  fprintf(fp, "## dmotif variants %s\n## parameters:\n", DM_VERSION);
  for (const char *l = j->params_yaml; *l;) {
    size_t k = strcspn(l, "\n");
    fprintf(fp, "##   %.*s\n", (int)k, l);
    l += k + (l[k] == '\n');
  }
  fprintf(fp, "chrom\tpos\tid\tref\talt\tflags");
  for (int t = 0; t < r->n_tasks; t++) {
    for (int k = 0; k < n_scores(r, t); k++) fprintf(fp, "\t%s_%s", score_name(r, t, k), r->tg[t].name);
    if (r->K) fprintf(fp, "\tpvalue_%s", r->tg[t].name);
  }
  if (r->vh) fprintf(fp, "\thit_pattern\thit_start\thit_end\thit_strand\tcwm_ref\tcwm_alt");
  fputc('\n', fp);
  int64_t C = j->chunk_rows, cnt[5] = {0};
  int bad = 0;
  for (int64_t a = 0; a < r->n && !bad; a += C) {
    int64_t b = a + C < r->n ? a + C : r->n;
    const void *cols[F_TASKS] = {r->s_chrom, r->s_id, r->s_ref, r->s_alt, r->pos, r->record, r->flags};
    for (int f = 0; f < F_TASKS && !bad; f++)
      bad = dm_h5_read_rows(r->h5, &r->fields[f], a, b, (void *)cols[f], DM_H5_INDEPENDENT) < 0;
    for (int t = 0; t < r->n_tasks && !bad; t++)
      for (int k = 0; k < n_scores(r, t) && !bad; k++)
        bad = dm_h5_read_rows(r->h5, &r->fields[r->foff[t] + k], a, b, score_col(r, t, k), DM_H5_INDEPENDENT) < 0;
    for (int t = 0; t < r->n_tasks && r->K && !bad; t++)
      bad = dm_h5_read_rows(r->h5, &r->fields[r->foff[t] + k_null(r, t) + 1], a, b, r->pv + (size_t)t * (size_t)C,
                            DM_H5_INDEPENDENT) < 0;
    void *hc[6] = {r->hpat, r->hstart, r->hend, r->hstrand, r->hcwm, r->hcwm + C};
    for (int k = 0; k < 6 && r->vh && !bad; k++)
      bad = dm_h5_read_rows(r->h5, &r->fields[r->foff[r->n_tasks] + k], a, b, hc[k], DM_H5_INDEPENDENT) < 0;
    for (int64_t i = 0; i < b - a && !bad; i++) {
      char fb[96];
      cnt[4] += r->flags[i] == 0;
      for (int k = 0; k < 4; k++) cnt[k] += (r->flags[i] >> k) & 1;
      fprintf(fp, "%s\t%ld\t%s\t%s\t%s\t%s", r->s_chrom + i * r->str_chrom, (long)r->pos[i],
              r->s_id + i * r->str_id, r->s_ref + i * r->str_allele, r->s_alt + i * r->str_allele,
              flag_text(r->flags[i], fb, sizeof fb));
      for (int t = 0; t < r->n_tasks; t++)
        for (int k = 0; k < n_scores(r, t) + (r->K ? 1 : 0); k++) {
          float v = k < n_scores(r, t) ? score_col(r, t, k)[i] : r->pv[(size_t)t * (size_t)C + (size_t)i];
          if (isnan(v)) fputs("\tNA", fp);
          else fprintf(fp, "\t%.6g", v);
        }
      if (r->vh && r->hpat[i] < 0) fputs("\t.\tNA\tNA\t.\tNA\tNA", fp);
      else if (r->vh) {
        fprintf(fp, "\t%s\t%ld\t%ld\t%c", r->vh->name[r->hpat[i]], (long)r->hstart[i], (long)r->hend[i], r->hstrand[2 * i]);
        for (int k = 0; k < 2; k++) {
          float v = r->hcwm[(size_t)k * (size_t)C + (size_t)i];
          if (isnan(v)) fputs("\tNA", fp);
          else fprintf(fp, "\t%.6g", v);
        }
      }
      fputc('\n', fp);
    }
  }
  int ok = fclose(fp) == 0 && !bad;
  if (!ok) dm_log_error("%s: cannot write the TSV (disk full?)", tmp);
  int rc = dm_output_commit(tmp, j->tsv, ok);
  free(tmp);
  if (rc < 0) return -1;
  dm_log_info("%ld alleles scored; not scored: %ld REF mismatch, %ld off a chromosome end, %ld unknown contig, "
              "%ld ALT not a sequence",
              (long)cnt[4], (long)cnt[0], (long)cnt[1], (long)cnt[2], (long)cnt[3]);
  return 0;
}

// --- set-up and the run

static int setup(run_t *r) {
  const dm_variants_job_t *j = r->job;
  int ok = 1, prev = dm_log_collective(1);
  if (r->ctx->rank == 0) {
    ok = (r->vcf = dm_vcf_read(j->vcf, 0)) != NULL && (r->model = dm_model_load(j->model, j->weights)) != NULL &&
         (r->fai = fai_load3(j->genome, NULL, NULL, FAI_CREATE)) != NULL;
    if (ok && r->vcf->n == 0) dm_log_warn("%s: no variants", j->vcf);
    if (r->model && !r->fai) dm_log_error("%s: cannot open or index the genome FASTA", j->genome);
  }
  DM_MPI_CHECK(MPI_Bcast(&ok, 1, MPI_INT, 0, r->ctx->comm));
  dm_log_collective(prev);
  if (!ok) return -1;
  if (r->ctx->rank != 0 && (!(r->vcf = dm_vcf_read(j->vcf, 1)) || !(r->model = dm_model_load(j->model, j->weights)) ||
                            !(r->fai = fai_load(j->genome))))
    dm_fatal("rank %d cannot load the inputs", r->ctx->rank);
  r->n = r->vcf->n;
  r->L = r->model->in_len;
  r->n_chunks = (r->n + j->chunk_rows - 1) / j->chunk_rows;
  prev = dm_log_collective(1); /* every rank checks the same targets: one message */
  ok = r->model->in_ch == 4;
  if (!ok) dm_log_error("%s: the model input has %d channels, not the 4 of one-hot DNA", r->model->source, r->model->in_ch);
  if (ok && j->targets && j->tasks) {
    dm_log_error("give Variants:targets or Variants:tasks, not both");
    ok = 0;
  } else if (ok) {
    r->n_tasks = j->targets ? dm_target_parse_list(r->model, j->targets, &r->tg)
                            : dm_target_units(r->model, j->tasks, j->tasks ? j->n_tasks : 0, &r->tg);
    ok = r->n_tasks > 0;
  }
  dm_log_collective(prev);
  if (!ok) return -1;
  r->str_chrom = r->str_id = 2;
  r->str_allele = r->vcf->max_allele + 1;
  for (int64_t i = 0; i < r->n; i++) {
    int c = (int)strlen(r->vcf->a[i].chrom) + 1, d = (int)strlen(r->vcf->a[i].id) + 1;
    if (c > r->str_chrom) r->str_chrom = c;
    if (d > r->str_id) r->str_id = d;
  }
  if (j->hits && !(r->vh = dm_varhits_load(r->ctx, j->hits))) return -1;
  r->fw = dm_forward_init(r->model, 2 * j->batch, 1);
  r->W = j->explain_window;
  if (r->W) {
    prev = dm_log_collective(1);
    if (r->W >= (r->L + 1) / 2) {
      dm_log_error("Variants:explain_window (%d) must be below half the model length (%d)", r->W, r->L);
      dm_log_collective(prev);
      return -1;
    }
    dm_log_collective(prev);
    r->R = dm_methods_uses_refs(j->attr.method) ? dm_ref_count(&j->ref) : 0;
    r->expl = dm_methods_init(r->model, &j->attr, r->tg, r->n_tasks, 2 * j->batch, r->R ? r->R : 1);
    if (!r->expl) return -1;
  }
  r->K = j->null_shuffles;
  r->span_cap = r->L + r->vcf->max_allele + 1;
  if (r->K) {
    dm_ref_opt_init(&r->null);
    r->null.kind = DM_REF_DINUC_SHUFFLE;
    r->null.n_refs = r->K;
    r->null.seed = j->null_seed;
  }
  if ((r->W || r->K) && !(r->refws = dm_ref_ws_init(r->span_cap))) return -1;
  return 0;
}

static void alloc_buffers(run_t *r) {
  size_t C = (size_t)r->job->chunk_rows, B = (size_t)r->job->batch, T = (size_t)r->n_tasks, big = 1;
  r->win = dm_malloc("variant windows", 2 * B * (size_t)r->L);
  float **bt[6] = {&r->zref, &r->zalt, &r->yref, &r->yalt, &r->diff, &r->lfc};
  for (int k = 0; k < 6; k++) *bt[k] = dm_malloc("batch scores", B * sizeof(float));
  for (int o = 0; o < r->model->n_outputs; o++)
    if (out_size(r, o) > big) big = out_size(r, o);
  r->ybuf = dm_malloc("activated outputs", 2 * B * big * sizeof(float));
  r->s_chrom = dm_malloc("chroms", C * (size_t)r->str_chrom);
  r->s_id = dm_malloc("ids", C * (size_t)r->str_id);
  r->s_ref = dm_malloc("refs", C * (size_t)r->str_allele);
  r->s_alt = dm_malloc("alts", C * (size_t)r->str_allele);
  r->pos = dm_malloc("positions", C * sizeof *r->pos);
  r->record = dm_malloc("records", C * sizeof *r->record);
  r->flags = dm_malloc("flags", C);
  r->out = dm_malloc("chunk scores", (size_t)(r->n_tasks ? r->n_tasks : 1) * N_SCORES * C * sizeof(float));
  if (r->W) {
    size_t L4 = (size_t)r->L * 4, R = (size_t)(r->R ? r->R : 1);
    r->refs = dm_malloc("explanation references", 2 * B * R * L4 * sizeof(float));
    r->hyp = dm_malloc("explanation hyp", T * 2 * B * L4 * sizeof(float));
    r->xout = dm_malloc("explanation windows",
                        (size_t)r->n_tasks * 2 * C * (size_t)(2 * r->W + 1) * 4 * sizeof(float));
  }
  if (r->vh) {
    r->hpat = dm_malloc("hit patterns", C * sizeof *r->hpat);
    r->hstart = dm_malloc("hit starts", C * sizeof *r->hstart);
    r->hend = dm_malloc("hit ends", C * sizeof *r->hend);
    r->hstrand = dm_malloc("hit strands", 2 * C);
    r->hcwm = dm_malloc("hit CWM scores", 2 * C * sizeof *r->hcwm);
  }
  if (r->K) {
    r->span = dm_malloc("spans", B * (size_t)r->span_cap);
    r->span_len = dm_calloc("span lengths", B, sizeof *r->span_len);
    r->spanx = dm_malloc("span one-hot", (size_t)r->span_cap * 4 * sizeof(float));
    r->nulld = dm_malloc("null scores", (size_t)r->n_tasks * C * (size_t)r->K * sizeof(float));
    r->pv = dm_malloc("p-values", (size_t)r->n_tasks * C * sizeof(float));
  }
}

static int run(run_t *r) {
  if (setup(r) < 0) return -1;
  make_fields(r);
  const dm_variants_job_t *j = r->job;
  r->file = (dm_resume_file_t){j->output,  "dmotif variants", j->params_yaml, j->result_yaml,
                               j->resume, j->overwrite,       r->n,          j->chunk_rows};
  int resumed = dm_resume_open(r->ctx, &r->file, &r->h5);
  if (resumed < 0) return -1;
  if (!resumed && !(r->h5 = dm_resume_create(r->ctx, &r->file, r->fields, n_fields(r), write_attrs, r))) return -1;
  alloc_buffers(r);
  int64_t n_todo = 0, *todo = r->ctx->rank == 0 ? dm_resume_todo(r->h5, &r->file, &n_todo, &r->rows_todo) : NULL;
  if (r->ctx->rank == 0) {
    double macs = 0;
    for (int i = 0; i < r->model->n_nodes; i++) macs += dm_ops_macs(&r->model->nodes[i]);
    dm_log_info("%s: %ld alleles, model length %d (%.2f MFLOP per allele: 2 windows), %d task(s); %ld of %ld "
                "chunks to do%s",
                r->job->output, (long)r->n, r->L, 4e-6 * macs, r->n_tasks, (long)n_todo, (long)r->n_chunks,
                resumed ? " (resumed)" : "");
  }
  dm_progress_start(&r->progress, "variants", r->rows_todo, r->job->progress_seconds);
  r->sched = dm_sched_init(r->ctx, todo, n_todo, chunk_done, r);
  free(todo);
  for (int64_t c; (c = dm_sched_next(r->sched)) >= 0;) process_chunk(r, c);
  dm_sched_finish(r->sched);
  r->sched = NULL;
  int rc = 0;
  if (r->ctx->rank == 0) rc = (r->K ? write_pvalues(r) : 0) < 0 ? -1 : write_tsv(r);
  DM_MPI_CHECK(MPI_Bcast(&rc, 1, MPI_INT, 0, r->ctx->comm));
  if (rc) return -1;
  return dm_h5_attr_set_string(r->h5, "/", "status", "complete");
}

int dm_variants_run_job(const dm_mpi_t *ctx, const dm_variants_job_t *job) {
  run_t r = {.ctx = ctx, .job = job};
  int rc = run(&r);
  if (dm_h5_close(r.h5) < 0) rc = -1;
  DM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &rc, 1, MPI_INT, MPI_MIN, ctx->comm));
  if (rc == 0 && ctx->rank == 0) dm_log_info("%s, %s: complete", job->output, job->tsv);
  free(r.win), free(r.zref), free(r.zalt), free(r.yref), free(r.yalt), free(r.diff), free(r.lfc);
  free(r.s_chrom), free(r.s_id), free(r.s_ref), free(r.s_alt), free(r.pos), free(r.record), free(r.flags);
  free(r.out), free(r.tg), free(r.ybuf), free(r.refs), free(r.hyp), free(r.xout);
  free(r.span), free(r.span_len), free(r.spanx), free(r.nulld), free(r.pv);
  free(r.hpat), free(r.hstart), free(r.hend), free(r.hstrand), free(r.hcwm);
  dm_varhits_free(r.vh);
  dm_methods_destroy(r.expl);
  dm_ref_ws_destroy(r.refws);
  free_fields(&r);
  dm_forward_destroy(r.fw);
  if (r.fai) fai_destroy(r.fai);
  dm_model_destroy(r.model);
  dm_vcf_free(r.vcf);
  return rc < 0 ? 1 : 0;
}
