/* test_pattern: aggregation, reverse complements, information content,
 * trimming, extension, alignment, polishing and the final filters of
 * dm_pattern, against hand-worked values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_pattern.h"
#include "dm_test.h"

/* A member: example, [start, end), strand. */
#define SQ(e, s, en, rc) ((dm_seqlet_t){.example = (e), .start = (s), .end = (en), .is_revcomp = (rc)})

// --- 1. aggregation with known alignments (hand-worked means)

/* Two examples of 6 bp: ACGTAC and AAGTTC; hyp[e][l][c] = 0.1 (e + 1) (c + 1). */
static void test_means(void) {
  enum { N = 2, L = 6 };
  static const char *seq[N] = {"ACGTAC", "AAGTTC"};
  uint8_t oh[N * L * 4];
  float hy[N * L * 4];
  for (int e = 0; e < N; e++)
    for (int l = 0; l < L; l++)
      for (int c = 0; c < 4; c++) {
        int i = (e * L + l) * 4 + c;
        oh[i] = (uint8_t)("ACGT"[c] == seq[e][l]);
        hy[i] = 0.1f * (float)((e + 1) * (c + 1));
      }
  dm_tracks_t t = {oh, hy, N, L};
  /* a = ACG, b = AAG, c = rc(TT at 3..4) = AA (covers positions 0, 1 only) */
  dm_seqlet_t s[4] = {SQ(0, 0, 3, 0), SQ(1, 0, 3, 0), SQ(1, 3, 5, 1), SQ(0, 0, 3, 0)};
  dm_pattern_t *p = dm_pattern_from_seqlets(&t, s, 4);
  CHECK(p && p->len == 3 && p->n_seqlets == 3, "3 members (the duplicate is skipped)");
  CHECK(p->support[0] == 3 && p->support[1] == 3 && p->support[2] == 2, "support 3,3,2");
  double ppm[12] = {1, 0, 0, 0, 2. / 3, 1. / 3, 0, 0, 0, 0, 1, 0};
  double cwm[12] = {1.1 / 3, 0, 0, 0, 1.0 / 3, 0.2 / 3, 0, 0, 0, 0, 0.45, 0};
  double hcwm[12] = {1.1 / 3, 1.2 / 3, 1.3 / 3, 1.4 / 3, 1.1 / 3, 1.2 / 3,
                     1.3 / 3, 1.4 / 3, 0.15,    0.3,     0.45,    0.6};
  for (int i = 0; i < 12; i++) {
    CLOSE(p->sequence[i], ppm[i], 1e-6);
    CLOSE(p->contrib[i], cwm[i], 1e-6);
    CLOSE(p->hyp[i], hcwm[i], 1e-6);
  }
  /* The same members on the other strand: the reverse complement pattern. */
  dm_seqlet_t r[3] = {SQ(0, 0, 3, 1), SQ(1, 0, 3, 1), SQ(1, 3, 5, 0)};
  dm_pattern_t *q = dm_pattern_from_seqlets(&t, r, 3);
  /* with equal lengths the flip is exact; use the two full-length members */
  dm_pattern_t *p2 = dm_pattern_from_seqlets(&t, s, 2), *q2 = dm_pattern_from_seqlets(&t, r, 2);
  for (int j = 0; j < 3; j++)
    for (int c = 0; c < 4; c++) {
      CHECK(q2->sequence[j * 4 + c] == p2->sequence[(2 - j) * 4 + 3 - c], "rc ppm %d %d", j, c);
      CHECK(q2->contrib[j * 4 + c] == p2->contrib[(2 - j) * 4 + 3 - c], "rc cwm %d %d", j, c);
      CHECK(q2->hyp[j * 4 + c] == p2->hyp[(2 - j) * 4 + 3 - c], "rc hcwm %d %d", j, c);
    }
  /* rc(ACG) = CGT, rc(AAG) = CTT and the forward TT: position 0 is C, C, T */
  CLOSE(q->sequence[0 * 4 + 1], 2. / 3, 1e-12);
  CLOSE(q->sequence[0 * 4 + 3], 1. / 3, 1e-12);
  /* fine-similarity rows of a = ACG on example 0: sum|hyp| = 3 x 1.0, sum|contrib| = 0.6 */
  float rows[2 * 3 * 8];
  dm_seqlet_t ab[3] = {s[0], s[2], s[1]}; /* s[2] has length 2: skipped */
  CHECK(dm_pattern_seqlet_rows(&t, ab, 3, 3, rows) == 2, "two rows of length 3");
  for (int j = 0; j < 3; j++)
    for (int c = 0; c < 4; c++) {
      CLOSE(rows[j * 8 + c], 0.1 * (c + 1) / 3.0, 1e-6);
      CLOSE(rows[j * 8 + 4 + c], c == j ? 0.1 * (c + 1) / 0.6 : 0.0, 1e-6);
      CLOSE(rows[24 + j * 8 + c], 0.2 * (c + 1) / 6.0, 1e-6); /* AAG on example 1 */
    }
  CLOSE(rows[24 + 2 * 8 + 4 + 2], 0.6 / 1.0, 1e-6); /* G: 0.6 of 0.2 + 0.2 + 0.6 */
  /* unreadable members: outside the example, or no base at all */
  dm_seqlet_t out = SQ(0, 4, 7, 0);
  CHECK(dm_pattern_fetch(&t, &out, NULL, NULL, NULL) == -1, "window past the end");
  CHECK(dm_pattern_add(p, &t, &out) == 0, "not added");
  dm_pattern_destroy(p);
  dm_pattern_destroy(q);
  dm_pattern_destroy(p2);
  dm_pattern_destroy(q2);
}

