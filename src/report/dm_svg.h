/* dm_svg: inline SVG figures drawn by dmotif (no fonts needed for letters:
 * A, C, G and T are filled paths), for the self-contained report page.
 *
 * Sequence logos: a (len, 4) matrix, A C G T. In DM_LOGO_VALUES mode the
 * values are drawn as they are (CWM, hCWM): at each position the positive
 * values stack upwards from the baseline, largest on top, the negative ones
 * downwards. In DM_LOGO_BITS mode the rows are probabilities and each
 * letter's height is p times the column's information content in bits
 * (uniform background), on a 0-2 bit axis.
 *
 *   dm_svg_logo_opt_t o = dm_svg_logo_defaults(DM_LOGO_VALUES);
 *   dm_svg_logo(stdout, cwm, len, &o);
 */
#ifndef DM_SVG_H
#define DM_SVG_H

#include <stdio.h>

typedef enum { DM_LOGO_VALUES, DM_LOGO_BITS } dm_logo_mode_t;

typedef struct {
  dm_logo_mode_t mode;
  double col_px;     /* width of one position in pixels */
  double height_px;  /* height of the drawing area in pixels */
  double ymin, ymax; /* value range drawn; ymin == ymax: from the data (bits: 0..2) */
  int shift;         /* empty positions drawn before the matrix (to align logos) */
  int frame;         /* positions of the whole frame, >= shift + len (0: shift + len) */
  const char *label; /* aria-label / title of the figure */
} dm_svg_logo_opt_t;

/** @return options with col_px 16, height_px 90, range from the data. */
dm_svg_logo_opt_t dm_svg_logo_defaults(dm_logo_mode_t mode);

/**
 * @brief Range of a VALUES logo: smallest column sum of negatives (<= 0) and
 *        largest column sum of positives (>= 0) of m (len, 4).
 */
void dm_svg_logo_range(const double *m, int len, double *ymin, double *ymax);

/**
 * @brief Information content in bits of a probability row p (4,), as
 *        tfmodisco-lite's report computes it (pseudocount 0.001, uniform
 *        background).
 */
double dm_svg_row_bits(const double *p);

/** @brief Write one logo as an <svg> element (class "logo"). */
void dm_svg_logo(FILE *fp, const double *m, int len, const dm_svg_logo_opt_t *o);

/**
 * @brief Write a histogram of v (n,) over [lo, hi) in nbins bars as an <svg>
 *        element (class "hist"), with the axis ends and xlabel written below.
 */
void dm_svg_hist(FILE *fp, const double *v, int n, double lo, double hi, int nbins, double width_px,
                 double height_px, const char *xlabel, const char *color);

#endif
