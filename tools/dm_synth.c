/* dm_synth: synthetic planted-motif attributions for stage-2 (modisco) tests
 * and benchmarks, written as an attr.h5 (the schema of dm_attr_run.h) with
 * one task "0", plus a TSV of the planted positions (the ground truth).
 *
 * Row i (every random draw comes from a GSL mt19937 seeded with
 * dm_ref_seed(seed, i, 0), so a row depends only on the seed and i):
 *   - bases: uniform A/C/G/T;
 *   - the row is cut into m equal slots; one motif instance per slot, at a
 *     uniform offset in it, motif uniform among the motifs below, strand
 *     uniform (the reverse complement is planted on '-'), amplitude a
 *     uniform in [0.5, 1]; each planted base is the motif's (consensus)
 *     base, or with probability `mismatch` one of the 3 others;
 *   - hyp (L, 4): Laplace(0, noise) everywhere, plus, at motif position j
 *     with consensus base b, sign * a * w_j * (+1 for b, -1/3 for the other
 *     bases), w_j = 0.7 on the first and last motif position, 1 elsewhere,
 *     times a jitter uniform in [0.75, 1.25]: hyp favours the consensus
 *     base, the actual contribution (hyp * onehot) of a consensus base is
 *     sign * a * w_j + noise, that of a mismatch has the other sign and a
 *     third of the size (the variability lets TF-MoDISco's coarse and fine
 *     similarities agree, as on real data);
 *   - contrib = hyp * onehot; pred = sum of contrib over the row.
 * Motifs: GATAAG (GATA, +), CAGATG (TAL1 E-box, +), TGACTCA (AP-1, -).
 *
 * Truth TSV: row, start, end (0-based half-open in the row), motif, strand,
 * sign, amplitude, sequence (the planted bases as they are in the row); one
 * line per instance, in row order.
 *
 * With -e, the same instances also go to a TSV in the format of the deeplift
 * example's sequences.simdata (seqName, sequence, embeddings
 * "pos-<start>_<motif>-<bases>,...", task0 = 1): tools/modisco_eval scores
 * modisco.h5 patterns against it, and dmotif attr/encode read it.
 *
 * usage: dm_synth -n N -o attr.h5 -t truth.tsv [-e sim.tsv] [-l L] [-m per_row]
 *                 [-s seed] [-b noise] [-x mismatch] [-c chunk_rows]
 */

/* Standard headers. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Libraries. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/* Local headers. */
#include "dm_h5.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_ref.h"
#include "dm_regions.h"
#include "dm_version.h"

typedef struct {
  const char *name, *bases;
  int sign;
} motif_t;

static const motif_t motifs[] = {
    {"GATA", "GATAAG", +1},
    {"TAL1", "CAGATG", +1},
    {"AP1", "TGACTCA", -1},
};
#define N_MOTIFS ((int)(sizeof motifs / sizeof motifs[0]))
#define MAX_MOTIF_LEN 7

/* One planted instance. */
typedef struct {
  const motif_t *m;
  long start;                  /* first base in the row */
  int minus;                   /* 1: reverse complement planted */
  double amp;                  /* amplitude a */
  char seq[MAX_MOTIF_LEN + 1]; /* planted bases, as in the row */
} inst_t;

typedef struct {
  long n, len, per_row, chunk;
  unsigned long seed;
  double noise, mismatch;
  const char *out, *truth, *simdata; /* simdata: NULL for none */
} synth_opt_t;

/* Datasets: onehot, regions, hyp, contrib, pred. */
enum { F_ONEHOT, F_REGIONS, F_HYP = F_REGIONS + DM_REGIONS_NFIELDS, F_CONTRIB, F_PRED, F_COUNT };

// --- one row

static int base_index(char b) { return b == 'A' ? 0 : b == 'C' ? 1 : b == 'G' ? 2 : 3; }

/* @return the channel set at one position x (4,) of a one-hot row */
static int channel_of(const uint8_t *x) { return x[0] ? 0 : x[1] ? 1 : x[2] ? 2 : 3; }

/* Generate row `row`: oh (L, 4) u8, hyp and contrib (L, 4) f32, inst (per_row,) (out).
 * @return pred of the row */