// --- 2. information content and best window

static void test_ic(void) {
  double bg[4] = {0.25, 0.25, 0.25, 0.25}, ic[4];
  double ppm[16] = {1, 0, 0, 0, 0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0, 0, 0, 0, 0, 1};
  dm_pattern_ic(ppm, 4, bg, 0.001, ic);
  CLOSE(ic[0], 2 + log2(1.001 / 1.004), 1e-12);
  CLOSE(ic[1], 0.0, 1e-12);
  CLOSE(ic[2], 2 + log2(0.501 / 1.004), 1e-12);
  CLOSE(ic[3], ic[0], 1e-12);
  /* rows not summing to 1 are normalised (counts -> frequencies) */
  double counts[16] = {4, 0, 0, 0, 1, 1, 1, 1, 2, 2, 0, 0, 0, 0, 0, 4}, ic2[4];
  dm_pattern_ic(counts, 4, bg, 0.001, ic2);
  for (int j = 0; j < 4; j++) CLOSE(ic2[j], ic[j], 1e-12);
  /* a skewed background: ic = sum p log2(..) - sum bg log2 bg */
  double bg2[4] = {0.4, 0.1, 0.1, 0.4};
  dm_pattern_ic(ppm, 1, bg2, 0.001, ic2);
  double h = -(0.4 * log2(0.4) * 2 + 0.1 * log2(0.1) * 2);
  CLOSE(ic2[0], log2(1.001 / 1.004) + h, 1e-12);
  double x[6] = {0, 1, 3, 0, 2, 2};
  CHECK(dm_pattern_best_window(x, 6, 2) == 1, "first of the tied best windows");
  CHECK(dm_pattern_best_window(x, 6, 6) == 0, "whole");
  CHECK(dm_pattern_best_window(x, 6, 7) == -1, "too short");
  CHECK(dm_pattern_best_window(x, 6, 3) == 2, "window of 3 (3+0+2 = 5 > 4)");
}

// --- planted motif tracks for trimming, alignment and polishing

enum { PN = 3, PL = 40, MW = 6 };
static uint8_t poh[PN * PL * 4];
static float phy[PN * PL * 4];
static const char *MOTIF = "GATTCA";

static double motif_hyp(int j, int c) { return ("ACGT"[c] == MOTIF[j]) ? 1.0 + 0.1 * j : -0.05 * (c + 1); }

/* Example 0: motif at 10..15; example 1: at 13..18; example 2: reverse
 * complement at 20..25. Elsewhere bases A / C / G by example and hyp 0. */
