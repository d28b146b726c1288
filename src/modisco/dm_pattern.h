/* dm_pattern: TF-MoDISco step 6, seqlets -> patterns (tfmodisco-lite rules).
 *
 * A pattern is a set of seqlets (dm_seqlet_t: example, [start, end) on the
 * example's forward strand, is_revcomp; score and metacluster are carried
 * along unused), all aligned at pattern position 0 (a member of length n
 * covers positions 0..n-1). The pattern keeps per-position sums of the
 * members' one-hot, contribution and hypothetical tracks and their means:
 *     sequence (PPM), contrib (CWM), hyp (hCWM)   each (len, 4)
 * where the mean at a position divides by the number of members covering
 * it (the support). Member data are read from the per-example tracks
 * (dm_tracks_t); a reverse-complement member reads its window reversed
 * along positions and along A,C,G,T.
 *
 * Building a pattern from a cluster (dm_pattern_from_cluster):
 *   1. sort the seqlets by -sum|contrib| (stable);
 *   2. start from the first; align each next one to the running pattern by
 *      continuous Jaccard over [hyp L1-normed | contrib L1-normed] (L, 8),
 *      sliding the seqlet over the pattern padded by ceil(Ls (1 - min_overlap))
 *      on both sides, both strands (reverse only if strictly better);
 *      extend the seqlet (and, if it sticks out, every member) so it fills
 *      the pattern; skip members that would leave their example;
 *   3. polish: trim to positions supported by >= min(min_num, min_frac x
 *      max support) members, extend every member by flank on both sides,
 *      keep the window_size window of maximal information content, extend
 *      by flank again;
 *   4. keep it only if the sign of sum(CWM) is the metacluster's sign.
 */
#ifndef DM_PATTERN_H
#define DM_PATTERN_H

#include "dm_log.h"
#include "dm_params.h"
#include "dm_seqlet.h"

/** Per-example tracks the members are read from (all rows of length len);
 *  the contributions are hyp * onehot, made when read (not stored). */
typedef struct {
  const uint8_t *onehot; /* (n_examples, len, 4) 0 / 1 */
  const float *hyp;      /* (n_examples, len, 4) */
  long n_examples;
  int len;
} dm_tracks_t;

typedef struct dm_pattern_s dm_pattern_t;

/** A pattern; see the file comment. Fields are read-only for callers. */
struct dm_pattern_s {
  int len;              /* Lp, positions */
  int n_seqlets, cap;   /* members, allocated slots */
  dm_seqlet_t *seqlets; /* (n_seqlets,) */
  double *support;      /* (len,) members covering each position */
  double *sum;          /* (3, len, 4) sums of onehot, contrib, hyp */
  double *sequence;     /* (len, 4) PPM */
  double *contrib;      /* (len, 4) CWM */
  double *hyp;          /* (len, 4) hCWM */
  int n_sub;            /* subpatterns (set by the driver), 0 if none */
  dm_pattern_t **sub;   /* (n_sub,) owned */
  int *sub_id;          /* (n_sub,) names: subpattern_<sub_id[k]> */
};

/** Pattern options (tfmodisco-lite TFMoDISco() defaults). */
typedef struct {
  double min_overlap; /* min_overlap_while_sliding: 0.7 */
  double min_frac;    /* frac_support_to_trim_to: 0.2 */
  int min_num;        /* min_num_to_trim_to: 30 */
  int window_size;    /* trim_to_window_size: 30 */
  int flank;          /* initial_flank_to_add: 10 */
  int final_flank;    /* final_flank_to_add: 0 */
  int min_seqlets;    /* final_min_cluster_size: 20 */
  double min_ic;      /* min_ic_in_window: 0.6 bits */
  int ic_window;      /* min_ic_windowsize: 6 */
  double pseudocount; /* ppm_pseudocount: 0.001 */
  int revcomp;        /* align both strands (lite: not stranded): 1 */
} dm_pattern_opt_t;

