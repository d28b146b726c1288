/* deeplift_ref: an independent DeepLIFT for tests, in double precision, one
 * (input, reference) pair and one element at a time (no GEMM, no shared code
 * with dm_deeplift.c). Written from the layer rules of kundajelab/deeplift
 * (layers/core.py Dense, convolutional.py Conv1D, activations.py,
 * normalization.py, pooling.py), in their form:
 *   - every layer carries a positive and a negative multiplier m+ / m-;
 *   - Conv1D / Dense pass to an input whose Δ > 0: m+·W+ᵀ + m-·W-ᵀ, Δ < 0:
 *     m+·W-ᵀ + m-·W+ᵀ, Δ exactly 0: ½(m+ + m-)·Wᵀ, the same to both of that
 *     input's multipliers; the network input's multiplier is ½(m+ + m-);
 *   - pos/neg contributions Δz+ / Δz- come from the sign of each input Δ;
 *     BatchNorm swaps them where gamma < 0; pooling and identity pass them;
 *   - Rescale: Δy/Δz, f'(z0) when |Δz| < 1e-7; RevealCancel: Δy+ / pc(Δz+),
 *     Δy- / pc(Δz-) with deeplift's pseudocount pc; genomics default picks
 *     RevealCancel after a Dense, Rescale after a Conv1D;
 *   - hypothetical contributions: mean over references of Σ_c m_c (e_c' - x0_c).
 * Dense applies to the last axis, so it is a width-1 convolution here. */
#ifndef DEEPLIFT_REF_H
#define DEEPLIFT_REF_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_deeplift.h"

#define DLREF_NEAR_ZERO 1e-7

static double dlref_f(dm_op_t op, double z) { return op == DM_OP_RELU ? (z > 0 ? z : 0) : 1 / (1 + exp(-z)); }

static double dlref_df(dm_op_t op, double z) {
  if (op == DM_OP_RELU) return z > 0;
  double s = 1 / (1 + exp(-z));
  return s * (1 - s);
}

static double dlref_pc(double t) {
  if (fabs(t) < 0.5 * DLREF_NEAR_ZERO) return t >= 0 ? t + DLREF_NEAR_ZERO : t - DLREF_NEAR_ZERO;
  return t;
}

/* Window of a conv / dense layer: kernel, stride, dilation, left padding. */
static void dlref_taps(const dm_node_t *ly, int *K, int *S, int *D, int *P) {
  int dense = ly->op == DM_OP_DENSE;
  *K = dense ? 1 : ly->kernel, *S = dense ? 1 : ly->stride, *D = dense ? 1 : ly->dilation;
  *P = dense ? 0 : ly->pad_left;
}

/* y = W x (+ b) of a conv / dense layer, with W replaced by sign(W) == sgn only if sgn != 0. */
static void dlref_linear(const dm_node_t *ly, int sgn, int bias, const double *x, double *y) {
  int K, S, D, P, ci = ly->in_ch, co = ly->out_ch;
  dlref_taps(ly, &K, &S, &D, &P);
  for (int p = 0; p < ly->out_len; p++)
    for (int o = 0; o < co; o++) {
      double s = bias ? ly->b[o] : 0.0;
      for (int k = 0; k < K; k++) {
        int l = p * S - P + k * D;
        if (l < 0 || l >= ly->in_len) continue;
        for (int c = 0; c < ci; c++) {
          double w = ly->w[((size_t)k * ci + c) * co + o];
          if (sgn == 0 || (sgn > 0 && w > 0) || (sgn < 0 && w < 0)) s += w * x[(size_t)l * ci + c];
        }
      }
      y[(size_t)p * co + o] = s;
    }
}

/* Pooling window p: [lo, hi). */
static void dlref_window(const dm_node_t *ly, int p, int *lo, int *hi) {
  int s = p * ly->stride - ly->pad_left;
  *lo = s < 0 ? 0 : s;
  *hi = s + ly->kernel > ly->in_len ? ly->in_len : s + ly->kernel;
}

