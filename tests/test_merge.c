/* test_merge: AUROC against brute force; rule parsing and parameters; two
 * copies of one motif (the second reverse-complemented and shifted) merge,
 * a different motif stays apart. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_merge.h"
#include "dm_test.h"

/* A member: example, [start, end), strand. */
#define SQ(e, s, en, rc) ((dm_seqlet_t){.example = (e), .start = (s), .end = (en), .is_revcomp = (rc)})

static unsigned long lcg_state = 12345;
static double urand(void) {
  lcg_state = lcg_state * 6364136223846793005UL + 1442695040888963407UL;
  return (double)(lcg_state >> 11) / 9007199254740992.0;
}

static void test_auroc(void) {
  enum { NN = 57, NP = 43 };
  float neg[NN], pos[NP], n2[NN], p2[NP];
  for (int i = 0; i < NN; i++) neg[i] = n2[i] = (float)(int)(urand() * 10) / 10;
  for (int i = 0; i < NP; i++) pos[i] = p2[i] = (float)(int)(urand() * 10 + 3) / 10;
  double brute = 0;
  for (int i = 0; i < NP; i++)
    for (int j = 0; j < NN; j++) brute += pos[i] > neg[j] ? 1 : pos[i] == neg[j] ? 0.5 : 0;
  brute /= (double)NN * NP;
  CLOSE(dm_merge_auroc(n2, NN, p2, NP), brute, 1e-12);
  CHECK(brute > 0.6 && brute < 1, "a case with ties and overlap: %g", brute);
  float a[3] = {1, 2, 3}, b[2] = {0, 0.5f};
  CLOSE(dm_merge_auroc(b, 2, a, 3), 1.0, 1e-12);
  CLOSE(dm_merge_auroc(a, 3, b, 2), 0.0, 1e-12);
  float c[2] = {1, 1}, d[2] = {1, 1};
  CLOSE(dm_merge_auroc(c, 2, d, 2), 0.5, 1e-12);
  CLOSE(dm_merge_auroc(c, 0, d, 2), 0.5, 1e-12);
}

static void test_params(void) {
  double r[DM_MERGE_MAX_RULES][2];
  CHECK(dm_merge_parse_rules("(0.8,0.8) (0.5, 0.85),(0.2,0.9)", r) == 3 && r[1][0] == 0.5 &&
            r[1][1] == 0.85 && r[2][1] == 0.9,
        "three rules");
  CHECK(dm_merge_parse_rules("", r) == 0, "no rule");
  CHECK(dm_merge_parse_rules("(0.8 0.8)", r) == -1, "malformed");
  CHECK(dm_merge_parse_rules("(1,1) x", r) == -1, "trailing text");
  static const dm_param_spec_t spec[] = {DM_PATTERN_PARAMS, DM_MERGE_PARAMS};
  dm_params_t *p = dm_params_init(spec, (int)(sizeof spec / sizeof *spec));
  dm_pattern_opt_t po, pd;
  dm_merge_opt_t mo, md;
  memset(&po, 0, sizeof po);
  memset(&pd, 0, sizeof pd);
  memset(&mo, 0, sizeof mo);
  dm_pattern_opt_init(&pd);
  dm_merge_opt_init(&md);
  CHECK(dm_pattern_opt_from_params(&po, p) == 0 && memcmp(&po, &pd, sizeof po) == 0,
        "Patterns: defaults of the table = dm_pattern_opt_init");
  CHECK(dm_merge_opt_from_params(&mo, p) == 0 && mo.n_merge == md.n_merge &&
            mo.n_dealbreak == md.n_dealbreak && memcmp(mo.merge, md.merge, sizeof mo.merge) == 0 &&
            memcmp(mo.dealbreak, md.dealbreak, sizeof mo.dealbreak) == 0 && mo.max_seqlets_subsample == 1000 &&
            mo.seed == 1234,
        "Merge: defaults of the table = dm_merge_opt_init");
  CHECK(dm_params_set(p, "Patterns:trim_to_window_size=12") == 0 &&
            dm_params_set(p, "Merge:merge_thresholds=(0.1,0.2)") == 0,
        "overrides");
  CHECK(dm_pattern_opt_from_params(&po, p) == 0 && po.window_size == 12, "window override");
  CHECK(dm_merge_opt_from_params(&mo, p) == 0 && mo.n_merge == 1 && mo.merge[0][1] == 0.2, "rules override");
  CHECK(dm_params_set(p, "Merge:merge_thresholds=0.1,0.2") == 0 && dm_merge_opt_from_params(&mo, p) < 0,
        "malformed rules are rejected");
  dm_params_destroy(p);
}

