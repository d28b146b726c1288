/* This object's header. */
#include "dm_svg.h"

/* Standard headers. */
#include <math.h>
#include <stdlib.h>

/* Local headers. */
#include "dm_mem.h"

/* Letters A C G T in a unit box (y down), filled; colours of the usual logos. */
static const char *const glyph[4] = {
    /* A: legs and apex, with the counter as a hole (even-odd) */
    "<path fill-rule=\"evenodd\" d=\"M0,1 L0.39,0 L0.61,0 L1,1 L0.78,1 L0.68,0.72 L0.32,0.72 L0.22,1 Z "
    "M0.38,0.55 L0.62,0.55 L0.5,0.2 Z\"/>",
    /* C: a ring open on the right */
    "<path d=\"M0.96,0.28 A0.48,0.5 0 1 0 0.96,0.72 L0.78,0.63 A0.29,0.31 0 1 1 0.78,0.37 Z\"/>",
    /* G: the C ring and its bar */
    "<path d=\"M0.96,0.28 A0.48,0.5 0 1 0 0.98,0.6 L0.8,0.6 A0.29,0.31 0 1 1 0.78,0.37 Z\"/>"
    "<path d=\"M0.52,0.5 L0.98,0.5 L0.98,0.92 L0.82,0.92 L0.82,0.64 L0.52,0.64 Z\"/>",
    /* T: bar and stem */
    "<path d=\"M0,0 L1,0 L1,0.17 L0.59,0.17 L0.59,1 L0.41,1 L0.41,0.17 L0,0.17 Z\"/>",
};
static const char *const colour[4] = {"#109648", "#255c99", "#f7b32b", "#d62839"};

dm_svg_logo_opt_t dm_svg_logo_defaults(dm_logo_mode_t mode) {
  return (dm_svg_logo_opt_t){.mode = mode, .col_px = 16, .height_px = 90, .label = "logo"};
}

double dm_svg_row_bits(const double *p) {
  const double pc = 0.001;
  double ic = 0;
  for (int b = 0; b < 4; b++) ic += p[b] * log2((p[b] + pc) / (1 + 4 * pc)) - 0.25 * log2(0.25);
  return ic > 0 ? ic : 0;
}

void dm_svg_logo_range(const double *m, int len, double *ymin, double *ymax) {
  *ymin = 0;
  *ymax = 0;
  for (int i = 0; i < len; i++) {
    double pos = 0, neg = 0;
    for (int b = 0; b < 4; b++) {
      if (m[4 * i + b] > 0)
        pos += m[4 * i + b];
      else
        neg += m[4 * i + b];
    }
    if (pos > *ymax) *ymax = pos;
    if (neg < *ymin) *ymin = neg;
  }
}

/* Draw one letter filling the box (x, y) - (x + w, y + h) in pixels. */
static void letter(FILE *fp, int b, double x, double y, double w, double h) {
  if (h < 0.05) return;
  fprintf(fp, "<g fill=\"%s\" transform=\"translate(%.2f,%.2f) scale(%.2f,%.3f)\">%s</g>", colour[b], x, y, w,
          h, glyph[b]);
}