/* Forward of one layer (pool: mean or max; nonlinear: f). */
static void dlref_forward(const dm_node_t *ly, const double *x, double *y) {
  size_t in = (size_t)ly->in_len * ly->in_ch;
  switch (ly->op) {
    case DM_OP_CONV1D:
    case DM_OP_DENSE:
      dlref_linear(ly, 0, 1, x, y);
      break;
    case DM_OP_BATCHNORM:
      for (size_t e = 0; e < in; e++) y[e] = x[e] * ly->scale[e % ly->in_ch] + ly->shift[e % ly->in_ch];
      break;
    case DM_OP_RELU:
    case DM_OP_SIGMOID:
      for (size_t e = 0; e < in; e++) y[e] = dlref_f(ly->op, x[e]);
      break;
    case DM_OP_MAXPOOL1D:
    case DM_OP_AVGPOOL1D:
      for (int p = 0; p < ly->out_len; p++)
        for (int c = 0; c < ly->in_ch; c++) {
          int lo, hi;
          dlref_window(ly, p, &lo, &hi);
          double a = ly->op == DM_OP_MAXPOOL1D ? -INFINITY : 0.0;
          for (int l = lo; l < hi; l++) {
            double v = x[(size_t)l * ly->in_ch + c];
            a = ly->op == DM_OP_MAXPOOL1D ? fmax(a, v) : a + v / (hi - lo);
          }
          y[(size_t)p * ly->in_ch + c] = a;
        }
      break;
    default:
      memcpy(y, x, sizeof(double) * in);
  }
}

/* RevealCancel on the nonlinearity of layer i? */
static int dlref_reveal(const dm_model_t *m, dm_rules_t rules, int i) {
  if (rules != DM_RULES_GENOMICS) return rules == DM_RULES_REVEALCANCEL;
  int k = i - 1;
  while (k >= 0 && (m->nodes[k].op == DM_OP_BATCHNORM || m->nodes[k].op == DM_OP_IDENTITY)) k--;
  return k >= 0 && m->nodes[k].op == DM_OP_DENSE;
}

