/* dm_ref: dinucleotide shuffles keep the dinucleotide counts and the end
 * letters, reach every Eulerian path uniformly (chi-square against a brute-
 * force enumeration), depend only on (seed, sequence, reference index);
 * GC-matched, zeros and uniform references; bad input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "dm_log.h"
#include "dm_ref.h"
#include "dm_test.h"

#define LMAX 256

static const char LETTERS[] = "ACGTN";

/* Text ("ACGTN") -> float one-hot (L, 4). */
static void encode(const char *s, float *x) {
  size_t L = strlen(s);
  memset(x, 0, sizeof(float) * 4 * L);
  for (size_t l = 0; l < L; l++) {
    const char *p = strchr(LETTERS, s[l]);
    if (p && p - LETTERS < 4) x[4 * l + (size_t)(p - LETTERS)] = 1.0f;
  }
}

/* Float one-hot (L, 4) -> text; '?' for a row that is not one-hot. */
static void decode(const float *x, int L, char *s) {
  for (int l = 0; l < L; l++) {
    int t = 4, ones = 0, bad = 0;
    for (int c = 0; c < 4; c++) {
      if (x[4 * l + c] == 1.0f)
        t = c, ones++;
      else if (x[4 * l + c] != 0.0f)
        bad = 1;
    }
    s[l] = (bad || ones > 1) ? '?' : LETTERS[t];
  }
  s[L] = 0;
}

/* Same length and dinucleotide counts (letters ACGTN, anything else as one more). */
static int same_dinucs(const char *a, const char *b) {
  int ca[6][6] = {{0}}, cb[6][6] = {{0}};
  size_t L = strlen(a);
  if (strlen(b) != L) return 0;
  for (size_t l = 0; l + 1 < L; l++) {
    const char *p = strchr(LETTERS, a[l]), *q = strchr(LETTERS, a[l + 1]);
    ca[p ? p - LETTERS : 5][q ? q - LETTERS : 5]++;
    p = strchr(LETTERS, b[l]), q = strchr(LETTERS, b[l + 1]);
    cb[p ? p - LETTERS : 5][q ? q - LETTERS : 5]++;
  }
  return memcmp(ca, cb, sizeof ca) == 0;
}

static void random_seq(gsl_rng *r, int L, double p_n, char *s) {
  for (int l = 0; l < L; l++) s[l] = gsl_rng_uniform(r) < p_n ? 'N' : LETTERS[gsl_rng_uniform_int(r, 4)];
  s[L] = 0;
}

// --- dinucleotide shuffles keep counts and ends

static void test_preserves(dm_ref_ws_t *ws) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  dm_ref_opt_t opt;
  dm_ref_opt_init(&opt);
  CHECK(opt.kind == DM_REF_DINUC_SHUFFLE && opt.n_refs == 10, "defaults");
  enum { R = 6 };
  static float x[LMAX * 4], out[R * LMAX * 4];
  char s[LMAX + 1], t[LMAX + 1];
  int n_bad = 0, n_seq = 0, n_identity_long = 0;
  for (int it = 0; it < 600; it++) {
    int L = it < 30 ? 1 + it % 3 : 1 + (int)gsl_rng_uniform_int(r, it % 5 ? 40 : LMAX);
    double p_n = it % 4 == 0 ? 0.2 : (it % 4 == 1 ? 0.02 : 0.0);
    random_seq(r, L, p_n, s);
    if (it % 50 == 7) memset(s, "ACGTN"[it % 5], (size_t)L); /* homopolymers */
    encode(s, x);
    CHECK(dm_ref_load_f32(ws, x, L) == 0, "load");
    CHECK(dm_ref_make(ws, &opt, (uint64_t)it, 0, R, out) == 0, "make");
    n_seq++;
    for (int k = 0; k < R; k++) {
      decode(out + (size_t)k * 4 * L, L, t);
      int ok = same_dinucs(s, t) && t[0] == s[0] && t[L - 1] == s[L - 1] && !strchr(t, '?');
      if (!ok && n_bad++ < 5) fprintf(stderr, "shuffle broke %s -> %s\n", s, t);
      char first[2] = {s[0], 0};
      if (s[strspn(s, first)] == 0) CHECK(strcmp(s, t) == 0, "homopolymer %s -> %s", s, t);
      if (L >= 100 && strcmp(s, t) == 0) n_identity_long++;
    }
  }
  CHECK(n_bad == 0, "%d of %d shuffles broke dinucleotide counts or ends", n_bad, n_seq * R);
  CHECK(n_identity_long == 0, "%d long shuffles were the identity", n_identity_long);
  gsl_rng_free(r);
}

