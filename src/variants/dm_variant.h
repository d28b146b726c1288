/* dm_variant: the two model windows of a variant allele, and its scores.
 *
 * Windows (ChromBPNet's variant scorer rule). For a model of input length L,
 * let F = floor(L / 2) and p the 0-based position of the first REF base
 * (VCF POS - 1). The reference window is the genome [p - F, p - F + L): REF
 * starts at window index F. With d = len(REF) - len(ALT):
 *   - d = 0 (SNV, MNV): alt = window with ALT written over REF at index F;
 *   - d > 0 (deletion): the genome is read d bases further, [p - F, p - F + L + d);
 *     alt = left flank (F bases) + ALT + the bases after REF, up to L;
 *   - d < 0 (insertion): alt = left flank + ALT + the bases after REF,
 *     trimmed to L (the inserted bases push the downstream sequence out).
 * Both windows have length L and share the left flank; the variant is
 * centred, and the ref window is the plain genome window.
 *
 * Scores per task, from logits z (pre-activation) and outputs y (after the
 * model's output activation) of the two windows:
 *   logit_diff = z_alt - z_ref
 *   logfc      = log2(y_alt / y_ref)   (y clipped below at 1e-30); the driver
 *                uses (z_alt - z_ref) / ln 2 for a linear output, a log-counts head
 * Pure functions: no I/O.
 */
#ifndef DM_VARIANT_H
#define DM_VARIANT_H

#include <stdint.h>

/** Flags of an allele row (bits). */
enum {
  DM_VAR_REF_MISMATCH = 1,  /* VCF REF differs from the genome at POS: not scored */
  DM_VAR_OFF_END = 2,       /* the window runs off the chromosome: not scored */
  DM_VAR_UNKNOWN_CONTIG = 4, /* CHROM is not in the genome: not scored */
  DM_VAR_NOT_SEQUENCE = 8,  /* ALT is symbolic (<DEL>), '*', missing '.', or not A/C/G/T/N: not scored */
};

/** @return 1 if a row with these flags is scored. */
static inline int dm_variant_scored(int flags) { return flags == 0; }

/**
 * @brief Genome interval a variant's windows need.
 * @param p       0-based position of the first REF base
 * @param L       model input length
 * @param len_ref length of REF (>= 1)
 * @param len_alt length of ALT (>= 0)
 * @param start   first base to fetch (output; may be negative: off the chromosome)
 * @param end     one past the last base to fetch (output)
 */
void dm_variant_span(int64_t p, int L, int len_ref, int len_alt, int64_t *start, int64_t *end);

/**
 * @brief Build the reference and alternate windows.
 * @param g       bases [start, end) from dm_variant_span
 * @param L       model input length
 * @param ref     REF allele (len_ref bases)
 * @param len_ref length of REF, 1 <= len_ref
 * @param alt     ALT allele (len_alt bases)
 * @param len_alt length of ALT, >= 0
 * @param wref    (L,) reference window (output)
 * @param walt    (L,) alternate window (output)
 */
void dm_variant_windows(const char *g, int L, const char *ref, int len_ref, const char *alt, int len_alt,
                        char *wref, char *walt);

/**
 * @brief 1 if REF equals the genome bases at its position (case-insensitive;
 *        N in REF matches any base).
 * @param g       bases from dm_variant_span (REF starts at index floor(L/2))
 * @param L       model input length
 * @param ref     REF allele
 * @param len_ref its length
 */
int dm_variant_ref_matches(const char *g, int L, const char *ref, int len_ref);

/**
 * @brief Scores of n alleles for T tasks.
 * @param n      alleles
 * @param T      tasks
 * @param zref   (n, T) logits of the reference windows
 * @param zalt   (n, T) logits of the alternate windows
 * @param yref   (n, T) outputs of the reference windows
 * @param yalt   (n, T) outputs of the alternate windows
 * @param diff   (n, T) logit_diff (output)
 * @param logfc  (n, T) logfc (output)
 */
void dm_variant_scores(int n, int T, const float *zref, const float *zalt, const float *yref, const float *yalt,
                       float *diff, float *logfc);

/**
 * @brief Jensen-Shannon distance between the profiles softmax(a) and
 *        softmax(b) over n units (natural log, as scipy's jensenshannon):
 *        sqrt(½ KL(p || m) + ½ KL(q || m)), m = (p + q) / 2; in [0, sqrt(ln 2)].
 * @param a (n,) logits of one profile
 * @param b (n,) logits of the other
 * @param n units, >= 1
 */
double dm_variant_jsd(const float *a, const float *b, int n);

/**
 * @brief Empirical two-sided p-values against a pooled null:
 *        p_i = (1 + #{j : |null_j| >= |obs_i|}) / (1 + n_null); NaN for a NaN obs_i.
 * @param n_null null scores (NaN entries are skipped)
 * @param null   (n_null,) null scores; replaced by the sorted |values| (finite first)
 * @param n      observed scores
 * @param obs    (n,) observed scores
 * @param p      (n,) p-values (output)
 */
void dm_variant_pvalues(int64_t n_null, float *null, int64_t n, const float *obs, float *p);

#endif