/* Multipliers (n_tasks, in_len * in_ch) of one input x against one reference x0. */
static void dlref_pair(const dm_model_t *m, dm_rules_t rules, const float *x, const float *x0, double *mult) {
  int L = m->n_nodes;
  size_t max = (size_t)m->in_len * m->in_ch;
  for (int i = 0; i < L; i++) {
    size_t o = (size_t)m->nodes[i].out_len * m->nodes[i].out_ch;
    if (o > max) max = o;
  }
  /* a[i], r[i]: input of layer i for x and x0; cp[i], cn[i]: its pos / neg contributions */
  double **a = calloc(L + 1, sizeof *a), **r = calloc(L + 1, sizeof *r);
  double **cp = calloc(L + 1, sizeof *cp), **cn = calloc(L + 1, sizeof *cn);
  for (int i = 0; i <= L; i++) {
    a[i] = calloc(max, sizeof(double)), r[i] = calloc(max, sizeof(double));
    cp[i] = calloc(max, sizeof(double)), cn[i] = calloc(max, sizeof(double));
  }
  double *t1 = calloc(max, sizeof(double)), *t2 = calloc(max, sizeof(double));
  double *mp = calloc(max, sizeof(double)), *mn = calloc(max, sizeof(double));
  double *np = calloc(max, sizeof(double)), *nn = calloc(max, sizeof(double));
  for (size_t e = 0; e < (size_t)m->in_len * m->in_ch; e++) {
    a[0][e] = x[e], r[0][e] = x0[e];
    double d = a[0][e] - r[0][e];
    cp[0][e] = d > 0 ? d : 0, cn[0][e] = d < 0 ? d : 0;
  }
  for (int i = 0; i < L; i++) {
    const dm_node_t *ly = &m->nodes[i];
    size_t in = (size_t)ly->in_len * ly->in_ch, out = (size_t)ly->out_len * ly->out_ch;
    dlref_forward(ly, a[i], a[i + 1]);
    dlref_forward(ly, r[i], r[i + 1]);
    if (ly->op == DM_OP_CONV1D || ly->op == DM_OP_DENSE) {
      double *dp = np, *dn = nn; /* Δ+ and Δ- of the input */
      for (size_t e = 0; e < in; e++) {
        double d = a[i][e] - r[i][e];
        dp[e] = d > 0 ? d : 0, dn[e] = d < 0 ? d : 0;
      }
      dlref_linear(ly, 1, 0, dp, cp[i + 1]);
      dlref_linear(ly, -1, 0, dn, t1);
      for (size_t e = 0; e < out; e++) cp[i + 1][e] += t1[e];
      dlref_linear(ly, 1, 0, dn, cn[i + 1]);
      dlref_linear(ly, -1, 0, dp, t1);
      for (size_t e = 0; e < out; e++) cn[i + 1][e] += t1[e];
    } else if (ly->op == DM_OP_BATCHNORM) {
      for (size_t e = 0; e < in; e++) {
        double s = ly->scale[e % ly->in_ch];
        cp[i + 1][e] = s > 0 ? cp[i][e] * s : cn[i][e] * s;
        cn[i + 1][e] = s > 0 ? cn[i][e] * s : cp[i][e] * s;
      }
    } else if (ly->op == DM_OP_RELU || ly->op == DM_OP_SIGMOID) {
      int rc = dlref_reveal(m, rules, i);
      for (size_t e = 0; e < in; e++) {
        double z0 = r[i][e], p = dlref_pc(cp[i][e]), q = dlref_pc(cn[i][e]), dz = a[i][e] - z0;
        double (*f)(dm_op_t, double) = dlref_f;
        if (rc) {
          cp[i + 1][e] =
              0.5 * ((f(ly->op, z0 + p) - f(ly->op, z0)) + (f(ly->op, z0 + q + p) - f(ly->op, z0 + q)));
          cn[i + 1][e] =
              0.5 * ((f(ly->op, z0 + q) - f(ly->op, z0)) + (f(ly->op, z0 + p + q) - f(ly->op, z0 + p)));
        } else {
          double s = fabs(dz) < DLREF_NEAR_ZERO ? dlref_df(ly->op, z0) : (a[i + 1][e] - r[i + 1][e]) / dz;
          cp[i + 1][e] = cp[i][e] * s, cn[i + 1][e] = cn[i][e] * s;
        }
      }
    } else if (ly->op == DM_OP_IDENTITY) {
      memcpy(cp[i + 1], cp[i], sizeof(double) * in);
      memcpy(cn[i + 1], cn[i], sizeof(double) * in);
    } else { /* pooling: only RevealCancel reads contributions, and it never follows a pool */
      dlref_forward(ly, cp[i], cp[i + 1]);
      dlref_forward(ly, cn[i], cn[i + 1]);
    }
  }
  for (int t = 0; t < m->n_tasks; t++) {
    memset(mp, 0, sizeof(double) * max);
    memset(mn, 0, sizeof(double) * max);
    mp[t] = mn[t] = 1.0;
    for (int i = L - 1; i >= 0; i--) {
      const dm_node_t *ly = &m->nodes[i];
      size_t in = (size_t)ly->in_len * ly->in_ch;
      memset(np, 0, sizeof(double) * max);
      memset(nn, 0, sizeof(double) * max);
      if (ly->op == DM_OP_CONV1D || ly->op == DM_OP_DENSE) {
        int K, S, D, P, ci = ly->in_ch, co = ly->out_ch;
        dlref_taps(ly, &K, &S, &D, &P);
        /* t1: m+·W+ᵀ + m-·W-ᵀ, t2: m+·W-ᵀ + m-·W+ᵀ */
        memset(t1, 0, sizeof(double) * max);
        memset(t2, 0, sizeof(double) * max);
        for (int p = 0; p < ly->out_len; p++)
          for (int o = 0; o < co; o++)
            for (int k = 0; k < K; k++) {
              int l = p * S - P + k * D;
              if (l < 0 || l >= ly->in_len) continue;
              double gp = mp[(size_t)p * co + o], gn = mn[(size_t)p * co + o];
              for (int c = 0; c < ci; c++) {
                double w = ly->w[((size_t)k * ci + c) * co + o];
                t1[(size_t)l * ci + c] += w > 0 ? gp * w : gn * w;
                t2[(size_t)l * ci + c] += w < 0 ? gp * w : gn * w;
              }
            }
        for (size_t e = 0; e < in; e++) {
          double d = a[i][e] - r[i][e];
          np[e] = nn[e] = d > 0 ? t1[e] : d < 0 ? t2[e] : 0.5 * (t1[e] + t2[e]);
        }
      } else if (ly->op == DM_OP_BATCHNORM) {
        for (size_t e = 0; e < in; e++) {
          double s = ly->scale[e % ly->in_ch];
          np[e] = s > 0 ? mp[e] * s : mn[e] * s;
          nn[e] = s > 0 ? mn[e] * s : mp[e] * s;
        }
      } else if (ly->op == DM_OP_RELU || ly->op == DM_OP_SIGMOID) {
        int rc = dlref_reveal(m, rules, i);
        for (size_t e = 0; e < in; e++) {
          double z0 = r[i][e], dz = a[i][e] - z0, sp, sn;
          if (rc) {
            sp = cp[i + 1][e] / dlref_pc(cp[i][e]);
            sn = cn[i + 1][e] / dlref_pc(cn[i][e]);
          } else {
            sp = sn = fabs(dz) < DLREF_NEAR_ZERO ? dlref_df(ly->op, z0) : (a[i + 1][e] - r[i + 1][e]) / dz;
          }
          np[e] = mp[e] * sp, nn[e] = mn[e] * sn;
        }
      } else if (ly->op == DM_OP_MAXPOOL1D || ly->op == DM_OP_AVGPOOL1D) {
        for (int p = 0; p < ly->out_len; p++)
          for (int c = 0; c < ly->in_ch; c++) {
            int lo, hi, best;
            dlref_window(ly, p, &lo, &hi);
            best = lo; /* gradient of the input's first maximum */
            for (int l = lo; l < hi; l++)
              if (a[i][(size_t)l * ly->in_ch + c] > a[i][(size_t)best * ly->in_ch + c]) best = l;
            size_t o = (size_t)p * ly->in_ch + c;
            for (int l = lo; l < hi; l++) {
              double g = ly->op == DM_OP_AVGPOOL1D ? 1.0 / (hi - lo) : l == best;
              np[(size_t)l * ly->in_ch + c] += g * mp[o];
              nn[(size_t)l * ly->in_ch + c] += g * mn[o];
            }
          }
      } else {
        memcpy(np, mp, sizeof(double) * in);
        memcpy(nn, mn, sizeof(double) * in);
      }
      memcpy(mp, np, sizeof(double) * max);
      memcpy(mn, nn, sizeof(double) * max);
    }
    for (size_t e = 0; e < (size_t)m->in_len * m->in_ch; e++)
      mult[(size_t)t * m->in_len * m->in_ch + e] = 0.5 * (mp[e] + mn[e]);
  }
  for (int i = 0; i <= L; i++) free(a[i]), free(r[i]), free(cp[i]), free(cn[i]);
  free(a), free(r), free(cp), free(cn);
  free(t1), free(t2), free(mp), free(mn), free(np), free(nn);
}