static float make_row(const synth_opt_t *o, gsl_rng *rng, long row, uint8_t *oh, float *hyp, float *contrib,
                      inst_t *inst) {
  gsl_rng_set(rng, dm_ref_seed(o->seed, (uint64_t)row, 0));
  const long L = o->len, slot = L / o->per_row;
  memset(oh, 0, (size_t)L * 4);
  for (long l = 0; l < L; l++) {
    oh[l * 4 + gsl_rng_uniform_int(rng, 4)] = 1;
    for (int c = 0; c < 4; c++) hyp[l * 4 + c] = (float)gsl_ran_laplace(rng, o->noise);
  }
  for (long s = 0; s < o->per_row; s++) {
    const motif_t *m = &motifs[gsl_rng_uniform_int(rng, N_MOTIFS)];
    int k = (int)strlen(m->bases), minus = (int)gsl_rng_uniform_int(rng, 2);
    long start = s * slot + (long)gsl_rng_uniform_int(rng, (unsigned long)(slot - k + 1));
    double amp = 0.5 + 0.5 * gsl_rng_uniform(rng);
    inst[s] = (inst_t){.m = m, .start = start, .minus = minus, .amp = amp};
    for (int j = 0; j < k; j++) {
      int b = base_index(m->bases[minus ? k - 1 - j : j]);
      if (minus) b = 3 - b; /* complement: A<->T, C<->G */
      int x_b = gsl_rng_uniform(rng) < o->mismatch ? (b + 1 + (int)gsl_rng_uniform_int(rng, 3)) % 4 : b;
      double w = ((j == 0 || j == k - 1) ? 0.7 : 1.0) * (0.75 + 0.5 * gsl_rng_uniform(rng));
      double v = m->sign * amp * w;
      uint8_t *x = oh + (start + j) * 4;
      float *h = hyp + (start + j) * 4;
      for (int c = 0; c < 4; c++) {
        x[c] = c == x_b;
        h[c] += (float)(c == b ? v : -v / 3.0);
      }
      inst[s].seq[j] = "ACGT"[x_b];
    }
  }
  float pred = 0;
  for (long e = 0; e < L * 4; e++) pred += contrib[e] = hyp[e] * (float)oh[e];
  return pred;
}

/* The truth lines of row `row` to tf and, if sf, its simdata line: name,
 * sequence, embeddings "pos-<start>_<motif>-<bases>,...", label 1.
 * oh (L, 4), inst (per_row,). @return 0, or -1 on a write error */
static int write_truth(const synth_opt_t *o, long row, const uint8_t *oh, const inst_t *inst, FILE *tf,
                       FILE *sf) {
  int bad = 0;
  for (long s = 0; s < o->per_row; s++) {
    const inst_t *t = &inst[s];
    bad |=
        fprintf(tf, "%ld\t%ld\t%ld\t%s\t%c\t%d\t%.6f\t%s\n", row, t->start, t->start + (long)strlen(t->seq),
                t->m->name, t->minus ? '-' : '+', t->m->sign, t->amp, t->seq) < 0;
  }
  if (!sf) return bad ? -1 : 0;
  fprintf(sf, "synth_%ld\t", row);
  for (long l = 0; l < o->len; l++) fputc("ACGT"[channel_of(oh + 4 * l)], sf);
  for (long s = 0; s < o->per_row; s++)
    fprintf(sf, "%cpos-%ld_%s-%s", s ? ',' : '\t', inst[s].start, inst[s].m->name, inst[s].seq);
  bad |= fprintf(sf, "\t1\n") < 0;
  return bad ? -1 : 0;
}

// --- the file

static void make_fields(const synth_opt_t *o, dm_h5_field_t *f) {
  f[F_ONEHOT] = (dm_h5_field_t){"/onehot",   DM_H5_U8, 2,
                                {o->len, 4}, 0,        "one-hot sequence (N, L, 4), channels A, C, G, T"};
  dm_regions_fields(f + F_REGIONS);
  f[F_HYP] = (dm_h5_field_t){"/tasks/0/hyp", DM_H5_F32, 2,
                             {o->len, 4},    0,         "synthetic hypothetical contributions (N, L, 4)"};
  f[F_CONTRIB] = (dm_h5_field_t){"/tasks/0/contrib", DM_H5_F32, 2,
                                 {o->len, 4},        0,         "contributions (N, L, 4) = hyp * onehot"};
  f[F_PRED] = (dm_h5_field_t){"/tasks/0/pred", DM_H5_F32, 0, {0}, 0, "sum of the row's contributions"};
}

