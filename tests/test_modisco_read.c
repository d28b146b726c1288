/* test_modisco_read: modisco.h5 written by dm_modisco_h5_write reads back
 * with the same matrices, seqlets, subpatterns and genomic columns; a file
 * with a malformed pattern is an error naming the object; CWM trimming on a
 * hand-worked matrix. */
#include <hdf5.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm_modisco_h5.h"
#include "dm_modisco_read.h"
#include "dm_test.h"

enum { N = 3, L = 24 };
static uint8_t onehot[N * L * 4];
static float hyp[N * L * 4];

static void make_tracks(dm_tracks_t *t) {
  for (int i = 0; i < N * L; i++) {
    int b = (i * 5 + 1) % 4;
    for (int c = 0; c < 4; c++) {
      hyp[i * 4 + c] = (float)(((i * 11 + c * 3) % 9) - 4) / 4.0f;
      onehot[i * 4 + c] = (uint8_t)(c == b);
    }
  }
  *t = (dm_tracks_t){onehot, hyp, N, L};
}

/* The read motif m equals pattern p: matrices, seqlets and their totals. */
static void same(const dm_motif_t *m, const dm_pattern_t *p, const dm_tracks_t *t) {
  CHECK(m->len == p->len, "%s: len %d vs %d", m->name, m->len, p->len);
  for (int i = 0; i < 4 * p->len && m->len == p->len; i++) {
    CHECK(m->ppm[i] == p->sequence[i], "%s ppm[%d]", m->name, i);
    CHECK(m->cwm[i] == p->contrib[i], "%s cwm[%d]", m->name, i);
    CHECK(m->hcwm[i] == p->hyp[i], "%s hcwm[%d]", m->name, i);
  }
  CHECK(m->n_seqlets == p->n_seqlets, "%s: %d seqlets", m->name, m->n_seqlets);
  for (int i = 0; i < p->n_seqlets && m->n_seqlets == p->n_seqlets; i++) {
    const dm_seqlet_t *s = &p->seqlets[i];
    CHECK(m->example_idx[i] == s->example && m->start[i] == s->start && m->end[i] == s->end &&
              m->is_revcomp[i] == s->is_revcomp,
          "%s seqlet %d", m->name, i);
    int ls = s->end - s->start;
    float *w = malloc(sizeof(float) * (size_t)ls * 12);
    dm_pattern_fetch(t, s, w, w + ls * 4, w + ls * 8);
    double tot = 0;
    for (int j = 0; j < ls * 4; j++) tot += w[ls * 4 + j];
    CLOSE(m->total[i], tot, 1e-12);
    free(w);
  }
}