/** Parameter table entries of dm_pattern_opt_t (section "Patterns:"). */
// clang-format off
#define DM_PATTERN_PARAMS \
  {"Patterns:min_overlap", DM_PARAM_FLOAT, "0.7", NULL, "min overlap while sliding seqlets over a pattern (pad = ceil(L (1 - x)))"}, \
  {"Patterns:frac_support_to_trim_to", DM_PARAM_FLOAT, "0.2", NULL, "trim pattern ends supported by < min(min_num, frac x max support) seqlets"}, \
  {"Patterns:min_num_to_trim_to", DM_PARAM_INT, "30", NULL, "see frac_support_to_trim_to"}, \
  {"Patterns:trim_to_window_size", DM_PARAM_INT, "30", NULL, "keep this many bp of maximal information content when polishing"}, \
  {"Patterns:initial_flank_to_add", DM_PARAM_INT, "10", NULL, "bp added on both sides around the trimmed window"}, \
  {"Patterns:final_flank_to_add", DM_PARAM_INT, "0", NULL, "bp added on both sides of the final patterns"}, \
  {"Patterns:final_min_cluster_size", DM_PARAM_INT, "20", NULL, "drop patterns with fewer seqlets"}, \
  {"Patterns:min_ic_in_window", DM_PARAM_FLOAT, "0.6", NULL, "drop patterns whose best window has less information content (bits)"}, \
  {"Patterns:min_ic_windowsize", DM_PARAM_INT, "6", NULL, "window for min_ic_in_window (bp)"}, \
  {"Patterns:ppm_pseudocount", DM_PARAM_FLOAT, "0.001", NULL, "pseudocount of the PPM in information content"}, \
  {"Patterns:revcomp", DM_PARAM_BOOL, "true", NULL, "align seqlets on both strands (false: stranded)"}
// clang-format on

/** @brief Set the tfmodisco-lite defaults. @param o options to fill */
void dm_pattern_opt_init(dm_pattern_opt_t *o);

/**
 * @brief Validate options.
 * @param o options
 * @return 0, or -1 after logging the offending Patterns: key
 */
DM_RESULT_USED int dm_pattern_opt_check(const dm_pattern_opt_t *o);

/**
 * @brief Fill options from the "Patterns:" keys of a parameter set whose
 *        spec contains DM_PATTERN_PARAMS, then check them.
 * @return 0, or -1 (logged)
 */
DM_RESULT_USED int dm_pattern_opt_from_params(dm_pattern_opt_t *o, const dm_params_t *p);

// --- lifetime and members

/**
 * @brief Empty pattern of len positions.
 * @param len positions (>= 1)
 * @return the pattern; free with dm_pattern_destroy()
 */
dm_pattern_t *dm_pattern_init(int len);

/** @brief Free a pattern, its subpatterns and members (NULL is fine). */
void dm_pattern_destroy(dm_pattern_t *p);

/**
 * @brief Deep copy of a pattern (subpatterns are not copied).
 * @return the copy; free with dm_pattern_destroy()
 */
dm_pattern_t *dm_pattern_copy(const dm_pattern_t *p);

/**
 * @brief Read a member's window from the tracks (reverse-complemented if
 *        is_revcomp). Any output may be NULL.
 * @param t tracks
 * @param s member
 * @param seq, contrib, hyp  (end - start, 4) outputs
 * @return 0; 1 if the window holds no base (one-hot all zero: lite drops
 *         such seqlets); -1 if it leaves the example (nothing written)
 */
int dm_pattern_fetch(const dm_tracks_t *t, const dm_seqlet_t *s, float *seq, float *contrib, float *hyp);

/** Contribution hyp * onehot of element i of the (n_examples, len, 4) tracks. */
static inline float dm_tracks_contrib_at(const dm_tracks_t *t, size_t i) {
  return t->hyp[i] * (float)t->onehot[i];
}

/**
 * @brief Contributions hyp * onehot of examples r0 .. r0 + n - 1.
 * @param t   tracks
 * @param r0  first example
 * @param n   examples
 * @param out (n, len, 4) output
 */
void dm_tracks_contrib(const dm_tracks_t *t, int64_t r0, int64_t n, float *out);

/**
 * @brief Add a member at position 0 unless a member with the same example,
 *        start and end is present (lite's rule). Its length must be <= len.
 * @return 1 added, 0 duplicate or not readable (fetch != 0)
 */
int dm_pattern_add(dm_pattern_t *p, const dm_tracks_t *t, const dm_seqlet_t *s);