/* Root attributes, as dmotif attr writes them (status last). */
static int write_attrs(dm_h5_t *h, const synth_opt_t *o) {
  char params[512], created[32];
  snprintf(params, sizeof params,
           "Synth:\n  n: %ld\n  length: %ld\n  per_row: %ld\n  seed: %lu\n  noise: %g\n  motifs: "
           "GATAAG(+) CAGATG(+) TGACTCA(-)\n",
           o->n, o->len, o->per_row, o->seed, o->noise);
  time_t now = time(NULL);
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  const char *text[][2] = {
      {"tool", "dm_synth"},       {"version", DM_VERSION},  {"method", "synthetic"},
      {"rules", "none"},          {"reference", "none"},    {"tasks", "0"},
      {"model_file", "none"},     {"model_sha256", "none"}, {"weights_file", "none"},
      {"weights_sha256", "none"}, {"parameters", params},   {"result_parameters", params},
      {"created", created},       {"status", "complete"}};
  for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
    if (dm_h5_attr_set_string(h, "/", text[i][0], text[i][1]) < 0) return -1;
  long long zero = 0, seed = (long long)o->seed, len = o->len, chunk = o->chunk;
  const char *names[] = {"n_refs", "seed", "ig_steps", "length", "chunk_rows"};
  const long long *vals[] = {&zero, &seed, &zero, &len, &chunk};
  for (int i = 0; i < 5; i++)
    if (dm_h5_attr_set_scalar(h, "/", names[i], DM_H5_I64, vals[i]) < 0) return -1;
  return 0;
}

/* Generate and write every row, chunk by chunk; then /done = 1 and the attributes. */
static int synth_write(const dm_mpi_t *ctx, const synth_opt_t *o, FILE *tf, FILE *sf) {
  dm_h5_field_t f[F_COUNT];
  make_fields(o, f);
  dm_h5_t *h = dm_h5_create(ctx, o->out, f, F_COUNT, o->n, o->chunk);
  if (!h) return -1;
  int64_t n_chunks = (o->n + o->chunk - 1) / o->chunk;
  dm_h5_field_t done = {"/done", DM_H5_U8, 0, {0}, 0, "1 once a chunk of rows is written"};
  int rc = dm_h5_add_fields(h, &done, 1, n_chunks, n_chunks < 4096 ? n_chunks : 4096);
  size_t C = (size_t)o->chunk, L4 = (size_t)o->len * 4;
  uint8_t *oh = dm_malloc("synth onehot", C * L4);                               /* (C, L, 4) */
  float *hyp = dm_malloc("synth hyp", C * L4 * sizeof(float));                   /* (C, L, 4) */
  float *contrib = dm_malloc("synth contrib", C * L4 * sizeof(float));           /* (C, L, 4) */
  float *pred = dm_malloc("synth pred", C * sizeof(float));                      /* (C,) */
  dm_region_t *reg = dm_calloc("synth regions", C, sizeof *reg);                 /* (C,) */
  inst_t *inst = dm_calloc("synth instances", (size_t)o->per_row, sizeof *inst); /* (per_row,) */
  uint8_t *ones = dm_malloc("synth done", (size_t)n_chunks);                     /* (n_chunks,) */
  memset(ones, 1, (size_t)n_chunks);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  for (long a = 0; a < o->n && rc == 0; a += o->chunk) {
    long b = a + o->chunk < o->n ? a + o->chunk : o->n;
    for (long i = a; i < b; i++) {
      size_t k = (size_t)(i - a);
      pred[k] = make_row(o, rng, i, oh + k * L4, hyp + k * L4, contrib + k * L4, inst);
      if (write_truth(o, i, oh + k * L4, inst, tf, sf) < 0) rc = -1;
      dm_region_t *r = &reg[k];
      snprintf(r->chrom, sizeof r->chrom, "synth");
      snprintf(r->name, sizeof r->name, "synth_%ld", i);
      r->start = i * o->len;
      r->end = r->start + o->len;
      r->strand = '+';
    }
    const void *bufs[F_COUNT] = {[F_ONEHOT] = oh, [F_HYP] = hyp, [F_CONTRIB] = contrib, [F_PRED] = pred};
    rc = dm_regions_write(h, a, b, reg, DM_H5_INDEPENDENT);
    for (int k = F_HYP; k < F_COUNT && rc == 0; k++)
      rc = dm_h5_write_rows(h, &f[k], a, b, bufs[k], DM_H5_INDEPENDENT);
    if (rc == 0) rc = dm_h5_write_rows(h, &f[F_ONEHOT], a, b, oh, DM_H5_INDEPENDENT);
  }
  if (rc == 0) rc = dm_h5_write_rows(h, &done, 0, n_chunks, ones, DM_H5_INDEPENDENT);
  if (rc == 0) rc = write_attrs(h, o);
  if (dm_h5_close(h) < 0) rc = -1;
  gsl_rng_free(rng);
  free(oh), free(hyp), free(contrib), free(pred), free(reg), free(ones), free(inst);
  return rc;
}