static void make_planted(dm_tracks_t *t) {
  memset(phy, 0, sizeof phy);
  for (int e = 0; e < PN; e++)
    for (int l = 0; l < PL; l++)
      for (int c = 0; c < 4; c++) poh[(e * PL + l) * 4 + c] = (uint8_t)(c == e);
  int at[PN] = {10, 13, 20};
  for (int e = 0; e < PN; e++)
    for (int j = 0; j < MW; j++)
      for (int c = 0; c < 4; c++) {
        /* forward: position at+j, channel c; reverse: position at+MW-1-j, channel 3-c */
        int l = e == 2 ? at[e] + MW - 1 - j : at[e] + j, cc = e == 2 ? 3 - c : c;
        int i = (e * PL + l) * 4 + cc;
        phy[i] = (float)motif_hyp(j, c);
        poh[i] = (uint8_t)("ACGT"[c] == MOTIF[j]);
      }
  *t = (dm_tracks_t){poh, phy, PN, PL};
}

static void test_trim_expand(const dm_tracks_t *t) {
  dm_seqlet_t s[2] = {SQ(0, 8, 18, 0), SQ(2, 18, 28, 1)};
  dm_pattern_t *p = dm_pattern_from_seqlets(t, s, 2);
  dm_pattern_t *q = dm_pattern_trim(p, t, 2, 8);
  CHECK(q->len == 6 && q->n_seqlets == 2, "trimmed");
  CHECK(q->seqlets[0].start == 10 && q->seqlets[0].end == 16, "fwd trim [10,16)");
  CHECK(q->seqlets[1].start == 20 && q->seqlets[1].end == 26 && q->seqlets[1].is_revcomp,
        "rc trim [20,26): %d %d", q->seqlets[1].start, q->seqlets[1].end);
  for (int j = 0; j < 6; j++)
    for (int c = 0; c < 4; c++) {
      CLOSE(q->contrib[j * 4 + c], p->contrib[(j + 2) * 4 + c], 1e-12);
      CLOSE(q->hyp[j * 4 + c], motif_hyp(j, c), 1e-6);
      CLOSE(q->sequence[j * 4 + c], "ACGT"[c] == MOTIF[j], 1e-12);
    }
  dm_pattern_t *r = dm_pattern_expand(q, t, 3, 1);
  CHECK(r && r->len == 10 && r->n_seqlets == 2, "expanded");
  CHECK(r->seqlets[0].start == 7 && r->seqlets[0].end == 17, "fwd expand [7,17)");
  CHECK(r->seqlets[1].start == 19 && r->seqlets[1].end == 29, "rc expand [19,29)");
  dm_pattern_t *none = dm_pattern_expand(q, t, 25, 0);
  CHECK(none == NULL, "every member leaves its example");
  dm_pattern_t *one = dm_pattern_expand(q, t, 11, 0);
  CHECK(one && one->n_seqlets == 1 && one->seqlets[0].example == 2 && one->seqlets[0].start == 20 &&
            one->seqlets[0].end == 37,
        "the forward member would start at -1 and is dropped");
  dm_pattern_destroy(p);
  dm_pattern_destroy(q);
  dm_pattern_destroy(r);
  dm_pattern_destroy(one);
}

// --- 3. alignment, aggregation of a cluster, polishing