void dm_svg_logo(FILE *fp, const double *m, int len, const dm_svg_logo_opt_t *o) {
  const double axis = 34, top = 6, bottom = 6; /* margins: y axis labels on the left */
  int frame = o->frame > o->shift + len ? o->frame : o->shift + len;
  double ymin = o->ymin, ymax = o->ymax;
  if (o->mode == DM_LOGO_BITS && ymin == ymax) ymin = 0, ymax = 2;
  if (ymin == ymax) dm_svg_logo_range(m, len, &ymin, &ymax);
  if (ymax - ymin <= 0) ymax = ymin + 1;
  double H = o->height_px, W = axis + frame * o->col_px + 4, sy = H / (ymax - ymin);
  double y0 = top + ymax * sy; /* pixel row of value 0 */
  fprintf(fp,
          "<svg class=\"logo\" width=\"%.0f\" height=\"%.0f\" "
          "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">",
          W, H + top + bottom, W, H + top + bottom, o->label);
  /* axis: ticks at ymin, 0, ymax */
  fprintf(fp, "<g class=\"axis\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", axis - 3, top,
          axis - 3, top + H);
  double ticks[3] = {ymin, 0, ymax};
  for (int t = 0; t < 3; t++) {
    if (t == 0 && ymin == 0) continue;
    double y = top + (ymax - ticks[t]) * sy;
    fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", axis - 6, y, axis - 3, y);
    fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2g</text>", axis - 8, y + 3.5,
            fabs(ticks[t]) < 1e-12 ? 0 : ticks[t]);
  }
  fprintf(fp, "</g>");
  if (ymin < 0)
    fprintf(fp, "<line class=\"base\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", axis, y0,
            axis + frame * o->col_px, y0);
  for (int i = 0; i < len; i++) {
    double v[4], x = axis + (o->shift + i) * o->col_px + 0.5 * 0.06 * o->col_px, w = o->col_px * 0.94;
    double bits = o->mode == DM_LOGO_BITS ? dm_svg_row_bits(m + 4 * i) : 1;
    int ord[4] = {0, 1, 2, 3};
    for (int b = 0; b < 4; b++) v[b] = m[4 * i + b] * bits;
    for (int a = 1; a < 4; a++) /* ascending |v| */
      for (int b = a; b > 0 && fabs(v[ord[b]]) < fabs(v[ord[b - 1]]); b--) {
        int t = ord[b];
        ord[b] = ord[b - 1];
        ord[b - 1] = t;
      }
    double up = y0, down = y0;
    for (int k = 0; k < 4; k++) {
      int b = ord[k];
      double h = fabs(v[b]) * sy;
      if (v[b] > 0) {
        up -= h;
        letter(fp, b, x, up, w, h);
      } else if (v[b] < 0) {
        letter(fp, b, x, down, w, h);
        down += h;
      }
    }
  }
  fprintf(fp, "</svg>");
}

void dm_svg_hist(FILE *fp, const double *v, int n, double lo, double hi, int nbins, double width_px,
                 double height_px, const char *xlabel, const char *color) {
  const double left = 30, top = 6, bottom = 30;
  if (nbins < 1) nbins = 1;
  if (!(hi > lo)) hi = lo + 1;
  long *cnt = dm_calloc("histogram", (size_t)nbins, sizeof *cnt), max = 1;
  for (int i = 0; i < n; i++) {
    int b = (int)floor((v[i] - lo) / (hi - lo) * nbins);
    b = b < 0 ? 0 : b >= nbins ? nbins - 1 : b;
    if (++cnt[b] > max) max = cnt[b];
  }
  double W = left + width_px + 6, H = top + height_px + bottom, bw = width_px / nbins;
  fprintf(fp,
          "<svg class=\"hist\" width=\"%.0f\" height=\"%.0f\" "
          "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">",
          W, H, W, H, xlabel);
  fprintf(fp, "<g class=\"axis\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", left,
          top + height_px, left + width_px, top + height_px);
  fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%ld</text>", left - 4, top + 8, max);
  fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">0</text></g>", left - 4, top + height_px);
  for (int b = 0; b < nbins; b++) {
    double h = height_px * (double)cnt[b] / (double)max;
    if (cnt[b])
      fprintf(
          fp,
          "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>%ld</title></rect>",
          left + b * bw + 0.5, top + height_px - h, bw > 2 ? bw - 1 : bw, h, color, cnt[b]);
  }
  fprintf(fp,
          "<g class=\"xlab\"><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"start\">%.3g</text>"
          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>"
          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text></g></svg>",
          left, top + height_px + 12, lo, left + width_px, top + height_px + 12, hi, left + width_px / 2,
          top + height_px + 25, xlabel);
  free(cnt);
}
