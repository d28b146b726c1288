/* dm_seqlet_call_mpi, the seqlet step distributed over ranks (rows in rank
 * blocks, samples merged, thresholds on every rank, metacluster caps by an
 * exclusive scan): every rank gets the same seqlets as the kernels chained
 * by hand on all rows at once, in one process; identical on 1, 2 and 4
 * ranks. Too-short examples give -1 on every rank. */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "dm_log.h"
#include "dm_mpi.h"
#include "dm_seqlet.h"
#include "dm_test_mpi.h"

enum { NE = 60, LE = 150 };

/* Every rank makes the same examples: noise plus one 8-bp motif of sign
 * +, - or none per example. */
static void make_examples(float *c) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  memset(c, 0, NE * LE * 4 * sizeof *c);
  for (int i = 0; i < NE; i++) {
    int pos = 25 + (int)gsl_rng_uniform_int(r, 90), sgn = i % 3 - 1;
    for (int l = 0; l < LE; l++) {
      float x = (float)gsl_ran_gaussian(r, 0.03) + (l >= pos && l < pos + 8 ? 0.4f * (float)sgn : 0.0f);
      c[(i * LE + l) * 4 + gsl_rng_uniform_int(r, 4)] = x;
    }
  }
  gsl_rng_free(r);
}

/* The kernels chained on all rows in this process: the seqlets in a
 * metacluster after the cap (malloc'd), *n_out of them. */
static dm_seqlet_t *serial(const dm_seqlet_opt_t *o, const float *c, size_t *n_out) {
  size_t nw = dm_seqlet_n_windows(o, LE);
  double *S = malloc(NE * nw * sizeof *S), *work = malloc(nw * sizeof *work);
  CHECK(dm_seqlet_window_sums(o, c, NE, LE, S) == 0, "sums");
  double prob = dm_seqlet_sample_prob(o, NE * nw);
  size_t k = dm_seqlet_sample(o, S, NE, nw, 0, prob, NULL);
  double *sample = malloc((k + 1) * sizeof *sample);
  dm_seqlet_sample(o, S, NE, nw, 0, prob, sample);
  dm_seqlet_thr_t thr;
  CHECK(k > 0 && dm_seqlet_thresholds(o, sample, k, &thr) == 0, "thresholds");
  size_t ns = dm_seqlet_extract(o, &thr, S, NE, nw, 0, work, NULL);
  dm_seqlet_t *s = malloc((ns + 1) * sizeof *s);
  dm_seqlet_extract(o, &thr, S, NE, nw, 0, work, s);
  size_t cnt[2], kept[2], before[2] = {0, 0};
  dm_seqlet_assign(&thr, s, ns, cnt);
  dm_seqlet_cap(o, s, ns, before, kept);
  size_t m = 0;
  for (size_t i = 0; i < ns; i++)
    if (s[i].metacluster) s[m++] = s[i];
  free(S);
  free(work);
  free(sample);
  *n_out = m;
  return s;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_WORLD);
  dm_log_init(ctx.rank, DM_LOG_WARN);
  float *c = malloc(NE * LE * 4 * sizeof *c);
  make_examples(c);
  dm_seqlet_opt_t o;
  dm_seqlet_opt_init(&o);
  o.sample_cap = 3000; /* of 60 * 130 windows: the sample matters */
  o.max_seqlets = 10;  /* and so does the cap */

  dm_seqlet_t *all = NULL;
  int got = -1;
  int64_t r0, nb; /* this rank's rows */
  dm_mpi_block_range(NE, ctx.size, ctx.rank, &r0, &nb);
  const float *mine = c + (size_t)r0 * LE * 4;
  CHECK(dm_seqlet_call_mpi(&ctx, &o, mine, NE, LE, &all, &got) == 0, "dm_seqlet_call_mpi failed");
  size_t ref_n;
  dm_seqlet_t *ref = serial(&o, c, &ref_n);
  CHECK(got == (int)ref_n && ref_n > 0, "%d seqlets on %d ranks, %zu in one process", got, ctx.size, ref_n);
  int diff = 0, in_mc[2] = {0, 0};
  for (int i = 0; i < got && i < (int)ref_n; i++) {
    diff += all[i].example != ref[i].example || all[i].start != ref[i].start || all[i].end != ref[i].end ||
            all[i].metacluster != ref[i].metacluster || memcmp(&all[i].score, &ref[i].score, sizeof(double));
    in_mc[all[i].metacluster > 0 ? 0 : 1]++;
  }
  CHECK(diff == 0, "%d seqlets differ from the one-process run", diff);
  CHECK(in_mc[0] == 10 && in_mc[1] == 10, "kept %d + %d, cap 10", in_mc[0], in_mc[1]);
  free(ref);
  free(all);

  /* examples shorter than the window: an error on every rank, no seqlets */
  o.window = LE + 1;
  all = NULL;
  got = -1;
  CHECK(dm_seqlet_call_mpi(&ctx, &o, mine, NE, LE, &all, &got) < 0 && !all && got == 0,
        "window > L accepted");
  free(c);
  return dm_test_finish_mpi("test_seqlet_mpi");
}