static void test_align(const dm_tracks_t *t) {
  dm_seqlet_t a = SQ(0, 8, 18, 0), b = SQ(1, 12, 22, 0), c = SQ(2, 17, 27, 0);
  dm_pattern_t *p = dm_pattern_from_seqlets(t, &a, 1);
  int off, rc;
  double score;
  CHECK(dm_pattern_align(p, t, &b, DM_ALIGN_CJ, 0.7, 1, &off, &rc, &score) == 0, "align b");
  CHECK(off == 1 && rc == 0 && fabs(score - 1) < 1e-6, "b: offset %d rc %d score %g", off, rc, score);
  /* c read reverse-complemented: window 26..17, motif (20..25) at member positions 1..6 */
  CHECK(dm_pattern_align(p, t, &c, DM_ALIGN_CJ, 0.7, 1, &off, &rc, &score) == 0, "align c");
  CHECK(off == 1 && rc == 1 && fabs(score - 1) < 1e-6, "c: offset %d rc %d score %g", off, rc, score);
  CHECK(dm_pattern_align(p, t, &c, DM_ALIGN_CJ, 0.7, 0, &off, &rc, &score) == 0 && rc == 0 && score < 0.9,
        "stranded: forward only, poor score %g", score);
  CHECK(dm_pattern_align(p, t, &c, DM_ALIGN_COSINE, 0.7, 1, &off, &rc, &score) == 0, "cos");
  CHECK(off == 1 && rc == 1 && score > 0.95, "cosine: offset %d rc %d score %g", off, rc, score);
  /* pad = ceil(10 x (1 - 0.7)) = 4 (3.0000000000000004): a motif needing offset -4 is found */
  dm_seqlet_t d = SQ(1, 7, 17, 0);
  CHECK(dm_pattern_align(p, t, &d, DM_ALIGN_CJ, 0.7, 1, &off, &rc, &score) == 0 && off == 0 - 4 && rc == 0,
        "offset -4 reachable: %d", off);
  /* a member longer than the padded pattern has no placement */
  dm_seqlet_t shortw = SQ(0, 10, 16, 0), longw = SQ(1, 0, 40, 0);
  dm_pattern_t *sp = dm_pattern_from_seqlets(t, &shortw, 1);
  CHECK(dm_pattern_align(sp, t, &longw, DM_ALIGN_CJ, 0.7, 1, &off, &rc, &score) == -1,
        "40 bp > 6 + 2 x ceil(40 x 0.3) = 32");
  dm_pattern_t *same = dm_pattern_merge_in(sp, t, &longw, 1, DM_ALIGN_CJ, 0.7, 1);
  CHECK(same->n_seqlets == 1 && same->len == 6, "merge_in skips it");
  dm_pattern_destroy(same);
  dm_pattern_destroy(sp);
  dm_pattern_destroy(p);
}

static void same_pattern(const dm_pattern_t *p, const dm_pattern_t *q, int flip, const char *what) {
  CHECK(p->len == q->len && p->n_seqlets == q->n_seqlets, "%s: shape", what);
  if (p->len != q->len) return;
  int L = p->len, bad = 0;
  for (int j = 0; j < L; j++)
    for (int c = 0; c < 4; c++) {
      int i = j * 4 + c, k = flip ? (L - 1 - j) * 4 + 3 - c : i;
      bad += fabs(p->sequence[i] - q->sequence[k]) > 1e-12 || fabs(p->contrib[i] - q->contrib[k]) > 1e-9 ||
             fabs(p->hyp[i] - q->hyp[k]) > 1e-9;
    }
  CHECK(bad == 0, "%s: %d entries differ", what, bad);
}

