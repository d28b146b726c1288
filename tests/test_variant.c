/* test_variant: variant windows on hand-worked SNV, MNV, deletion and
 * insertion cases; REF checks; and the SNV score of dm_variant equals
 * in-silico mutagenesis (dm_methods ism) of the same sequence on the example
 * model, for every position and base of a few sequences; empirical
 * p-values against brute-force counting; Jensen-Shannon distances against
 * the entropy form. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_forward.h"
#include "dm_methods.h"
#include "dm_test.h"
#include "dm_variant.h"
#include "nn_example.h"

/* Windows of a variant at 0-based p on genome g, model length L, into wr/wa (NUL-terminated). */
static void win(const char *g, int64_t p, int L, const char *ref, const char *alt, char *wr, char *wa) {
  int64_t s, e;
  dm_variant_span(p, L, (int)strlen(ref), (int)strlen(alt), &s, &e);
  dm_variant_windows(g + s, L, ref, (int)strlen(ref), alt, (int)strlen(alt), wr, wa);
  wr[L] = wa[L] = 0;
}

static void hand_worked(void) {
  /* index:           0123456789012345 */
  const char *g = "ACGTACGTTTGCAAAC";
  char wr[16], wa[16];
  int64_t s, e;
  /* SNV at p=6 (G), L=6: F=3, window [3, 9) = "TACGTT"; alt T: "TACTTT" */
  win(g, 6, 6, "G", "T", wr, wa);
  CHECK(!strcmp(wr, "TACGTT") && !strcmp(wa, "TACTTT"), "snv %s %s", wr, wa);
  /* odd L=5: F=2, window [4, 9) = "ACGTT" */
  win(g, 6, 5, "G", "A", wr, wa);
  CHECK(!strcmp(wr, "ACGTT") && !strcmp(wa, "ACATT"), "snv odd %s %s", wr, wa);
  /* MNV GT -> CA at p=6 */
  win(g, 6, 6, "GT", "CA", wr, wa);
  CHECK(!strcmp(wr, "TACGTT") && !strcmp(wa, "TACCAT"), "mnv %s %s", wr, wa);
  /* deletion GTT -> G at p=6, L=6: d=2, fetch [3, 11) = "TACGTTTG";
   * alt = "TAC" + "G" + bases after REF (index 3+3=6: "TG") = "TACGTG" */
  dm_variant_span(6, 6, 3, 1, &s, &e);
  CHECK(s == 3 && e == 11, "deletion span [%ld, %ld)", (long)s, (long)e);
  win(g, 6, 6, "GTT", "G", wr, wa);
  CHECK(!strcmp(wr, "TACGTT") && !strcmp(wa, "TACGTG"), "deletion %s %s", wr, wa);
  /* insertion G -> GAA at p=6, L=6: window "TACGTT"; alt "TAC" + "GAA" = "TACGAA" (rest pushed out) */
  win(g, 6, 6, "G", "GAA", wr, wa);
  CHECK(!strcmp(wr, "TACGTT") && !strcmp(wa, "TACGAA"), "insertion %s %s", wr, wa);
  /* insertion G -> GA, L=8: F=4, window [2, 10) = "GTACGTTT"; alt "GTAC" + "GA" + "TT" */
  win(g, 6, 8, "G", "GA", wr, wa);
  CHECK(!strcmp(wr, "GTACGTTT") && !strcmp(wa, "GTACGATT"), "insertion L8 %s %s", wr, wa);
  /* REF checks: the genome at p=6 is G (REF 'g' matches, 'A' does not, 'N' matches anything) */
  dm_variant_span(6, 6, 1, 1, &s, &e);
  CHECK(dm_variant_ref_matches(g + s, 6, "g", 1) && !dm_variant_ref_matches(g + s, 6, "A", 1) &&
            dm_variant_ref_matches(g + s, 6, "N", 1),
        "ref checks");
  /* scores: logit diff and log2 fold change */
  float zr[2] = {1, -2}, za[2] = {0.5f, 1}, yr[2] = {0.5f, 0.25f}, ya[2] = {0.25f, 1}, d[2], l[2];
  dm_variant_scores(1, 2, zr, za, yr, ya, d, l);
  CHECK(d[0] == -0.5f && d[1] == 3 && l[0] == -1 && l[1] == 2, "scores %g %g %g %g", d[0], d[1], l[0], l[1]);
}

/* SNV score = ism: on a genome made of example sequences back to back, the
 * window of a SNV at position L/2 of a sequence is that sequence, so its
 * logit_diff must equal the ism value of the same position and base. */
