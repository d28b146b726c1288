/* This object's header. */
#include "dm_isotonic.h"

/* Standard headers. */
#include <math.h>

long dm_isotonic_fit(size_t n, const double *y, const double *w, double *fit, double *bw, size_t *bstart) {
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(y[i]) || !isfinite(w[i]) || !(w[i] > 0)) {
      dm_log_error("isotonic fit: point %zu has y = %g, weight = %g (need finite y, weight > 0)", i, y[i],
                   w[i]);
      return -1;
    }
  }
  /* Stack of blocks: mean in fit[k], weight in bw[k], first index in bstart[k]. */
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    fit[k] = y[i];
    bw[k] = w[i];
    bstart[k] = i;
    k++;
    while (k > 1 && fit[k - 2] > fit[k - 1]) {
      double wsum = bw[k - 2] + bw[k - 1];
      fit[k - 2] = (bw[k - 2] * fit[k - 2] + bw[k - 1] * fit[k - 1]) / wsum;
      bw[k - 2] = wsum;
      k--;
    }
  }
  /* Expand from the last block down: block b writes indices >= bstart[b] >= b,
   * so the means of blocks < b, kept in fit[0..b), are still intact. */
  size_t end = n;
  for (size_t b = k; b-- > 0;) {
    double mean = fit[b];
    for (size_t j = bstart[b]; j < end; j++) fit[j] = mean;
    end = bstart[b];
  }
  return (long)k;
}