static void test_cluster(const dm_tracks_t *t) {
  dm_pattern_opt_t o;
  dm_pattern_opt_init(&o);
  o.window_size = 6;
  o.flank = 2;
  double bg[4];
  dm_seqlet_t s[3] = {SQ(0, 8, 18, 0), SQ(1, 12, 22, 0), SQ(2, 17, 27, 0)};
  dm_pattern_background(t, s, 3, bg);
  /* hand count over the 30 positions: ex0 A x4 + GATTCA, ex1 C x4 + GATTCA,
   * ex2 G x4 + TGAATC (forward strand): A 4+2+2+2, C 4+1+1+1, G 4+1+1+1, T 2+2+2 */
  CLOSE(bg[0], 10. / 30, 1e-12);
  CLOSE(bg[1], 7. / 30, 1e-12);
  CLOSE(bg[2], 7. / 30, 1e-12);
  CLOSE(bg[3], 6. / 30, 1e-12);
  dm_pattern_t *p = dm_pattern_from_cluster(t, s, 3, &o, bg, +1);
  CHECK(p != NULL, "cluster pattern");
  if (!p) return;
  CHECK(p->len == 10 && p->n_seqlets == 3, "len %d (6 + 2 x 2), %d members", p->len, p->n_seqlets);
  for (int j = 0; j < MW; j++)
    for (int c = 0; c < 4; c++) {
      CLOSE(p->hyp[(j + 2) * 4 + c], motif_hyp(j, c), 1e-6);
      CLOSE(p->sequence[(j + 2) * 4 + c], "ACGT"[c] == MOTIF[j], 1e-12);
    }
  CHECK(p->seqlets[2].example == 2 && p->seqlets[2].is_revcomp == 1 && p->seqlets[2].start == 18 &&
            p->seqlets[2].end == 28,
        "rc member [%d,%d) rc %d", p->seqlets[2].start, p->seqlets[2].end, p->seqlets[2].is_revcomp);
  /* members given on the other strand align back: the same pattern */
  dm_seqlet_t r[3] = {s[0], dm_pattern_seqlet_revcomp(s[1]), dm_pattern_seqlet_revcomp(s[2])};
  dm_pattern_t *q = dm_pattern_from_cluster(t, r, 3, &o, bg, +1);
  CHECK(q != NULL, "rc cluster");
  if (q) same_pattern(p, q, 0, "cluster with rc members");
  dm_pattern_destroy(q);
  /* all members flipped: the reverse-complement pattern */
  for (int i = 0; i < 3; i++) r[i] = dm_pattern_seqlet_revcomp(s[i]);
  q = dm_pattern_from_cluster(t, r, 3, &o, bg, +1);
  CHECK(q != NULL, "all-rc cluster");
  if (q) same_pattern(p, q, 1, "all-rc cluster");
  dm_pattern_destroy(q);
  /* the wrong metacluster sign drops it */
  CHECK(dm_pattern_from_cluster(t, s, 3, &o, bg, -1) == NULL, "sign");
  /* a trim window longer than the pattern fails */
  o.window_size = 40;
  CHECK(dm_pattern_from_cluster(t, s, 3, &o, bg, +1) == NULL, "window too long");
  dm_pattern_destroy(p);
}

// --- 4. final filters

