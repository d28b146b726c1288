/* This object's header. */
#include "dm_report_export.h"

/* Standard headers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Library headers. */
#include <htslib/faidx.h>

/* Local headers. */
#include "dm_h5.h"
#include "dm_mem.h"
#include "dm_mpi.h"
#include "dm_output.h"
#include "dm_regions.h"

struct dm_report_genome {
  const char *attr;
  dm_mpi_t self;
  dm_h5_t *h;
  int64_t n, L;
  dm_region_t *reg; /* (n,) */
  dm_h5_field_t onehot;
  faidx_t *fai; /* or NULL */
};

dm_report_genome_t *dm_report_genome_open(const char *attr, const char *genome) {
  dm_report_genome_t *g = dm_calloc("genome", 1, sizeof *g);
  g->attr = attr;
  dm_mpi_init(&g->self, MPI_COMM_SELF);
  g->h = dm_h5_open(&g->self, attr, 0);
  dm_h5_field_t f;
  if (!g->h) goto fail;
  if (!dm_h5_exists(g->h, "/regions/start") ||
      dm_h5_field_info(g->h, "/regions/start", &f, &g->n, NULL) < 0) {
    dm_log_error("%s: no /regions: not an attr.h5 (or encode output) of dmotif", attr);
    goto fail;
  }
  if (dm_h5_field_info(g->h, "/onehot", &g->onehot, NULL, NULL) < 0 || g->onehot.ndims != 2) {
    dm_log_error("%s: no (N, L, 4) /onehot", attr);
    goto fail;
  }
  g->L = g->onehot.dims[0];
  g->onehot.type = DM_H5_U8;
  g->reg = dm_malloc("regions", (size_t)(g->n ? g->n : 1) * sizeof *g->reg);
  if (dm_regions_read(g->h, 0, g->n, g->reg, DM_H5_INDEPENDENT) < 0) goto fail;
  if (genome && !(g->fai = fai_load3(genome, NULL, NULL, FAI_CREATE))) {
    dm_log_error("%s: cannot open or index the genome FASTA", genome);
    goto fail;
  }
  return g;
fail:
  dm_report_genome_close(g);
  return NULL;
}

void dm_report_genome_close(dm_report_genome_t *g) {
  if (!g) return;
  if (g->h) (void)dm_h5_close(g->h);
  if (g->fai) fai_destroy(g->fai);
  free(g->reg);
  free(g);
}

// --- output files

int dm_report_out_open(dm_report_out_t *o, const char *path, const char *comment,
                       const char *comment_prefix) {
  o->path = dm_strdup("out path", path);
  o->tmp = dm_output_tmpname(path);
  if (!(o->fp = fopen(o->tmp, "w"))) {
    dm_log_error("%s: cannot create: %s", o->tmp, strerror(errno));
    return -1;
  }
  for (const char *s = comment; s && *s;) {
    size_t k = strcspn(s, "\n");
    fprintf(o->fp, "%s%.*s\n", comment_prefix, (int)k, s);
    s += k + (s[k] == '\n');
  }
  return 0;
}

int dm_report_out_close(dm_report_out_t *o, int ok) {
  if (!o->path) return ok ? 0 : -1;
  int rc = ok ? 0 : -1;
  if (o->fp && (ferror(o->fp) | fclose(o->fp)) && rc == 0) {
    dm_log_error("%s: write failed", o->tmp);
    rc = -1;
  }
  if (dm_output_commit(o->tmp, o->path, rc == 0) < 0) rc = -1;
  free(o->tmp);
  free(o->path);
  *o = (dm_report_out_t){0};
  return rc;
}

void dm_report_path_meme(char *buf, size_t cap, const char *dir, const char *label, int kind, int trimmed) {
  static const char *const kinds[3] = {"pfm", "cwm", "hcwm"};
  snprintf(buf, cap, "%s/motifs/%s.%s%s.meme", dir, label, kinds[kind], trimmed ? ".trimmed" : "");
}

void dm_report_path_seqlets(char *buf, size_t cap, const char *dir, const char *label, const char *pattern,
                            int fasta) {
  snprintf(buf, cap, "%s/seqlets/%s%s%s.%s", dir, label, pattern ? "." : "", pattern ? pattern : "",
           fasta ? "fa" : "bed");
}

// --- MEME