// --- planted motifs

enum { N = 45, L = 40, MW = 8, PER = 15 };
static uint8_t oh[N * L * 4];
static float hy[N * L * 4];
static const char *MA = "GATTCAGT", *MB = "CCGCGGAC";

/* Examples 0..14: motif A at 15; 15..29: reverse complement of A at 17;
 * 30..44: motif B at 15. Random background bases and small random hyp. */
static void make_tracks(dm_tracks_t *t) {
  for (int e = 0; e < N; e++)
    for (int l = 0; l < L; l++) {
      int b = (int)(urand() * 4);
      for (int c = 0; c < 4; c++) {
        int i = (e * L + l) * 4 + c;
        oh[i] = (uint8_t)(c == b);
        hy[i] = (float)(0.1 * (urand() - 0.5));
      }
    }
  for (int e = 0; e < N; e++) {
    const char *m = e < 2 * PER ? MA : MB;
    int rc = e >= PER && e < 2 * PER, at = rc ? 17 : 15;
    double scale = 0.8 + 0.4 * urand();
    for (int j = 0; j < MW; j++)
      for (int c = 0; c < 4; c++) {
        int l = rc ? at + MW - 1 - j : at + j, cc = rc ? 3 - c : c;
        int i = (e * L + l) * 4 + cc;
        double v = ("ACGT"[c] == m[j]) ? 1.0 + 0.1 * j : -0.1 - 0.02 * c;
        hy[i] = (float)(scale * v + 0.05 * (urand() - 0.5));
        oh[i] = (uint8_t)("ACGT"[c] == m[j]);
      }
  }
  *t = (dm_tracks_t){oh, hy, N, L};
}

static dm_pattern_t *cluster(const dm_tracks_t *t, int first, int start, const dm_pattern_opt_t *o,
                             const double bg[4]) {
  dm_seqlet_t s[PER];
  for (int k = 0; k < PER; k++) s[k] = SQ(first + k, start, start + 14, 0);
  return dm_pattern_from_cluster(t, s, PER, o, bg, +1);
}

/* Start of the motif's 8 bp in a pattern (-1 if its PPM does not spell it). */
static int find(const dm_pattern_t *p, const char *m, int rc) {
  for (int s = 0; s + MW <= p->len; s++) {
    int ok = 1;
    for (int j = 0; j < MW && ok; j++) {
      char b = rc ? "TGCA"[strchr("ACGT", m[MW - 1 - j]) - "ACGT"] : m[j];
      int c = (int)(strchr("ACGT", b) - "ACGT");
      ok = p->sequence[(s + j) * 4 + c] > 0.999;
    }
    if (ok) return s;
  }
  return -1;
}

