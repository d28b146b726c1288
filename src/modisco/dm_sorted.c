/* This object's header. */
#include "dm_sorted.h"

/* Standard headers. */
#include <math.h>

size_t dm_sorted_count_below(const double *v, size_t n, double x) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

size_t dm_sorted_count_at_most(const double *v, size_t n, double x) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid] <= x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

double dm_sorted_quantile(const double *v, size_t n, double q) {
  double h = q * (double)(n - 1);
  size_t i = (size_t)floor(h);
  if (i >= n - 1) return v[n - 1];
  /* numpy's lerp: from the nearer end, so q = 1 gives the last value exactly */
  double t = h - (double)i, a = v[i], b = v[i + 1], d = b - a;
  return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}