int dm_report_meme(const char *path, const dm_report_task_t *t, dm_meme_kind_t kind, int trimmed, double trim,
                   int pad, const char *comment) {
  dm_report_out_t o = {0};
  int rc = dm_report_out_open(&o, path, NULL, "");
  if (rc == 0) rc = dm_meme_write_header(o.fp, comment);
  for (int i = 0; rc == 0 && i < t->set->n; i++) {
    const dm_motif_t *m = &t->set->m[i];
    int a = 0, b = m->len;
    if (trimmed) dm_motif_trim(m->cwm, m->len, trim, pad, &a, &b);
    const double *src = kind == DM_MEME_PFM ? m->ppm : kind == DM_MEME_CWM ? m->cwm : m->hcwm;
    double *x = dm_malloc("meme rows", (size_t)(b - a) * 4 * sizeof *x);
    memcpy(x, src + 4 * a, (size_t)(b - a) * 4 * sizeof *x);
    if (kind == DM_MEME_PFM)
      for (int j = 0; j < b - a; j++) {
        double s = x[4 * j] + x[4 * j + 1] + x[4 * j + 2] + x[4 * j + 3];
        for (int c = 0; c < 4 && s > 0; c++) x[4 * j + c] /= s;
      }
    rc = dm_meme_write_motif(o.fp, t->pat[i].name, x, b - a, m->n_seqlets);
    free(x);
  }
  return dm_report_out_close(&o, rc == 0);
}

int dm_report_memes(const char *dir, const dm_report_task_t *t, double trim, int pad, const char *comment) {
  for (int k = 0; k < 3; k++)
    for (int tr = 0; tr < 2; tr++) {
      char path[4096];
      dm_report_path_meme(path, sizeof path, dir, t->label, k, tr);
      if (dm_report_meme(path, t, (dm_meme_kind_t)k, tr, trim, pad, comment) < 0) return -1;
    }
  return 0;
}

// --- matches

/* Consensus (argmax base of each row) of m (len, 4) into s (len + 1). */
static void consensus(const double *m, int len, char *s) {
  for (int i = 0; i < len; i++) {
    int best = 0;
    for (int b = 1; b < 4; b++)
      if (m[4 * i + b] > m[4 * i + best]) best = b;
    s[i] = "ACGT"[best];
  }
  s[len] = '\0';
}

int dm_report_matches_tsv(const char *path, const dm_report_t *r, const char *comment) {
  dm_report_out_t o = {0};
  int rc = dm_report_out_open(&o, path, comment, "# ");
  if (rc == 0)
    fprintf(o.fp,
            "file\tpattern\tquery_consensus\trank\tmotif\tmotif_consensus\toffset\tstrand\toverlap\t"
            "similarity\tp\tE\tq\n");
  for (int t = 0; rc == 0 && t < r->n_tasks; t++)
    for (int i = 0; i < r->tasks[t].set->n; i++) {
      const dm_report_pattern_t *p = &r->tasks[t].pat[i];
      char *qc = dm_malloc("consensus", (size_t)(p->q1 - p->q0) + 1);
      consensus(p->m->ppm + 4 * p->q0, p->q1 - p->q0, qc);
      for (int k = 0; k < p->n_hits; k++) {
        const dm_tomtom_hit_t *h = &p->hits[k];
        const dm_meme_motif_t *m = &r->db->m[h->target];
        double *x = dm_malloc("motif", (size_t)m->len * 4 * sizeof *x);
        char *mc = dm_malloc("consensus", (size_t)m->len + 1);
        dm_motif_strand(m->p, m->len, h->strand, x);
        consensus(x, m->len, mc);
        fprintf(o.fp, "%s\t%s\t%s\t%d\t%s\t%s\t%d\t%c\t%d\t%.4f\t%.4g\t%.4g\t%.4g\n", r->tasks[t].path,
                p->name, qc, k + 1, m->name, mc, h->offset, h->strand ? '-' : '+', h->overlap, h->sim, h->p,
                h->e, h->q);
        free(mc);
        free(x);
      }
      free(qc);
    }
  return dm_report_out_close(&o, rc == 0);
}

// --- seqlets

static char comp(char c) {
  switch (c) {
    case 'A':
      return 'T';
    case 'C':
      return 'G';
    case 'G':
      return 'C';
    case 'T':
      return 'A';
    case 'a':
      return 't';
    case 'c':
      return 'g';
    case 'g':
      return 'c';
    case 't':
      return 'a';
    default:
      return 'N';
  }
}

/* Bases of seqlet k of m (forward strand) into seq (len + 1). @return 0 or -1 */
static int seqlet_bases(dm_report_genome_t *g, const dm_motif_t *m, int k, const char *chrom, int64_t gs,
                        int64_t ge, char *seq, uint8_t *oh) {
  int64_t len = ge - gs;
  if (g->fai) {
    hts_pos_t got = 0;
    char *s = faidx_fetch_seq64(g->fai, chrom, gs, ge - 1, &got);
    if (!s || got != len) {
      dm_log_error("genome: cannot fetch %s:%lld-%lld (seqlet %d of %s)", chrom, (long long)gs, (long long)ge,
                   k, m->name);
      free(s);
      return -1;
    }
    memcpy(seq, s, (size_t)len);
    free(s);
  } else {
    if (dm_h5_read_rows(g->h, &g->onehot, m->example_idx[k], m->example_idx[k] + 1, oh, DM_H5_INDEPENDENT) <
        0)
      return -1;
    for (int64_t i = 0; i < len; i++) {
      const uint8_t *x = oh + 4 * (m->start[k] + i);
      seq[i] = x[0] ? 'A' : x[1] ? 'C' : x[2] ? 'G' : x[3] ? 'T' : 'N';
    }
  }
  seq[len] = '\0';
  return 0;
}

