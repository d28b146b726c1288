/* Checker for tests/synth.sh: a file written by tools/dm_synth opens with dm_h5
 * as a complete attr.h5 (status, /done all 1, task 0), the truth TSV lists
 * per_row instances per row whose bases in /onehot are the TSV's sequence and
 * mostly (>= 80%) the motif's (or its reverse complement's on '-'); the
 * planted consensus bases carry the largest |contrib| of their row with the
 * motif's sign, mismatches the other sign; hyp favours the consensus base at
 * every planted position; contrib = hyp * onehot, pred = sum of contrib.
 *
 * usage: test_synth_check <attr.h5> <truth.tsv> <per_row>
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dm_h5.h"
#include "dm_test.h"

/* The planted motifs, spelled out independently of tools/dm_synth.c. */
static const char *motif_bases(const char *name) {
  return !strcmp(name, "GATA")   ? "GATAAG"
         : !strcmp(name, "TAL1") ? "CAGATG"
         : !strcmp(name, "AP1")  ? "TGACTCA"
                                 : NULL;
}

/* @return the channel set in one-hot position x (0..3), 4 if none */
static int channel_of(const uint8_t *x) {
  int c = 0;
  while (c < 4 && !x[c]) c++;
  return c;
}

static char complement(char b) { return b == 'A' ? 'T' : b == 'C' ? 'G' : b == 'G' ? 'C' : 'A'; }

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_log_init(0, DM_LOG_WARN);
  if (argc != 4) {
    fprintf(stderr, "usage: %s attr.h5 truth.tsv per_row\n", argv[0]);
    MPI_Finalize();
    return 2;
  }
  long per_row = atol(argv[3]);
  dm_mpi_t self;
  dm_mpi_init(&self, MPI_COMM_SELF);
  dm_h5_t *h = dm_h5_open(&self, argv[1], 0);
  dm_h5_field_t oh_f, hyp_f, con_f, pred_f, done_f;
  int64_t n = 0, n_chunks = 0;
  char *status = NULL;
  CHECK(h && dm_h5_attr_get_string(h, "/", "status", &status) == 0 && !strcmp(status, "complete"),
        "%s: status %s", argv[1], status ? status : "missing");
  CHECK(h && dm_h5_field_info(h, "/onehot", &oh_f, &n, NULL) == 0 &&
            dm_h5_field_info(h, "/tasks/0/hyp", &hyp_f, NULL, NULL) == 0 &&
            dm_h5_field_info(h, "/tasks/0/contrib", &con_f, NULL, NULL) == 0 &&
            dm_h5_field_info(h, "/tasks/0/pred", &pred_f, NULL, NULL) == 0 &&
            dm_h5_field_info(h, "/done", &done_f, &n_chunks, NULL) == 0 && dm_h5_exists(h, "/regions/name"),
        "%s: datasets missing", argv[1]);
  free(status);
  if (dm_test_fails) {
    MPI_Finalize();
    return dm_test_summary("test_synth_check");
  }
  int64_t L = oh_f.dims[0], L4 = L * 4;
  oh_f.type = DM_H5_U8, hyp_f.type = con_f.type = pred_f.type = DM_H5_F32, done_f.type = DM_H5_U8;
  uint8_t *oh = malloc((size_t)(n * L4)), *done = malloc((size_t)n_chunks);
  float *hyp = malloc((size_t)(n * L4) * sizeof(float)), *con = malloc((size_t)(n * L4) * sizeof(float));
  float *pred = malloc((size_t)n * sizeof(float));
  CHECK(dm_h5_read_rows(h, &oh_f, 0, n, oh, DM_H5_INDEPENDENT) == 0 &&
            dm_h5_read_rows(h, &hyp_f, 0, n, hyp, DM_H5_INDEPENDENT) == 0 &&
            dm_h5_read_rows(h, &con_f, 0, n, con, DM_H5_INDEPENDENT) == 0 &&
            dm_h5_read_rows(h, &pred_f, 0, n, pred, DM_H5_INDEPENDENT) == 0 &&
            dm_h5_read_rows(h, &done_f, 0, n_chunks, done, DM_H5_INDEPENDENT) == 0,
        "read");
  CHECK(dm_h5_close(h) == 0, "close");
  for (int64_t c = 0; c < n_chunks; c++) CHECK(done[c] == 1, "/done[%ld] = %d", (long)c, done[c]);

  /* planted[i*L + l]: 0 if no instance covers (i, l), the motif's sign on a
   * consensus base, -2 * sign on a mismatch (whose contribution has the other sign) */
  int *planted = calloc((size_t)(n * L), sizeof *planted);
  long *count = calloc((size_t)n, sizeof *count), bad_seq = 0, bad_hyp = 0, n_mismatch = 0, n_planted = 0;
  FILE *tf = fopen(argv[2], "r");
  char line[256], name[32], seq[32], strand;
  long row, a, b;
  int sign;
  CHECK(tf && fgets(line, sizeof line, tf) && !strncmp(line, "row\tstart", 9), "%s: no header", argv[2]);
  while (tf && fgets(line, sizeof line, tf)) {
    int ok = sscanf(line, "%ld\t%ld\t%ld\t%31s\t%c\t%d\t%*f\t%31s", &row, &a, &b, name, &strand, &sign,
                    seq) == 7 &&
             row >= 0 && row < n && a >= 0 && b <= L && motif_bases(name) &&
             (long)strlen(motif_bases(name)) == b - a && (long)strlen(seq) == b - a;
    CHECK(ok, "%s: bad line %s", argv[2], line);
    if (!ok) break;
    count[row]++;
    const char *m = motif_bases(name);
    for (long l = a; l < b; l++) {
      char want = strand == '+' ? m[l - a] : complement(m[b - 1 - l]);
      const uint8_t *x = oh + (row * L + l) * 4;
      const float *hy = hyp + (row * L + l) * 4;
      int k = channel_of(x), w = (int)(strchr("ACGT", want) - "ACGT");
      bad_seq += k == 4 || "ACGT"[k] != seq[l - a];
      n_mismatch += k != w;
      n_planted++;
      for (int c = 0; c < 4; c++) bad_hyp += c != w && sign * hy[c] >= sign * hy[w];
      planted[row * L + l] = k == w ? sign : -2 * sign;
    }
  }
  if (tf) fclose(tf);
  CHECK(bad_seq == 0, "%ld planted bases differ from the truth sequence", bad_seq);
  CHECK(n_planted > 0 && n_mismatch <= n_planted / 5, "%ld of %ld planted bases differ from the motif",
        n_mismatch, n_planted);
  CHECK(bad_hyp == 0, "%ld planted positions where hyp does not favour the consensus base", bad_hyp);

  long bad_rank = 0, bad_sign = 0, bad_prod = 0, bad_pred = 0, bad_count = 0, bad_mis_sign = 0;
  for (int64_t i = 0; i < n; i++) {
    bad_count += count[i] != per_row;
    double min_planted = 1e30, max_other = 0, sum = 0;
    for (int64_t l = 0; l < L; l++) {
      double s = 0;
      for (int c = 0; c < 4; c++) {
        int64_t e = i * L4 + l * 4 + c;
        bad_prod += con[e] != hyp[e] * (float)oh[e];
        s += con[e];
      }
      sum += s;
      int p = planted[i * L + l];
      if (p == 1 || p == -1) {
        bad_sign += p * s <= 0;
        min_planted = fabs(s) < min_planted ? fabs(s) : min_planted;
      } else if (p) {
        bad_mis_sign += p * s <= 0;
      } else {
        max_other = fabs(s) > max_other ? fabs(s) : max_other;
      }
    }
    bad_rank += !(min_planted > max_other);
    bad_pred += fabs(sum - pred[i]) > 1e-4 * (1 + fabs(sum));
  }
  CHECK(bad_count == 0, "%ld rows without %ld instances", bad_count, per_row);
  CHECK(bad_rank == 0,
        "%ld rows where a non-planted position has a larger |contrib| than a planted consensus base",
        bad_rank);
  CHECK(bad_sign == 0, "%ld planted consensus bases with the wrong contribution sign", bad_sign);
  CHECK(bad_mis_sign <= n_mismatch / 10, "%ld of %ld mismatches with the motif's contribution sign",
        bad_mis_sign, n_mismatch);
  CHECK(bad_prod == 0, "%ld contrib values differ from hyp * onehot", bad_prod);
  CHECK(bad_pred == 0, "%ld rows where pred is not the sum of contrib", bad_pred);
  free(oh), free(done), free(hyp), free(con), free(pred), free(planted), free(count);
  MPI_Finalize();
  return dm_test_summary("test_synth_check");
}