// --- uniform over all sequences with the same dinucleotide counts

/* All sequences of length L over the letters in `alpha` with the dinucleotide
 * counts and first letter of s (brute force). Returns their number. */
static int enumerate(const char *s, const char *alpha, char (*all)[16], int cap) {
  int L = (int)strlen(s), A = (int)strlen(alpha), n = 0;
  long total = 1;
  for (int l = 0; l < L; l++) total *= A;
  char t[16];
  for (long code = 0; code < total; code++) {
    long c = code;
    for (int l = 0; l < L; l++, c /= A) t[l] = alpha[c % A];
    t[L] = 0;
    if (t[0] == s[0] && same_dinucs(s, t)) {
      if (n < cap) strcpy(all[n], t);
      n++;
    }
  }
  return n;
}

static void test_uniform(dm_ref_ws_t *ws, const char *s, const char *alpha, int min_paths) {
  enum { CAP = 4096, DRAWS = 30000 };
  static char all[CAP][16];
  static long hits[CAP];
  static float x[16 * 4], out[16 * 4];
  int L = (int)strlen(s);
  int K = enumerate(s, alpha, all, CAP);
  CHECK(K >= min_paths && K <= CAP, "%s: %d sequences share its dinucleotides", s, K);
  if (K > CAP) return;
  memset(hits, 0, sizeof hits);
  dm_ref_opt_t opt;
  dm_ref_opt_init(&opt);
  opt.seed = 12345;
  encode(s, x);
  CHECK(dm_ref_load_f32(ws, x, L) == 0, "load");
  char t[16];
  int missing = 0;
  for (int d = 0; d < DRAWS; d++) {
    CHECK(dm_ref_make(ws, &opt, 7, d, 1, out) == 0, "make");
    decode(out, L, t);
    int k = 0;
    while (k < K && strcmp(all[k], t) != 0) k++;
    if (k == K)
      missing++;
    else
      hits[k]++;
  }
  CHECK(missing == 0, "%s: %d shuffles outside the enumeration", s, missing);
  double chi2 = 0, e = (double)DRAWS / K;
  int unreached = 0;
  for (int k = 0; k < K; k++) {
    chi2 += (hits[k] - e) * (hits[k] - e) / e;
    unreached += hits[k] == 0;
  }
  double p = gsl_cdf_chisq_Q(chi2, K - 1);
  printf("uniformity %s: %d paths, chi2 %.1f (df %d), p %.3g\n", s, K, chi2, K - 1, p);
  CHECK(unreached == 0, "%s: %d of %d Eulerian paths never drawn", s, unreached, K);
  CHECK(p > 1e-4, "%s: shuffles not uniform, chi2 %.1f df %d p %.3g", s, chi2, K - 1, p);
}

// --- the same (seed, sequence, reference) gives the same reference

static void test_order(dm_ref_ws_t *ws, dm_ref_kind_t kind) {
  enum { NS = 6, R = 10, L = 50 };
  static float x[NS][L * 4], batch[NS][R * L * 4], one[L * 4];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 99);
  char s[L + 1];
  dm_ref_opt_t opt;
  dm_ref_opt_init(&opt);
  opt.kind = kind;
  opt.seed = 2024;
  for (int i = 0; i < NS; i++) {
    random_seq(r, L, 0.05, s);
    encode(s, x[i]);
    CHECK(dm_ref_load_f32(ws, x[i], L) == 0 && dm_ref_make(ws, &opt, 100 + i, 0, R, batch[i]) == 0, "batch");
  }
  /* every (sequence, reference) pair once, in a scrambled order */
  int order[NS * R];
  for (int k = 0; k < NS * R; k++) order[k] = k;
  for (int k = NS * R - 1; k > 0; k--) {
    int j = (int)gsl_rng_uniform_int(r, (unsigned long)k + 1), tmp = order[k];
    order[k] = order[j], order[j] = tmp;
  }
  int diff = 0;
  for (int k = 0; k < NS * R; k++) {
    int i = order[k] / R, ref = order[k] % R;
    CHECK(dm_ref_load_f32(ws, x[i], L) == 0, "load");
    CHECK(dm_ref_make(ws, &opt, 100 + i, ref, 1, one) == 0, "make");
    diff += memcmp(one, &batch[i][ref * L * 4], sizeof one) != 0;
  }
  CHECK(diff == 0, "%s: %d references changed with the call order", dm_ref_kind_name(kind), diff);
  /* references of one sequence differ from each other, and depend on the seed
   * and the global sequence index */
  int same = 0;
  for (int a = 0; a < R; a++)
    for (int b = a + 1; b < R; b++)
      same += memcmp(&batch[0][a * L * 4], &batch[0][b * L * 4], sizeof one) == 0;
  CHECK(same == 0, "%d pairs of identical references", same);
  CHECK(dm_ref_load_f32(ws, x[0], L) == 0, "load");
  CHECK(dm_ref_make(ws, &opt, 101, 0, 1, one) == 0, "make");
  CHECK(memcmp(one, &batch[0][0], sizeof one) != 0, "sequence index ignored");
  opt.seed++;
  CHECK(dm_ref_make(ws, &opt, 100, 0, 1, one) == 0, "make");
  CHECK(memcmp(one, &batch[0][0], sizeof one) != 0, "seed ignored");
  gsl_rng_free(r);
}