/**
 * @brief Pattern of the given members (length = the longest), skipping
 *        duplicates and unreadable ones.
 * @return the pattern, or NULL if none was readable; free with dm_pattern_destroy()
 */
dm_pattern_t *dm_pattern_from_seqlets(const dm_tracks_t *t, const dm_seqlet_t *s, int n);

/**
 * @brief Member s reverse-complemented: same window, other strand.
 * @return the member on the other strand
 */
dm_seqlet_t dm_pattern_seqlet_revcomp(dm_seqlet_t s);

/**
 * @brief Fine-similarity rows of members: [hyp / sum|hyp| | contrib /
 *        sum|contrib|] per position, flattened (lite get_2d_data_from_patterns);
 *        the input of subclustering and of cross-contamination.
 * @param s   (n,) members; those not of length len or not readable are skipped
 * @param out (n, len * 8) output
 * @return rows written
 */
int dm_pattern_seqlet_rows(const dm_tracks_t *t, const dm_seqlet_t *s, int n, int len, float *out);

// --- information content, trimming, extension

/**
 * @brief Mean base frequencies over all positions of the members' windows
 *        (lite's bg_freq; rows of the metacluster's seqlets).
 * @param bg (4,) output; 0.25 each if nothing is readable
 */
void dm_pattern_background(const dm_tracks_t *t, const dm_seqlet_t *s, int n, double bg[4]);

/**
 * @brief Per-position information content (bits) of a PPM:
 *        sum_c p log2((p + pc) / (1 + 4 pc)) - bg log2 bg; rows not summing
 *        to 1 (+-1e-5) are normalised first (as lite does, for all rows).
 *        Pure.
 * @param ppm (len, 4)
 * @param ic  (len,) output
 */
void dm_pattern_ic(const double *ppm, int len, const double bg[4], double pseudocount, double *ic);

/**
 * @brief Start of the window of w positions with the largest sum of x
 *        (first on ties). Pure.
 * @return start in 0..n-w, or -1 if n < w or w < 1
 */
int dm_pattern_best_window(const double *x, int n, int w);

/**
 * @brief Members cut to pattern positions [start, end) (lite trim_to_idx).
 * @param start, end  0 <= start < end <= len
 * @return new pattern; free with dm_pattern_destroy()
 */
dm_pattern_t *dm_pattern_trim(const dm_pattern_t *p, const dm_tracks_t *t, int start, int end);

/**
 * @brief Every member extended by left positions before and so that it
 *        ends right positions after the pattern; members that would leave
 *        their example are dropped.
 * @param left, right  positions added before and after the pattern (>= 0)
 * @return new pattern, or NULL if every member was dropped; free with dm_pattern_destroy()
 */
dm_pattern_t *dm_pattern_expand(const dm_pattern_t *p, const dm_tracks_t *t, int left, int right);

/**
 * @brief Polish (step 3 of the file comment).
 * @param bg (4,) background base frequencies (dm_pattern_background)
 * @return new pattern, or NULL if expansion dropped every member, or the
 *         pattern is shorter than window_size (logged at debug level)
 */
dm_pattern_t *dm_pattern_polish(const dm_pattern_t *p, const dm_tracks_t *t, const dm_pattern_opt_t *o,
                                const double bg[4]);

// --- aggregation

/** Alignment scores of dm_pattern_merge_in. */
typedef enum {
  DM_ALIGN_CJ,     /* continuous Jaccard of [hyp | contrib], each L1-normalised */
  DM_ALIGN_COSINE, /* cosine of contrib centred and L2-normalised (lite's merge) */
} dm_align_metric_t;

/**
 * @brief Best placement of a member relative to a pattern: the member's
 *        position 0 lies at pattern position *offset (may be negative).
 * @param metric       score to maximise
 * @param min_overlap  the pattern is padded by ceil(Ls (1 - min_overlap)) each side
 * @param revcomp      1: try both strands (reverse only if strictly better)
 * @param offset       out: best offset
 * @param rc      out: 1 if the member aligns reverse-complemented
 * @param score   out: the score at the best placement
 * @return 0, or -1 if the member is not readable or cannot be placed
 */
int dm_pattern_align(const dm_pattern_t *p, const dm_tracks_t *t, const dm_seqlet_t *s,
                     dm_align_metric_t metric, double min_overlap, int revcomp, int *offset, int *rc,
                     double *score);