/* Write seqlet k of pattern p to the BED streams bed[0..1] and FASTA
 * streams fa[0..1] (NULL entries skipped; fa NULL: no FASTA). @return 0 or -1 */
static int seqlet(dm_report_genome_t *g, const dm_report_task_t *t, const dm_report_pattern_t *p, int k,
                  FILE *const *bed, FILE *const *fa, char *seq, uint8_t *oh) {
  const dm_motif_t *m = p->m;
  int64_t r = m->example_idx[k];
  if (r < 0 || r >= g->n || m->end[k] > g->L) {
    dm_log_error(
        "%s: %s seqlet %d: example %lld [%lld, %lld) is outside %s (%lld rows of %lld bp): "
        "Input:attr is not the attr.h5 of this run",
        t->path, m->name, k, (long long)r, (long long)m->start[k], (long long)m->end[k], g->attr,
        (long long)g->n, (long long)g->L);
    return -1;
  }
  const dm_region_t *reg = &g->reg[r];
  int64_t gs = reg->start + m->start[k], ge = reg->start + m->end[k], len = ge - gs;
  if (m->chrom && (strcmp(m->chrom[k], reg->chrom) || m->gstart[k] != gs || m->gend[k] != ge)) {
    dm_log_error(
        "%s: %s seqlet %d is at %s:%lld-%lld in the file but at %s:%lld-%lld by the regions of %s: "
        "Input:attr is not the attr.h5 of this run",
        t->path, m->name, k, m->chrom[k], (long long)m->gstart[k], (long long)m->gend[k], reg->chrom,
        (long long)gs, (long long)ge, g->attr);
    return -1;
  }
  char strand = m->is_revcomp[k] ? '-' : '+';
  for (int f = 0; f < 2; f++)
    if (bed[f])
      fprintf(bed[f], "%s\t%lld\t%lld\t%s\t%.6g\t%c\n", reg->chrom, (long long)gs, (long long)ge, p->name,
              m->total[k], strand);
  if (!fa) return 0;
  if (seqlet_bases(g, m, k, reg->chrom, gs, ge, seq, oh) < 0) return -1;
  if (strand == '-') {
    for (int64_t i = 0; i < len - 1 - i; i++) {
      char c = seq[i];
      seq[i] = comp(seq[len - 1 - i]);
      seq[len - 1 - i] = comp(c);
    }
    if (len % 2) seq[len / 2] = comp(seq[len / 2]);
  }
  for (int f = 0; f < 2; f++)
    if (fa[f])
      fprintf(fa[f], ">%s:%lld-%lld(%c) %s %d\n%s\n", reg->chrom, (long long)gs, (long long)ge, strand,
              p->name, k, seq);
  return 0;
}

/* Open the BED (and FASTA) file of a task's seqlets (pattern NULL: all). @return 0 or -1 */
static int open_pair(dm_report_out_t *o, const char *dir, const dm_report_task_t *t, const char *pattern,
                     int fasta, const char *comment) {
  char path[4096];
  dm_report_path_seqlets(path, sizeof path, dir, t->label, pattern, 0);
  if (dm_report_out_open(&o[0], path, comment, "# ") < 0) return -1;
  dm_report_path_seqlets(path, sizeof path, dir, t->label, pattern, 1);
  return fasta ? dm_report_out_open(&o[1], path, NULL, "") : 0;
}

/* Close both files of a pair (renamed when ok). @return 0 or -1 */
static int close_pair(dm_report_out_t *o, int ok) {
  int rc = dm_report_out_close(&o[0], ok);
  if (dm_report_out_close(&o[1], ok && rc == 0) < 0) rc = -1;
  return ok ? rc : -1;
}

int dm_report_seqlets(const char *dir, const dm_report_task_t *t, dm_report_genome_t *g, int fasta, int split,
                      const char *comment) {
  char *seq = dm_malloc("seqlet bases", (size_t)g->L + 1);
  uint8_t *oh = dm_malloc("onehot row", (size_t)g->L * 4);
  dm_report_out_t all[2] = {{0}};
  int rc = dir ? open_pair(all, dir, t, NULL, fasta, comment) : 0;
  for (int i = 0; rc == 0 && i < t->set->n; i++) {
    const dm_report_pattern_t *p = &t->pat[i];
    dm_report_out_t one[2] = {{0}};
    if (dir && split) rc = open_pair(one, dir, t, p->name, fasta, comment);
    FILE *bed[2] = {all[0].fp, one[0].fp}, *fa[2] = {all[1].fp, one[1].fp};
    for (int k = 0; rc == 0 && k < p->m->n_seqlets; k++)
      rc = seqlet(g, t, p, k, bed, dir && fasta ? fa : NULL, seq, oh);
    if (dir && split && close_pair(one, rc == 0) < 0) rc = -1;
  }
  if (dir && close_pair(all, rc == 0) < 0) rc = -1;
  free(oh);
  free(seq);
  return rc;
}