static void test_filters(const dm_tracks_t *t) {
  dm_pattern_opt_t o;
  dm_pattern_opt_init(&o);
  double bg[4] = {0.25, 0.25, 0.25, 0.25};
  dm_seqlet_t s[PN] = {SQ(0, 10, 16, 0), SQ(1, 13, 19, 0), SQ(2, 20, 26, 1)};
  dm_pattern_t *motif = dm_pattern_from_seqlets(t, s, PN);
  o.min_seqlets = 3;
  CHECK(dm_pattern_check_final(motif, &o, bg) == DM_PATTERN_KEPT, "motif kept");
  o.min_seqlets = 4;
  CHECK(dm_pattern_check_final(motif, &o, bg) == DM_PATTERN_TOO_FEW_SEQLETS, "3 < 4 seqlets");
  o.min_seqlets = 3;
  /* flanks: A, C, G at each position -> ic = log2(1/3 ..) + 2 = 0.42 bits per position */
  dm_seqlet_t f[PN] = {SQ(0, 0, 8, 0), SQ(1, 0, 8, 0), SQ(2, 0, 8, 0)};
  dm_pattern_t *flat = dm_pattern_from_seqlets(t, f, PN);
  double ic1 = 2 + 3 * (1. / 3) * log2((1. / 3 + 0.001) / 1.004);
  o.min_ic = 6 * ic1 + 1e-9;
  CHECK(dm_pattern_check_final(flat, &o, bg) == DM_PATTERN_LOW_IC, "just below: low ic");
  o.min_ic = 6 * ic1 - 1e-9;
  CHECK(dm_pattern_check_final(flat, &o, bg) == DM_PATTERN_KEPT, "just above: kept");
  CHECK(strcmp(dm_pattern_verdict_str(DM_PATTERN_LOW_IC), "low information content") == 0, "str");
  /* a pattern shorter than the window is judged on its total */
  o.ic_window = 20;
  o.min_ic = 8 * ic1 - 1e-9;
  CHECK(dm_pattern_check_final(flat, &o, bg) == DM_PATTERN_KEPT, "short pattern: whole sum");
  dm_pattern_t *list[2] = {flat, motif};
  CHECK(dm_pattern_add(motif, t, &SQ(0, 20, 26, 0)) == 1, "4th member");
  dm_pattern_sort_by_size(list, 2);
  CHECK(list[0] == motif && list[1] == flat, "sorted by size");
  /* filter_final: the 3-member flat pattern is dropped for low ic, a
   * 2-member one for its size, the motif is kept and extended by 1 */
  o.ic_window = 6;
  o.min_ic = 3.0; /* flat: 6 x 0.41 bits; the motif: 6 x 2 */
  o.final_flank = 1;
  CHECK(dm_pattern_check_final(flat, &o, bg) == DM_PATTERN_LOW_IC, "flat: low ic");
  dm_pattern_t *few = dm_pattern_from_seqlets(t, s, 2);
  dm_pattern_t *fl[3] = {few, flat, motif};
  CHECK(dm_pattern_filter_final(fl, 3, t, &o, bg) == 1, "one kept");
  CHECK(
      fl[0]->n_seqlets == 4 && fl[0]->len == 8 && fl[0]->seqlets[0].start == 9 && fl[0]->seqlets[0].end == 17,
      "motif extended by the final flank: %d bp", fl[0]->len);
  o.final_flank = 30;
  dm_pattern_t *fl2[1] = {fl[0]};
  CHECK(dm_pattern_filter_final(fl2, 1, t, &o, bg) == 0, "no room for a 30-bp flank");
  /* subpatterns: labels 5 2 2 5 2 -> subpattern_2 (3 members), subpattern_5 (2) */
  dm_seqlet_t sm[5] = {SQ(0, 0, 6, 0), SQ(1, 0, 6, 0), SQ(1, 1, 7, 0), SQ(2, 3, 9, 1), SQ(0, 9, 15, 0)};
  dm_pattern_t *sp = dm_pattern_from_seqlets(t, sm, 5);
  int lab[5] = {5, 2, 2, 5, 2}, lab2[5] = {7, 3, 3, 7, 9};
  dm_pattern_set_subpatterns(sp, t, lab);
  CHECK(sp->n_sub == 2 && sp->sub_id[0] == 2 && sp->sub_id[1] == 5 && sp->sub[0]->n_seqlets == 3 &&
            sp->sub[1]->n_seqlets == 2 && sp->sub[1]->seqlets[1].example == 2 &&
            sp->sub[1]->seqlets[1].is_revcomp,
        "subpatterns by size");
  dm_pattern_set_subpatterns(sp, t, lab2);
  CHECK(sp->n_sub == 3 && sp->sub_id[0] == 7 && sp->sub_id[1] == 3 && sp->sub_id[2] == 9,
        "ties: first label seen first");
  for (int j = 0; j < 6 * 4; j++) CLOSE(sp->sub[2]->sequence[j], poh[(0 * PL + 9) * 4 + j], 1e-12);
  /* unique members over patterns: sp's five, then sub[2]'s one (sm[4]) on the other strand */
  sp->sub[2]->seqlets[0].is_revcomp = 1;
  dm_pattern_t *two[2] = {sp, sp->sub[2]};
  dm_seqlet_t *u = NULL;
  CHECK(dm_pattern_unique_seqlets(two, 2, &u) == 5, "5 unique windows");
  for (int i = 0; u && i < 5; i++)
    CHECK(u[i].example == sm[i].example && u[i].start == sm[i].start &&
              u[i].is_revcomp == (i == 4 ? 1 : sm[i].is_revcomp),
          "unique %d: order of first appearance, strand of the last", i);
  free(u);
  dm_pattern_destroy(sp);
  dm_pattern_opt_t d;
  dm_pattern_opt_init(&d);
  CHECK(dm_pattern_opt_check(&d) == 0, "defaults valid");
  d.window_size = 0;
  CHECK(dm_pattern_opt_check(&d) < 0, "window 0 rejected");
}

int main(void) {
  dm_log_init(0, DM_LOG_ERROR + (getenv("DM_VERBOSE") ? 3 : 0));
  test_means();
  test_ic();
  dm_tracks_t t;
  make_planted(&t);
  test_trim_expand(&t);
  test_align(&t);
  test_cluster(&t);
  test_filters(&t);
  return dm_test_summary("test_pattern");
}