static void test_merge(void) {
  dm_tracks_t t;
  make_tracks(&t);
  dm_pattern_opt_t po;
  dm_merge_opt_t mo;
  dm_pattern_opt_init(&po);
  dm_merge_opt_init(&mo);
  po.window_size = 10;
  po.flank = 3;
  double bg[4] = {0.25, 0.25, 0.25, 0.25};
  /* A forward; A reverse-complemented, windows shifted by 3; B */
  dm_pattern_t *pa = cluster(&t, 0, 12, &po, bg), *pa2 = cluster(&t, PER, 17, &po, bg);
  dm_pattern_t *pb = cluster(&t, 2 * PER, 12, &po, bg);
  CHECK(pa && pa2 && pb, "three patterns");
  if (!pa || !pa2 || !pb) return;
  CHECK(pa->n_seqlets == PER && pa2->n_seqlets == PER && pb->n_seqlets == PER, "15 members each");
  CHECK(find(pa, MA, 0) >= 0 && find(pa2, MA, 1) >= 0 && find(pb, MB, 0) >= 0,
        "patterns spell their motifs (A, rc A, B)");
  double sim, auroc;
  CHECK(dm_merge_compare(pa, pa2, &t, &po, &mo, &sim, &auroc) == 0, "compare A A'");
  CHECK(sim > 0.9 && fabs(auroc - 0.5) < 0.2, "copies: sim %g auroc %g", sim, auroc);
  double sim2, auroc2;
  CHECK(dm_merge_compare(pa, pb, &t, &po, &mo, &sim2, &auroc2) == 0, "compare A B");
  CHECK(sim2 < 0.5 && auroc2 > 0.95, "different: sim %g auroc %g", sim2, auroc2);
  /* subsampling to 10 members changes the numbers only a little */
  dm_merge_opt_t small = mo;
  small.max_seqlets_subsample = 10;
  CHECK(
      dm_merge_compare(pa, pa2, &t, &po, &small, &sim, &auroc) == 0 && sim > 0.9 && fabs(auroc - 0.5) < 0.25,
      "subsampled copies: sim %g auroc %g", sim, auroc);

  dm_pattern_t *in[3] = {pb, pa, pa2}, **out = NULL;
  int n = dm_merge_patterns(in, 3, &t, &po, &mo, bg, NULL, &out);
  CHECK(n == 2, "A and rc(A) merged, B apart: %d patterns", n);
  if (n == 2) {
    CHECK(out[0]->n_seqlets == 2 * PER && out[1]->n_seqlets == PER, "sizes %d %d", out[0]->n_seqlets,
          out[1]->n_seqlets);
    CHECK(out[0]->len == 16 && (find(out[0], MA, 0) >= 0 || find(out[0], MA, 1) >= 0),
          "merged pattern spells A (len %d)", out[0]->len);
    CHECK(find(out[1], MB, 0) >= 0, "B unchanged");
    int nrc = 0;
    for (int k = 0; k < out[0]->n_seqlets; k++) nrc += out[0]->seqlets[k].is_revcomp;
    CHECK(nrc == PER, "the copies' members joined on the other strand: %d", nrc);
  }
  for (int k = 0; k < n; k++) dm_pattern_destroy(out[k]);
  free(out);
  /* a rule that merges anything: B joins too, unless a dealbreaker (the A-B
   * pairs: cross-contamination ~0, sim ~0.3) forbids it */
  dm_merge_opt_t any = mo;
  any.n_merge = 1;
  any.merge[0][0] = 0.0;
  any.merge[0][1] = -1.0;
  any.n_dealbreak = 0;
  n = dm_merge_patterns(in, 3, &t, &po, &any, bg, NULL, &out);
  CHECK(n == 1, "everything merges: %d patterns", n);
  for (int k = 0; k < n; k++) dm_pattern_destroy(out[k]);
  free(out);
  any.n_dealbreak = 1;
  any.dealbreak[0][0] = 0.5;
  any.dealbreak[0][1] = 0.9;
  n = dm_merge_patterns(in, 3, &t, &po, &any, bg, NULL, &out);
  CHECK(n == 2 && out[0]->n_seqlets == 2 * PER, "the dealbreaker keeps B apart: %d patterns", n);
  for (int k = 0; k < n; k++) dm_pattern_destroy(out[k]);
  free(out);
  /* without merge rules nothing merges, and the output is sorted by size */
  mo.n_merge = 0;
  dm_pattern_add(pb, &t, &SQ(0, 0, pb->len, 0));
  n = dm_merge_patterns(in, 3, &t, &po, &mo, bg, NULL, &out);
  CHECK(n == 3 && out[0]->n_seqlets == PER + 1, "no rules: 3 patterns, largest first");
  for (int k = 0; k < n; k++) dm_pattern_destroy(out[k]);
  free(out);
  dm_pattern_destroy(pa);
  dm_pattern_destroy(pa2);
  dm_pattern_destroy(pb);
}

int main(void) {
  dm_log_init(0, getenv("DM_VERBOSE") ? DM_LOG_DEBUG : DM_LOG_WARN);
  test_auroc();
  test_params();
  test_merge();
  return dm_test_summary("test_merge");
}
