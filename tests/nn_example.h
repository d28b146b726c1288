/* nn_example: the deeplift genomics example data for tests and benchmarks
 * (tests/data/deeplift_example): the model file names and a minimal reader
 * of the test split of sequences.simdata.gz (TSV: seqName, sequence,
 * embeddings, task1..task3) as one-hot (N, 200, 4) plus labels (N, 3).
 * Header-only; include in one driver each. */
#ifndef NN_EXAMPLE_H
#define NN_EXAMPLE_H

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define NNEX_DIR DM_TEST_DATA "/deeplift_example/"
#define NNEX_JSON NNEX_DIR "keras2_conv1d_record_5_model_PQzyq_modelJson.json"
#define NNEX_WEIGHTS NNEX_DIR "keras2_conv1d_record_5_model_PQzyq_modelWeights.h5"
#define NNEX_LEN 200
#define NNEX_TASKS 3

static int nnex_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* One-hot A,C,G,T -> channels 0..3; anything else all zero. */
static void nnex_onehot(const char *s, int len, float *out) {
  memset(out, 0, sizeof(float) * 4 * len);
  for (int l = 0; l < len; l++) {
    const char *p = strchr("ACGT", s[l] & ~32);
    if (s[l] && p) out[l * 4 + (p - "ACGT")] = 1.0f;
  }
}

/* Reads the test split (test_only) or all sequences. Returns N, or -1. */
static int nnex_read(int test_only, float **onehot, float **labels) {
  char line[4096];
  char **names = NULL;
  int nn = 0;
  gzFile f;
  if (test_only) {
    if (!(f = gzopen(NNEX_DIR "test.txt.gz", "rb"))) return -1;
    while (gzgets(f, line, sizeof line)) {
      line[strcspn(line, "\r\n")] = 0;
      if (!line[0]) continue;
      names = realloc(names, sizeof *names * (nn + 1));
      names[nn++] = strdup(line);
    }
    gzclose(f);
    qsort(names, nn, sizeof *names, nnex_cmp);
  }
  if (!(f = gzopen(NNEX_DIR "sequences.simdata.gz", "rb"))) return -1;
  int n = 0, cap = 0;
  *onehot = NULL;
  *labels = NULL;
  gzgets(f, line, sizeof line); /* header */
  while (gzgets(f, line, sizeof line)) {
    char *col[6] = {0}, *p = line;
    for (int c = 0; c < 6 && p; c++) {
      col[c] = p;
      p = strchr(p, '\t');
      if (p) *p++ = 0;
    }
    if (!col[5] || strlen(col[1]) != NNEX_LEN) continue;
    char *key = col[0];
    if (test_only && !bsearch(&key, names, nn, sizeof *names, nnex_cmp)) continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 1024;
      *onehot = realloc(*onehot, sizeof(float) * cap * NNEX_LEN * 4);
      *labels = realloc(*labels, sizeof(float) * cap * NNEX_TASKS);
    }
    nnex_onehot(col[1], NNEX_LEN, *onehot + (size_t)n * NNEX_LEN * 4);
    for (int t = 0; t < NNEX_TASKS; t++) (*labels)[n * NNEX_TASKS + t] = (float)atof(col[3 + t]);
    n++;
  }
  gzclose(f);
  for (int i = 0; i < nn; i++) free(names[i]);
  free(names);
  return n;
}

#endif