// --- GC-matched, zeros, uniform

static void test_gc(dm_ref_ws_t *ws) {
  enum { R = 20, L = 120 };
  static float x[L * 4], out[R * L * 4];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  dm_ref_opt_t opt;
  dm_ref_opt_init(&opt);
  opt.kind = DM_REF_GC_MATCHED;
  CHECK(dm_ref_count(&opt) == 10, "gc count");
  opt.n_refs = R;
  char s[L + 1], t[L + 1];
  long n_g = 0, n_c = 0, n_a = 0, n_t = 0, n_same = 0;
  int bad = 0;
  for (int it = 0; it < 50; it++) {
    random_seq(r, L, it % 2 ? 0.1 : 0.0, s);
    encode(s, x);
    CHECK(dm_ref_load_f32(ws, x, L) == 0 && dm_ref_make(ws, &opt, it, 0, R, out) == 0, "make");
    int gc = 0;
    for (int l = 0; l < L; l++) gc += s[l] == 'G' || s[l] == 'C';
    for (int k = 0; k < R; k++) {
      decode(out + k * L * 4, L, t);
      int gc_t = 0;
      for (int l = 0; l < L; l++) {
        gc_t += t[l] == 'G' || t[l] == 'C';
        bad += (s[l] == 'N') != (t[l] == 'N') || t[l] == '?';
        n_g += t[l] == 'G', n_c += t[l] == 'C', n_a += t[l] == 'A', n_t += t[l] == 'T';
        n_same += s[l] == t[l];
      }
      bad += gc_t != gc;
    }
  }
  CHECK(bad == 0, "%d GC-matched violations (GC count or N positions)", bad);
  CLOSE((double)n_g / (n_g + n_c), 0.5, 0.02);
  CLOSE((double)n_a / (n_a + n_t), 0.5, 0.02);
  CHECK(n_same < 0.5 * 50 * R * L, "GC-matched references too close to the input");
  gsl_rng_free(r);
}

static void test_fixed(dm_ref_ws_t *ws) {
  enum { L = 7 };
  float x[L * 4], out[2 * L * 4];
  encode("ACGNTTA", x);
  dm_ref_opt_t opt;
  dm_ref_opt_init(&opt);
  CHECK(dm_ref_load_f32(ws, x, L) == 0, "load");
  opt.kind = DM_REF_ZEROS;
  CHECK(dm_ref_count(&opt) == 1, "zeros: one reference");
  for (int i = 0; i < 2 * L * 4; i++) out[i] = -1;
  CHECK(dm_ref_make(ws, &opt, 0, 0, 2, out) == 0, "make");
  int bad = 0;
  for (int i = 0; i < 2 * L * 4; i++) bad += out[i] != 0.0f;
  CHECK(bad == 0, "zeros: %d nonzero", bad);
  opt.kind = DM_REF_UNIFORM;
  CHECK(dm_ref_count(&opt) == 1, "uniform: one reference");
  CHECK(dm_ref_make(ws, &opt, 3, 0, 2, out) == 0, "make");
  bad = 0;
  for (int i = 0; i < 2 * L * 4; i++) bad += out[i] != 0.25f;
  CHECK(bad == 0, "uniform: %d values not 0.25", bad);
}

