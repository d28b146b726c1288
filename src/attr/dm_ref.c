/* dm_ref: reference inputs (dinucleotide shuffles, GC-matched, zeros,
 * uniform). See dm_ref.h for the algorithms and the seeding scheme. */
#include "dm_ref.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "dm_log.h"
#include "dm_mem.h"

#define NA 5    /* alphabet: A, C, G, T, N */
#define TOK_N 4 /* the N letter (all-zero row) */

static const char *const kind_names[DM_REF_KIND_COUNT] = {"dinuc_shuffle", "zeros", "uniform", "gc_matched"};

struct dm_ref_ws_s {
  int max_len;
  int L;            /* loaded length, 0: nothing loaded */
  uint8_t *tok;     /* (max_len,) loaded sequence, letters 0..4 */
  uint8_t *out_tok; /* (max_len,) one generated sequence */
  uint8_t *succ;    /* (max_len,) successor lists, one block per letter */
  int cnt[NA][NA];  /* dinucleotide counts of the loaded sequence */
  int deg[NA];      /* out-degree of each letter */
  int n_gc;         /* G + C count */
  int n_acgt;       /* non-N count */
  gsl_rng *rng;
};

// --- options

void dm_ref_opt_init(dm_ref_opt_t *opt) {
  opt->kind = DM_REF_DINUC_SHUFFLE;
  opt->n_refs = 10;
  opt->seed = 0;
}

/* References:n within 1..DM_REF_MAX_N? */
static int check_n(long n) {
  if (n >= 1 && n <= DM_REF_MAX_N) return 0;
  dm_log_error("References:n must be in 1..%d, got %ld", DM_REF_MAX_N, n);
  return -1;
}

int dm_ref_opt_set_n(dm_ref_opt_t *opt, long n) {
  if (check_n(n) < 0) return -1;
  opt->n_refs = (int)n;
  return 0;
}

int dm_ref_opt_from_params(const dm_params_t *p, dm_ref_opt_t *opt) {
  dm_ref_opt_init(opt);
  if (dm_ref_kind_parse(dm_params_get_string(p, "References:kind"), &opt->kind) < 0 ||
      dm_ref_opt_set_n(opt, dm_params_get_int(p, "References:n")) < 0)
    return -1;
  opt->seed = (uint64_t)dm_params_get_int(p, "References:seed");
  return dm_ref_opt_check(opt);
}

int dm_ref_opt_check(const dm_ref_opt_t *opt) {
  if ((int)opt->kind < 0 || opt->kind >= DM_REF_KIND_COUNT) {
    dm_log_error("References: unknown kind %d", (int)opt->kind);
    return -1;
  }
  return check_n(opt->n_refs);
}

int dm_ref_kind_parse(const char *name, dm_ref_kind_t *kind) {
  for (int k = 0; k < DM_REF_KIND_COUNT; k++)
    if (strcmp(name, kind_names[k]) == 0) {
      *kind = (dm_ref_kind_t)k;
      return 0;
    }
  dm_log_error("References: unknown kind '%s' (expected %s)", name, DM_REF_KIND_CHOICES);
  return -1;
}

const char *dm_ref_kind_name(dm_ref_kind_t kind) {
  return ((int)kind >= 0 && kind < DM_REF_KIND_COUNT) ? kind_names[kind] : "?";
}

int dm_ref_count(const dm_ref_opt_t *opt) {
  return (opt->kind == DM_REF_DINUC_SHUFFLE || opt->kind == DM_REF_GC_MATCHED) ? opt->n_refs : 1;
}

// --- seeding

static uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t dm_ref_seed(uint64_t seed, uint64_t seq_index, uint64_t ref_index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ seq_index) ^ ref_index);
}

// --- workspace and loading

dm_ref_ws_t *dm_ref_ws_init(int max_len) {
  DM_ASSERT(max_len >= 1);
  dm_ref_ws_t *ws = dm_calloc("ref workspace", 1, sizeof *ws);
  ws->max_len = max_len;
  ws->tok = dm_malloc("ref tokens", (size_t)max_len);
  ws->out_tok = dm_malloc("ref shuffled tokens", (size_t)max_len);
  ws->succ = dm_malloc("ref successor lists", (size_t)max_len);
  ws->rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!ws->rng) {
    dm_log_error("references: cannot allocate the random number generator (gsl_rng_alloc mt19937)");
    dm_ref_ws_destroy(ws);
    return NULL;
  }
  return ws;
}

void dm_ref_ws_destroy(dm_ref_ws_t *ws) {
  if (!ws) return;
  free(ws->tok);
  free(ws->out_tok);
  free(ws->succ);
  gsl_rng_free(ws->rng);
  free(ws);
}

/* Counts and degrees of ws->tok[0 .. L-1]. */
static void load_counts(dm_ref_ws_t *ws, int L) {
  ws->L = L;
  memset(ws->cnt, 0, sizeof ws->cnt);
  memset(ws->deg, 0, sizeof ws->deg);
  ws->n_gc = ws->n_acgt = 0;
  for (int l = 0; l < L; l++) {
    int t = ws->tok[l];
    ws->n_acgt += t != TOK_N;
    ws->n_gc += t == 1 || t == 2;
    if (l + 1 < L) {
      ws->cnt[t][ws->tok[l + 1]]++;
      ws->deg[t]++;
    }
  }
}