// --- command line

static int usage(void) {
  fprintf(stderr,
          "usage: dm_synth -n N -o attr.h5 -t truth.tsv [-e sim.tsv] [-l L=200] [-m per_row=2] [-s seed=0]\n"
          "                [-b noise=0.02] [-x mismatch=0.1] [-c chunk_rows=256]\n"
          "-e also writes the truth in the simdata TSV of the deeplift example (seqName, sequence,\n"
          "embeddings pos-<start>_<motif>-<bases>, task0 = 1), as tools/modisco_eval reads it.\n"
          "Synthetic planted-motif attributions (GATAAG +, CAGATG +, TGACTCA -) as an attr.h5\n"
          "with task 0, and the planted positions as TSV. Deterministic from the seed.\n");
  return 2;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_SELF);
  dm_log_init(0, DM_LOG_INFO);
  synth_opt_t o = {.n = 0, .len = 200, .per_row = 2, .chunk = 256, .seed = 0, .noise = 0.02, .mismatch = 0.1};
  int c, rc = 0;
  while ((c = getopt(argc, argv, "n:l:m:s:b:x:c:o:t:e:h")) != -1) {
    switch (c) {
      case 'n':
        o.n = atol(optarg);
        break;
      case 'l':
        o.len = atol(optarg);
        break;
      case 'm':
        o.per_row = atol(optarg);
        break;
      case 's':
        o.seed = strtoul(optarg, NULL, 10);
        break;
      case 'b':
        o.noise = atof(optarg);
        break;
      case 'x':
        o.mismatch = atof(optarg);
        break;
      case 'c':
        o.chunk = atol(optarg);
        break;
      case 'o':
        o.out = optarg;
        break;
      case 't':
        o.truth = optarg;
        break;
      case 'e':
        o.simdata = optarg;
        break;
      default:
        rc = usage();
    }
  }
  if (rc == 0 &&
      (!o.out || !o.truth || o.n < 1 || o.chunk < 1 || o.per_row < 1 || !(o.noise > 0) ||
       !(o.mismatch >= 0 && o.mismatch <= 1) || o.len / (o.per_row ? o.per_row : 1) < MAX_MOTIF_LEN)) {
    if (o.out && o.truth)
      dm_log_error(
          "need N >= 1, chunk_rows >= 1, noise > 0, mismatch in [0, 1] and per_row >= 1 slots of at least %d "
          "bp in L",
          MAX_MOTIF_LEN);
    rc = usage();
  }
  FILE *tf = rc == 0 ? fopen(o.truth, "w") : NULL, *sf = rc == 0 && o.simdata ? fopen(o.simdata, "w") : NULL;
  if (rc == 0 && (!tf || (o.simdata && !sf))) {
    dm_log_error("%s: cannot create", !tf ? o.truth : o.simdata);
    rc = 1;
  }
  if (rc == 0) {
    fprintf(tf, "row\tstart\tend\tmotif\tstrand\tsign\tamplitude\tsequence\n");
    if (sf) fprintf(sf, "seqName\tsequence\tembeddings\ttask0\n");
    rc = synth_write(&ctx, &o, tf, sf) < 0 ? 1 : 0;
  }
  if ((tf && fclose(tf) != 0) || (sf && fclose(sf) != 0)) rc = 1;
  if (rc == 0)
    dm_log_info("%s: %ld rows of %ld bp, %ld motifs per row; truth in %s%s%s", o.out, o.n, o.len, o.per_row,
                o.truth, o.simdata ? " and " : "", o.simdata ? o.simdata : "");
  MPI_Finalize();
  return rc;
}