// --- input forms and errors

static void test_inputs(dm_ref_ws_t *ws) {
  enum { L = 30 };
  float x[L * 4], a[3 * L * 4], b[3 * L * 4];
  uint8_t xu[L * 4];
  encode("ACGTNNACGGGTTACANCCGTAAGTCAGTT", x);
  for (int i = 0; i < L * 4; i++) xu[i] = (uint8_t)x[i];
  dm_ref_opt_t opt;
  dm_ref_opt_init(&opt);
  CHECK(dm_ref_load_f32(ws, x, L) == 0 && dm_ref_make(ws, &opt, 5, 0, 3, a) == 0, "f32");
  CHECK(dm_ref_load_u8(ws, xu, L) == 0 && dm_ref_make(ws, &opt, 5, 0, 3, b) == 0, "u8");
  CHECK(memcmp(a, b, sizeof a) == 0, "float and uint8 inputs give different references");

  dm_log_init(0, -1);  /* the error paths below log; keep the test output clean */
  x[4 * 3 + 1] = 1.0f; /* row 3: two ones */
  CHECK(dm_ref_load_f32(ws, x, L) == -1, "two ones accepted");
  CHECK(dm_ref_make(ws, &opt, 0, 0, 1, a) == -1, "make after a failed load");
  x[4 * 3 + 1] = 0.5f;
  CHECK(dm_ref_load_f32(ws, x, L) == -1, "0.5 accepted");
  xu[7] = 2;
  CHECK(dm_ref_load_u8(ws, xu, L) == -1, "value 2 accepted");
  CHECK(dm_ref_load_u8(ws, xu, 0) == -1, "L = 0 accepted");
  CHECK(dm_ref_load_f32(ws, x, LMAX + 1) == -1, "L > max_len accepted");

  dm_ref_kind_t k;
  CHECK(dm_ref_kind_parse("gc_matched", &k) == 0 && k == DM_REF_GC_MATCHED, "parse");
  CHECK(dm_ref_kind_parse("shuffle", &k) == -1, "bad kind accepted");
  for (int i = 0; i < DM_REF_KIND_COUNT; i++)
    CHECK(dm_ref_kind_parse(dm_ref_kind_name((dm_ref_kind_t)i), &k) == 0 && (int)k == i, "name %d", i);
  opt.n_refs = 0;
  CHECK(dm_ref_opt_check(&opt) == -1, "n_refs 0 accepted");
  dm_log_init(0, DM_LOG_WARN);

  /* seeds: distinct over a grid of (seq, ref), and changed by the global seed */
  enum { G = 64 };
  static uint64_t seeds[G * G];
  for (int i = 0; i < G; i++)
    for (int j = 0; j < G; j++) seeds[i * G + j] = dm_ref_seed(1, (uint64_t)i, (uint64_t)j);
  int clash = 0;
  for (int i = 0; i < G * G; i++)
    for (int j = i + 1; j < G * G; j++) clash += (uint32_t)seeds[i] == (uint32_t)seeds[j];
  CHECK(clash == 0, "%d seed clashes (low 32 bits)", clash);
  CHECK(dm_ref_seed(2, 0, 0) != dm_ref_seed(1, 0, 0), "global seed ignored");
  CHECK(dm_ref_seed(0, 1, 0) != dm_ref_seed(0, 0, 1), "sequence and reference indices confused");
}

int main(void) {
  dm_log_init(0, DM_LOG_WARN);
  dm_ref_ws_t *ws = dm_ref_ws_init(LMAX);
  CHECK(ws != NULL, "no reference workspace");
  if (!ws) return dm_test_summary("test_ref");
  test_preserves(ws);
  test_uniform(ws, "ACAGACTA", "ACGT", 6);     /* path A -> A through a hub */
  test_uniform(ws, "AAACAAGAT", "ACGT", 10);   /* multi-edges A->A */
  test_uniform(ws, "GATCAGACTAT", "ACGT", 30); /* start != end */
  test_uniform(ws, "ACANAGATCA", "ACGTN", 24); /* N as a letter */
  test_order(ws, DM_REF_DINUC_SHUFFLE);
  test_order(ws, DM_REF_GC_MATCHED);
  test_gc(ws);
  test_fixed(ws);
  test_inputs(ws);
  dm_ref_ws_destroy(ws);
  dm_ref_ws_destroy(NULL);
  return dm_test_summary("test_ref");
}