/* Hypothetical contributions hyp (n_tasks, n, in_len, in_ch) of n inputs, R references each
 * (pair i*R + k uses reference row i*R + k), as dm_methods_run returns them. */
static void dlref_hyp(const dm_model_t *m, dm_rules_t rules, int n, int R, const float *x, const float *refs,
                      double *hyp) {
  int T = m->n_tasks, ch = m->in_ch;
  size_t row = (size_t)m->in_len * ch;
  double *mult = malloc(sizeof(double) * T * row);
  memset(hyp, 0, sizeof(double) * T * n * row);
  for (int i = 0; i < n; i++)
    for (int k = 0; k < R; k++) {
      const float *x0 = refs + ((size_t)i * R + k) * row;
      dlref_pair(m, rules, x + (size_t)i * row, x0, mult);
      for (int t = 0; t < T; t++)
        for (int l = 0; l < m->in_len; l++) {
          const double *mu = mult + (size_t)t * row + (size_t)l * ch;
          double dot = 0;
          for (int c = 0; c < ch; c++) dot += mu[c] * x0[(size_t)l * ch + c];
          for (int c = 0; c < ch; c++)
            hyp[((size_t)t * n + i) * row + (size_t)l * ch + c] += (mu[c] - dot) / R;
        }
    }
  free(mult);
}

#endif