int main(void) {
  dm_log_init(0, DM_LOG_ERROR);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  dm_tracks_t t;
  make_tracks(&t);
  char dir[] = "/tmp/dm_modisco_read_XXXXXX", path[128];
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  snprintf(path, sizeof path, "%s/modisco.h5", dir);

  dm_seqlet_t s[3] = {{.example = 0, .start = 2, .end = 12},
                      {.example = 2, .start = 10, .end = 20, .is_revcomp = 1},
                      {.example = 1, .start = 5, .end = 15}};
  dm_pattern_t *p = dm_pattern_from_seqlets(&t, s, 2);
  dm_pattern_t *q = dm_pattern_from_seqlets(&t, s + 1, 1);
  dm_pattern_t *r = dm_pattern_from_seqlets(&t, s + 2, 1);
  p->n_sub = 1;
  p->sub = malloc(sizeof *p->sub);
  p->sub_id = malloc(sizeof *p->sub_id);
  p->sub[0] = q;
  p->sub_id[0] = 0;
  dm_pattern_t *pats[2] = {p, r}, *negs[1] = {r};
  dm_modisco_metacluster_t pos = {1, 2, pats}, neg = {1, 1, negs};
  const char *chrom[N] = {"chr1", "chr2", "chrX"};
  int64_t rstart[N] = {100, 200, 1000};
  dm_modisco_regions_t g = {chrom, rstart};

  /* 1. round trip, with genomic columns */
  CHECK(dm_modisco_h5_write(path, &t, &pos, &neg, &g, NULL) == 0, "write");
  dm_motif_set_t *set = dm_modisco_read(path);
  CHECK(set != NULL, "read");
  if (set) {
    CHECK(set->n == 3 && set->has_pos && set->has_neg && set->window == L, "n %d window %lld", set->n,
          (long long)set->window);
    if (set->n == 3) {
      CHECK(strcmp(set->m[0].name, "pos_patterns/pattern_0") == 0 && set->m[0].sign == 1, "%s", set->m[0].name);
      CHECK(strcmp(set->m[2].name, "neg_patterns/pattern_0") == 0 && set->m[2].sign == -1, "%s", set->m[2].name);
      same(&set->m[0], p, &t);
      same(&set->m[1], r, &t);
      same(&set->m[2], r, &t);
      CHECK(set->m[0].n_sub == 1 && set->m[1].n_sub == 0, "subpatterns");
      if (set->m[0].n_sub == 1) {
        CHECK(set->m[0].sub[0].sub_index == 0 &&
                  strcmp(set->m[0].sub[0].name, "pos_patterns/pattern_0/subpattern_0") == 0,
              "%s", set->m[0].sub[0].name);
        same(&set->m[0].sub[0], q, &t);
      }
      const dm_motif_t *m = &set->m[0];
      CHECK(m->chrom && m->gstart && m->gend, "genomic columns");
      if (m->chrom)
        CHECK(strcmp(m->chrom[0], "chr1") == 0 && m->gstart[0] == 102 && m->gend[0] == 112 &&
                  strcmp(m->chrom[1], "chrX") == 0 && m->gstart[1] == 1010 && m->gend[1] == 1020,
              "genomic %s:%lld-%lld", m->chrom[0], (long long)m->gstart[0], (long long)m->gend[0]);
    }
  }
  dm_modisco_read_free(set);

  /* 2. lite schema (no genomic columns), no neg group */
  dm_modisco_metacluster_t none = {0, 0, NULL};
  CHECK(dm_modisco_h5_write(path, &t, &pos, &none, NULL, NULL) == 0, "write lite schema");
  set = dm_modisco_read(path);
  CHECK(set && set->n == 2 && set->has_pos && !set->has_neg && !set->m[0].chrom, "lite schema read");
  dm_modisco_read_free(set);

  /* 3. a pattern without contrib_scores is an error; so is a missing file */
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  CHECK(H5Ldelete(f, "pos_patterns/pattern_1/contrib_scores", H5P_DEFAULT) >= 0, "delete");
  H5Fclose(f);
  CHECK(dm_modisco_read(path) == NULL, "malformed pattern refused");
  remove(path);
  CHECK(dm_modisco_read(path) == NULL, "missing file refused");
  rmdir(dir);

  /* 4. trimming, hand-worked: sums |cwm| = 0.1 1 0.2 0.4 0.05 -> threshold 0.3
   * keeps positions 1..3; pad 1 -> [0, 5); pad 0 -> [1, 4) */
  double cwm[5 * 4] = {0.1, 0, 0, 0, -1, 0, 0, 0, 0, 0.1, -0.1, 0, 0, 0, 0.4, 0, 0.05, 0, 0, 0};
  int a, b;
  dm_motif_trim(cwm, 5, 0.3, 0, &a, &b);
  CHECK(a == 1 && b == 4, "trim [%d, %d)", a, b);
  dm_motif_trim(cwm, 5, 0.3, 1, &a, &b);
  CHECK(a == 0 && b == 5, "trim pad [%d, %d)", a, b);
  dm_motif_trim(cwm, 5, 0.5, 0, &a, &b);
  CHECK(a == 1 && b == 2, "trim 0.5 [%d, %d)", a, b);

  dm_pattern_destroy(p);
  dm_pattern_destroy(r);
  return dm_test_summary("test_modisco_read");
}
