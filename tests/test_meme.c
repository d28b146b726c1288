/* dm_meme: a well-formed file (plain and gzip'd), one malformed file per
 * error (each must fail naming file:line), and write -> read round trips of
 * probability matrices and of CWMs (negative values, probs = 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm_meme.h"
#include "dm_test.h"

/* Read path expecting failure; the log (stderr) must name path:line (line < 0: cannot open). */
static void expect_error(const char *name, int line) {
  char path[512], want[600], log[4096] = "";
  snprintf(path, sizeof path, "%s/meme/%s", DM_TEST_DATA, name);
  if (line >= 0)
    snprintf(want, sizeof want, "%s:%d:", path, line);
  else
    snprintf(want, sizeof want, "%s: cannot open", path);
  fflush(stderr);
  int saved = dup(2);
  FILE *tmp = tmpfile();
  dup2(fileno(tmp), 2);
  dm_meme_t *db = dm_meme_read(path, 1);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  rewind(tmp);
  size_t n = fread(log, 1, sizeof log - 1, tmp);
  log[n] = '\0';
  fclose(tmp);
  CHECK(db == NULL, "%s was accepted", name);
  CHECK(strstr(log, want) != NULL, "%s: log does not name %s: %s", name, want, log);
  dm_meme_free(db);
}

static void check_good(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/meme/%s", DM_TEST_DATA, name);
  dm_meme_t *db = dm_meme_read(path, 1);
  CHECK(db != NULL, "%s not read", name);
  if (!db) return;
  CHECK(db->n == 2, "%s: %d motifs", name, db->n);
  CHECK(strcmp(db->m[0].name, "M1") == 0 && strcmp(db->m[0].alt, "alt one") == 0, "names");
  CHECK(db->m[0].len == 2 && db->m[1].len == 1, "widths");
  CLOSE(db->m[0].p[3], 0.4, 1e-12);
  CLOSE(db->m[0].p[4], 0.25, 1e-12);
  CLOSE(db->m[1].p[0], 1.0, 1e-12);
  CLOSE(db->bg[0], 0.3, 1e-12);
  CLOSE(db->bg[1], 0.2, 1e-12);
  dm_meme_free(db);
}

/* Write n random matrices (negative values when cwm), read back, compare. */
static void round_trip(int cwm) {
  char path[] = "/tmp/dm_test_meme_XXXXXX";
  int fd = mkstemp(path);
  FILE *fp = fdopen(fd, "w");
  enum { N = 3 };
  int len[N] = {1, 7, 30};
  double *m[N];
  srand(7);
  CHECK(dm_meme_write_header(fp, "parameters:\n  a: 1") == 0, "header");
  for (int t = 0; t < N; t++) {
    m[t] = malloc((size_t)len[t] * 4 * sizeof *m[t]);
    for (int i = 0; i < len[t]; i++) {
      double s = 0;
      for (int b = 0; b < 4; b++) s += m[t][4 * i + b] = rand() / (double)RAND_MAX + 1e-3;
      for (int b = 0; b < 4; b++) m[t][4 * i + b] = cwm ? m[t][4 * i + b] - 0.5 : m[t][4 * i + b] / s;
    }
    char name[32];
    snprintf(name, sizeof name, "pos_patterns.pattern_%d", t);
    CHECK(dm_meme_write_motif(fp, name, m[t], len[t], 10 + t) == 0, "motif");
  }
  fclose(fp);
  dm_meme_t *db = dm_meme_read(path, !cwm);
  CHECK(db && db->n == N, "round trip read (cwm %d)", cwm);
  for (int t = 0; db && t < N && t < db->n; t++) {
    CHECK(db->m[t].len == len[t], "width %d", t);
    double err = 0;
    for (int e = 0; e < 4 * len[t]; e++) {
      double d = db->m[t].p[e] - m[t][e];
      err = d > err ? d : -d > err ? -d : err;
    }
    CHECK(err <= 5e-7, "motif %d differs by %g (6 decimals written)", t, err);
  }
  for (int t = 0; t < N; t++) free(m[t]);
  dm_meme_free(db);
  unlink(path);
}

int main(void) {
  check_good("good.meme");
  check_good("good.meme.gz");
  expect_error("short.meme", 6);
  expect_error("nonnumeric.meme", 6);
  expect_error("badsum.meme", 5);
  expect_error("empty.meme", 4);
  expect_error("zero.meme", 0);
  expect_error("noheader.meme", 1);
  expect_error("nomatrix.meme", 4);
  expect_error("alength.meme", 4);
  expect_error("fivecols.meme", 5);
  expect_error("does_not_exist.meme", -1);
  round_trip(0);
  round_trip(1);
  return dm_test_summary("test_meme");
}