/**
 * @brief dm_pattern_align for a member given by its data (e.g. another
 *        pattern's CWM and hCWM).
 * @param contrib, hyp (n, 4) the member's tracks, forward
 * @return 0, or -1 if no placement exists (n > len + 2 pad)
 */
int dm_pattern_align_data(const dm_pattern_t *p, const double *contrib, const double *hyp, int n,
                          dm_align_metric_t metric, double min_overlap, int revcomp, int *offset, int *rc,
                          double *score);

/**
 * @brief Align each seqlet to the running pattern (copy of parent) and add
 *        it, extending it and the pattern to fill each other (lite
 *        merge_in_seqlets_filledges).
 * @param s (n,) members to add, in order; unreadable or misfitting ones are skipped
 * @return new pattern; free with dm_pattern_destroy()
 */
dm_pattern_t *dm_pattern_merge_in(const dm_pattern_t *parent, const dm_tracks_t *t, const dm_seqlet_t *s,
                                  int n, dm_align_metric_t metric, double min_overlap, int revcomp);

/**
 * @brief Pattern of one cluster: sort, aggregate, polish, sign check.
 * @param s     (n,) the cluster's seqlets
 * @param sign  +1 or -1: the metacluster's sign
 * @return the pattern, or NULL if polishing failed or the sign differs
 *         (logged at debug level); free with dm_pattern_destroy()
 */
dm_pattern_t *dm_pattern_from_cluster(const dm_tracks_t *t, const dm_seqlet_t *s, int n,
                                      const dm_pattern_opt_t *o, const double bg[4], int sign);

// --- final filters

/** Why dm_pattern_filter dropped a pattern. */
typedef enum {
  DM_PATTERN_KEPT = 0,
  DM_PATTERN_TOO_FEW_SEQLETS, /* n_seqlets < min_seqlets */
  DM_PATTERN_LOW_IC,          /* best ic_window window < min_ic bits */
  DM_PATTERN_NO_ROOM,         /* every seqlet leaves its example with the final flank */
} dm_pattern_verdict_t;

/** @brief Text of a verdict. @return "kept", "too few seqlets", ... */
const char *dm_pattern_verdict_str(dm_pattern_verdict_t v);

/**
 * @brief Final filters of lite (_filter_patterns): at least min_seqlets
 *        members, and the best ic_window-bp window (the whole pattern if
 *        shorter) holds >= min_ic bits.
 * @return the verdict
 */
dm_pattern_verdict_t dm_pattern_check_final(const dm_pattern_t *p, const dm_pattern_opt_t *o,
                                            const double bg[4]);

/**
 * @brief Lite's last steps: sort by size, drop the patterns failing
 *        dm_pattern_check_final, then extend the others by final_flank on
 *        both sides (lite crashes if that leaves no member; here the pattern
 *        is dropped). Dropped patterns are destroyed, each reason logged.
 * @param p (n,) in/out: the kept patterns, packed at the front, by size
 * @return the number kept
 */
int dm_pattern_filter_final(dm_pattern_t **p, int n, const dm_tracks_t *t, const dm_pattern_opt_t *o,
                            const double bg[4]);

/**
 * @brief Subpatterns from the members' subcluster labels (lite
 *        compute_subpatterns, after its clustering): one pattern per label
 *        from its members in order, sorted by decreasing size (ties: first
 *        label seen first), written as subpattern_<label>. Replaces any
 *        previous subpatterns.
 * @param labels (n_seqlets,) label of each member, >= 0
 */
void dm_pattern_set_subpatterns(dm_pattern_t *p, const dm_tracks_t *t, const int *labels);

/**
 * @brief The members of all patterns, each window once (lite's input of
 *        clustering round 2): in order of first appearance, a window seen
 *        again (same example, start, end) takes the later strand.
 * @param out new array (free with free()), NULL if there is none
 * @return the number of members in *out
 */
int dm_pattern_unique_seqlets(dm_pattern_t *const *p, int n, dm_seqlet_t **out);

/**
 * @brief Sort patterns by decreasing member count (stable).
 * @param p (n,) in/out
 */
void dm_pattern_sort_by_size(dm_pattern_t **p, int n);

#endif