static void ism_equality(void) {
  float *oh = NULL, *lab = NULL;
  int n = nnex_read(1, &oh, &lab);
  CHECK(n > 8, "example read");
  if (n <= 8) return;
  n = 4;
  const int L = NNEX_LEN, T = NNEX_TASKS;
  dm_model_t *m = dm_model_load(NNEX_JSON, NNEX_WEIGHTS);
  CHECK(m != NULL, "model");
  if (!m) return;
  dm_methods_opt_t o;
  dm_methods_opt_init(&o);
  o.method = DM_METHOD_ISM;
  dm_methods_t *ism = dm_methods_init(m, &o, NULL, 0, n, 1);
  float *hyp = malloc(sizeof(float) * (size_t)T * n * L * 4), *pred = malloc(sizeof(float) * (size_t)n * T);
  CHECK(dm_methods_run(ism, n, L, oh, NULL, hyp, pred) == 0, "ism");
  /* genome = the sequences back to back; the variant at l = L/2 of each row has exactly that row as window */
  char *g = malloc((size_t)n * L), wr[NNEX_LEN], wa[NNEX_LEN];
  for (int i = 0; i < n; i++)
    for (int l = 0; l < L; l++) {
      int c = 0;
      while (c < 4 && oh[((size_t)i * L + l) * 4 + c] == 0) c++;
      g[(size_t)i * L + l] = "ACGTN"[c];
    }
  dm_run_t *fw = dm_forward_init(m, 2, 1);
  double worst = 0;
  int checked = 0;
  for (int i = 0; i < n; i++)
    for (int b = 0; b < 4; b++) {
      /* the variant at l = L/2 of row i: its window is exactly row i */
      int l = L / 2;
      char alt = "ACGT"[b];
      int64_t p = (int64_t)i * L + l, s, e;
      if (g[p] == alt) continue;
      char ref[2] = {g[p], 0}, al[2] = {alt, 0};
      dm_variant_span(p, L, 1, 1, &s, &e);
      dm_variant_windows(g + s, L, ref, 1, al, 1, wr, wa);
      CHECK(memcmp(wr, g + (size_t)i * L, (size_t)L) == 0, "window of row %d is the row", i);
      nnex_onehot(wr, L, fw->in);
      nnex_onehot(wa, L, fw->in + L * 4);
      dm_forward_run(fw, 2);
      const float *z = dm_forward_logits(fw);
      for (int t = 0; t < T; t++) {
        float score, lfc, y[2] = {0, 0};
        dm_variant_scores(1, 1, &z[t], &z[T + t], y, y, &score, &lfc);
        double want = hyp[(((size_t)t * n + i) * L + l) * 4 + b], err = fabs(score - want);
        if (err > worst) worst = err;
        CLOSE(score, want, 1e-5);
        checked++;
      }
    }
  CHECK(checked == n * 3 * T, "%d comparisons", checked);
  printf("SNV score vs ism: %d comparisons, max |diff| %.3g\n", checked, worst);
  dm_forward_destroy(fw);
  dm_methods_destroy(ism);
  dm_model_destroy(m);
  free(g), free(hyp), free(pred), free(oh), free(lab);
}

/* p-values against brute-force counting, with ties and NaNs. */
static void pvalues(void) {
  enum { M = 200, N = 50 };
  float null[M], copy[M], obs[N], p[N];
  srand(7);
  for (int j = 0; j < M; j++) null[j] = copy[j] = j % 17 == 0 ? NAN : (float)((rand() % 41) - 20) / 4.0f;
  for (int i = 0; i < N; i++) obs[i] = i == 3 ? NAN : (float)((rand() % 61) - 30) / 4.0f;
  dm_variant_pvalues(M, null, N, obs, p);
  int finite = 0;
  for (int j = 0; j < M; j++) finite += !isnan(copy[j]);
  for (int i = 0; i < N; i++) {
    if (isnan(obs[i])) {
      CHECK(isnan(p[i]), "NaN observation gives NaN");
      continue;
    }
    int ge = 0;
    for (int j = 0; j < M; j++) ge += !isnan(copy[j]) && fabsf(copy[j]) >= fabsf(obs[i]);
    CHECK(p[i] == (float)((1.0 + ge) / (1.0 + finite)), "p[%d] = %g, brute force %g", i, p[i],
          (1.0 + ge) / (1.0 + finite));
  }
}

/* Jensen-Shannon distance against the entropy form H(m) - (H(p) + H(q)) / 2
 * of softmax profiles, and hand-worked limits. */
static void jsd(void) {
  enum { N = 37 };
  float a[N], b[N];
  srand(3);
  for (int i = 0; i < N; i++) a[i] = (float)(rand() % 200 - 100) / 25.0f, b[i] = (float)(rand() % 200 - 100) / 25.0f;
  double p[N], q[N], sa = 0, sb = 0, hp = 0, hq = 0, hm = 0;
  for (int i = 0; i < N; i++) sa += p[i] = exp(a[i]), sb += q[i] = exp(b[i]);
  for (int i = 0; i < N; i++) {
    p[i] /= sa, q[i] /= sb;
    double m = (p[i] + q[i]) / 2;
    hp -= p[i] * log(p[i]), hq -= q[i] * log(q[i]), hm -= m * log(m);
  }
  CLOSE(dm_variant_jsd(a, b, N), sqrt(hm - (hp + hq) / 2), 1e-9);
  CHECK(dm_variant_jsd(a, a, N) == 0, "identical profiles: %g", dm_variant_jsd(a, a, N));
  float x[2] = {60, -60}, y[2] = {-60, 60}, z[2] = {1, 1}, w[2] = {5, 5};
  CLOSE(dm_variant_jsd(x, y, 2), sqrt(log(2.0)), 1e-9); /* disjoint: the largest distance */
  CHECK(dm_variant_jsd(z, w, 2) == 0, "softmax ignores a shift of all logits");
}

int main(void) {
  dm_log_init(0, DM_LOG_WARN);
  hand_worked();
  ism_equality();
  pvalues();
  jsd();
  return dm_test_summary("test_variant");
}