/* Load a one-hot (L, 4) sequence given as float (xf) or uint8 (xu). */
static int load(dm_ref_ws_t *ws, const float *xf, const uint8_t *xu, int L) {
  ws->L = 0;
  if (L < 1 || L > ws->max_len) {
    dm_log_error("sequence length %d outside 1..%d of the reference workspace", L, ws->max_len);
    return -1;
  }
  for (int l = 0; l < L; l++) {
    int t = TOK_N;
    for (int c = 0; c < 4; c++) {
      size_t i = 4 * (size_t)l + (size_t)c;
      double v = xf ? (double)xf[i] : (double)xu[i];
      if (v == 0) continue;
      if (v != 1 || t != TOK_N) {
        dm_log_error("row %d of the input is not one-hot (values must be 0 or 1, at most one 1)", l);
        return -1;
      }
      t = c;
    }
    ws->tok[l] = (uint8_t)t;
  }
  load_counts(ws, L);
  return 0;
}

int dm_ref_load_f32(dm_ref_ws_t *ws, const float *x, int L) { return load(ws, x, NULL, L); }

int dm_ref_load_u8(dm_ref_ws_t *ws, const uint8_t *x, int L) { return load(ws, NULL, x, L); }

// --- generators

/* Uniform successor of letter v, weighted by dinucleotide multiplicity. */
static int random_successor(const dm_ref_ws_t *ws, int v) {
  int r = (int)gsl_rng_uniform_int(ws->rng, (unsigned long)ws->deg[v]);
  int w = 0;
  while (r >= ws->cnt[v][w]) r -= ws->cnt[v][w++];
  return w;
}

/* One dinucleotide shuffle of the loaded sequence into ws->out_tok. */
static void dinuc_shuffle(dm_ref_ws_t *ws) {
  const int L = ws->L, first = ws->tok[0], last = ws->tok[L - 1];
  /* Wilson: random arborescence of last-exit edges towards `last`. */
  int in_tree[NA] = {0}, next[NA];
  in_tree[last] = 1;
  for (int u = 0; u < NA; u++) {
    if (ws->deg[u] == 0) continue;
    for (int v = u; !in_tree[v]; v = next[v]) next[v] = random_successor(ws, v);
    for (int v = u; !in_tree[v]; v = next[v]) in_tree[v] = 1;
  }
  /* Successor lists: the tree edge last, the others in random order. */
  int pos[NA];
  for (int v = 0, off = 0; v < NA; v++) {
    pos[v] = off;
    int n = 0;
    for (int w = 0; w < NA; w++) {
      int c = ws->cnt[v][w] - (v != last && ws->deg[v] > 0 && w == next[v]);
      for (int k = 0; k < c; k++) ws->succ[off + n++] = (uint8_t)w;
    }
    if (v != last && ws->deg[v] > 0) ws->succ[off + n++] = (uint8_t)next[v];
    int n_free = v == last ? n : n - 1;
    for (int i = n_free - 1; i > 0; i--) { /* Fisher-Yates */
      int j = (int)gsl_rng_uniform_int(ws->rng, (unsigned long)i + 1);
      uint8_t t = ws->succ[off + i];
      ws->succ[off + i] = ws->succ[off + j];
      ws->succ[off + j] = t;
    }
    off += n;
  }
  /* The Eulerian walk. */
  int cur = first;
  ws->out_tok[0] = (uint8_t)cur;
  for (int l = 1; l < L; l++) {
    cur = ws->succ[pos[cur]++];
    ws->out_tok[l] = (uint8_t)cur;
  }
}

/* A random sequence with the loaded G+C count; N positions kept. */
static void gc_matched(dm_ref_ws_t *ws) {
  int need = ws->n_gc, left = ws->n_acgt;
  for (int l = 0; l < ws->L; l++) {
    if (ws->tok[l] == TOK_N) {
      ws->out_tok[l] = TOK_N;
      continue;
    }
    int gc = (int)gsl_rng_uniform_int(ws->rng, (unsigned long)left) < need;
    need -= gc;
    left--;
    int coin = (int)gsl_rng_uniform_int(ws->rng, 2);
    ws->out_tok[l] = (uint8_t)(gc ? 1 + coin : 3 * coin); /* C/G or A/T */
  }
}

static void tokens_to_onehot(const uint8_t *tok, int L, float *out /* (L, 4) */) {
  memset(out, 0, sizeof(float) * 4 * (size_t)L);
  for (int l = 0; l < L; l++)
    if (tok[l] != TOK_N) out[4 * (size_t)l + tok[l]] = 1.0f;
}

int dm_ref_make(dm_ref_ws_t *ws, const dm_ref_opt_t *opt, uint64_t seq_index, int ref_begin, int n,
                float *out) {
  if (ws->L == 0) {
    dm_log_error("no sequence loaded into the reference workspace");
    return -1;
  }
  DM_ASSERT(ref_begin >= 0 && n >= 0);
  const int L = ws->L;
  const size_t stride = 4 * (size_t)L;
  for (int r = 0; r < n; r++) {
    float *o = out + (size_t)r * stride;
    switch (opt->kind) {
      case DM_REF_ZEROS:
        memset(o, 0, sizeof(float) * stride);
        break;
      case DM_REF_UNIFORM:
        for (size_t i = 0; i < stride; i++) o[i] = 0.25f;
        break;
      case DM_REF_DINUC_SHUFFLE:
      case DM_REF_GC_MATCHED:
        gsl_rng_set(ws->rng,
                    (unsigned long)dm_ref_seed(opt->seed, seq_index, (uint64_t)ref_begin + (uint64_t)r));
        if (opt->kind == DM_REF_DINUC_SHUFFLE)
          dinuc_shuffle(ws);
        else
          gc_matched(ws);
        tokens_to_onehot(ws->out_tok, L, o);
        break;
      default:
        DM_ASSERT(0 && "unknown reference kind");
    }
  }
  return 0;
}
