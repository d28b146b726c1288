/* This object's header. */
#include "dm_meme.h"

/* Standard headers. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Local headers. */
#include "dm_lines.h"
#include "dm_mem.h"

void dm_meme_free(dm_meme_t *db) {
  if (!db) return;
  for (int i = 0; i < db->n; i++) {
    free(db->m[i].name);
    free(db->m[i].alt);
    free(db->m[i].p);
  }
  free(db->m);
  free(db->path);
  free(db);
}

// --- parsing helpers

static int starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* Value after "key=" (spaces allowed around '=') in s, as an integer.
 * @return 1 found, 0 absent, -1 present but not an integer */
static int key_int(const char *s, const char *key, long *v) {
  const char *k = strstr(s, key);
  if (!k) return 0;
  k += strlen(key);
  k += strspn(k, " \t");
  if (*k != '=') return 0;
  char *end;
  errno = 0;
  *v = strtol(k + 1, &end, 10);
  return end != k + 1 && errno == 0 ? 1 : -1;
}

/* Parse "A 0.25 C 0.25 G 0.25 T 0.25". @return 0 or -1 */
static int parse_bg(const char *s, double bg[4]) {
  static const char letters[] = "ACGT";
  for (int b = 0; b < 4; b++) {
    s += strspn(s, " \t");
    if (*s != letters[b]) return -1;
    char *end;
    bg[b] = strtod(s + 1, &end);
    if (end == s + 1 || !(bg[b] > 0 && bg[b] < 1)) return -1;
    s = end;
  }
  return 0;
}

/* Parse one matrix row of 4 numbers into row. @return 0 or -1 (msg set) */
static int parse_row(const char *s, double row[4], int probs, const char **msg) {
  char *end;
  for (int b = 0; b < 4; b++) {
    row[b] = strtod(s, &end);
    if (end == s || !isfinite(row[b])) {
      *msg = "expected 4 numbers (A C G T)";
      return -1;
    }
    s = end;
  }
  if (s[strspn(s, " \t")] != '\0') {
    *msg = "more than 4 values on a row of an alength= 4 matrix";
    return -1;
  }
  if (probs) {
    double sum = 0;
    for (int b = 0; b < 4; b++) {
      if (row[b] < 0 || row[b] > 1) {
        *msg = "a probability is outside [0, 1]";
        return -1;
      }
      sum += row[b];
    }
    if (fabs(sum - 1) > 0.02) {
      *msg = "the row's probabilities do not sum to 1";
      return -1;
    }
  }
  return 0;
}

// --- reader

typedef struct {
  dm_lines_t r;
  dm_meme_t *db;
  int cap;
  int probs;
} reader_t;

#define PARSE_ERROR(rd, ...)                                        \
  do {                                                              \
    char msg_[256];                                                 \
    snprintf(msg_, sizeof msg_, __VA_ARGS__);                       \
    dm_log_error("%s:%ld: %s", (rd)->r.path, (rd)->r.lineno, msg_); \
  } while (0)

/* Start a motif from a "MOTIF id [alt]" line. @return 0 or -1 (logged) */
static int motif_start(reader_t *rd, const char *line) {
  const char *s = line + 5;
  s += strspn(s, " \t");
  size_t n = strcspn(s, " \t");
  if (n == 0) {
    PARSE_ERROR(rd, "MOTIF line without an identifier");
    return -1;
  }
  if (rd->db->n == rd->cap) {
    rd->cap = rd->cap ? 2 * rd->cap : 64;
    rd->db->m = dm_realloc("MEME motifs", rd->db->m, (size_t)rd->cap * sizeof *rd->db->m);
  }
  dm_meme_motif_t *m = &rd->db->m[rd->db->n++];
  *m = (dm_meme_motif_t){0};
  m->name = dm_malloc("motif name", n + 1);
  memcpy(m->name, s, n);
  m->name[n] = '\0';
  const char *alt = s + n;
  alt += strspn(alt, " \t");
  m->alt = dm_strdup("motif alt name", alt);
  return 0;
}

/* Read the matrix after a letter-probability matrix line. @return 0 or -1 */
static int motif_matrix(reader_t *rd, const char *line) {
  dm_meme_motif_t *m = &rd->db->m[rd->db->n - 1];
  long alen = 4, w = 0;
  int ra = key_int(line, "alength", &alen), rw = key_int(line, "w", &w);
  if (m->p) {
    PARSE_ERROR(rd, "motif %s has a second letter-probability matrix", m->name);
    return -1;
  }
  if (ra < 0 || (ra == 1 && alen != 4)) {
    PARSE_ERROR(rd, "motif %s: alength must be 4 (DNA, A C G T)", m->name);
    return -1;
  }
  if (rw != 1 || w <= 0 || w > 100000) {
    PARSE_ERROR(rd, "motif %s: the matrix line needs a positive width 'w= W'", m->name);
    return -1;
  }
  m->len = (int)w;
  m->p = dm_malloc("motif matrix", (size_t)w * 4 * sizeof *m->p);
  for (long i = 0; i < w; i++) {
    long len;
    do len = dm_lines_next(&rd->r);
    while (len == 0);
    if (len < 0) {
      PARSE_ERROR(rd, "motif %s: the file ends after %ld of its w= %ld rows", m->name, i, w);
      return -1;
    }
    const char *msg = NULL;
    if (parse_row(rd->r.buf, m->p + 4 * i, rd->probs, &msg) < 0) {
      PARSE_ERROR(rd, "motif %s, row %ld of %ld: %s", m->name, i + 1, w, msg);
      return -1;
    }
  }
  return 0;
}

/* Parse every line. @return 0 or -1 (logged) */
static int parse(reader_t *rd) {
  int header = 0, bg_next = 0;
  long len;
  while ((len = dm_lines_next(&rd->r)) >= 0) {
    const char *s = rd->r.buf + strspn(rd->r.buf, " \t");
    if (!header) {
      if (*s == '\0' || *s == '#') continue;
      if (!starts(s, "MEME version")) {
        PARSE_ERROR(rd, "not a MEME motif file: expected a 'MEME version' line first");
        return -1;
      }
      header = 1;
      continue;
    }
    if (*s == '\0') continue;
    if (bg_next) {
      bg_next = 0;
      if (parse_bg(s, rd->db->bg) < 0) {
        PARSE_ERROR(rd, "expected background frequencies 'A p C p G p T p', each in (0, 1)");
        return -1;
      }
      continue;
    }
    if (starts(s, "MOTIF")) {
      if (rd->db->n && !rd->db->m[rd->db->n - 1].p) {
        PARSE_ERROR(rd, "motif %s has no letter-probability matrix", rd->db->m[rd->db->n - 1].name);
        return -1;
      }
      if (motif_start(rd, s) < 0) return -1;
    } else if (starts(s, "letter-probability matrix")) {
      if (!rd->db->n) {
        PARSE_ERROR(rd, "letter-probability matrix before any MOTIF line");
        return -1;
      }
      if (motif_matrix(rd, s) < 0) return -1;
    } else if (!rd->db->n && starts(s, "ALPHABET")) {
      const char *a = s + 8;
      a += strspn(a, "= \t");
      if (strncmp(a, "ACGT", 4) != 0 || a[4 + strspn(a + 4, " \t")] != '\0') {
        PARSE_ERROR(rd, "only the DNA alphabet ACGT is supported (found '%s')", s);
        return -1;
      }
    } else if (!rd->db->n && starts(s, "Background letter frequencies")) {
      bg_next = 1;
    }
  }
  if (len == -2) return -1;
  if (!header) {
    PARSE_ERROR(rd, "empty file: no 'MEME version' line");
    return -1;
  }
  if (rd->db->n == 0) {
    PARSE_ERROR(rd, "no motifs (no MOTIF line)");
    return -1;
  }
  if (!rd->db->m[rd->db->n - 1].p) {
    PARSE_ERROR(rd, "motif %s has no letter-probability matrix", rd->db->m[rd->db->n - 1].name);
    return -1;
  }
  return 0;
}

dm_meme_t *dm_meme_read(const char *path, int probs) {
  reader_t rd = {.r = {.path = path}, .probs = probs};
  rd.r.fp = gzopen(path, "rb");
  if (!rd.r.fp) {
    dm_log_error("%s: cannot open MEME file: %s", path, strerror(errno ? errno : ENOENT));
    return NULL;
  }
  rd.db = dm_calloc("MEME set", 1, sizeof *rd.db);
  rd.db->path = dm_strdup("MEME path", path);
  for (int b = 0; b < 4; b++) rd.db->bg[b] = 0.25;
  int rc = parse(&rd);
  if (gzclose(rd.r.fp) != Z_OK || rd.r.err) {
    if (rc == 0) dm_log_error("%s:%ld: read error (truncated or corrupt gzip?)", path, rd.r.lineno);
    rc = -1;
  }
  free(rd.r.buf);
  if (rc < 0) {
    dm_meme_free(rd.db);
    return NULL;
  }
  return rd.db;
}

// --- writer

int dm_meme_write_header(FILE *fp, const char *comment) {
  if (comment) {
    const char *s = comment;
    while (*s) {
      size_t n = strcspn(s, "\n");
      fprintf(fp, "# %.*s\n", (int)n, s);
      s += n + (s[n] == '\n');
    }
  }
  fprintf(fp,
          "MEME version 5\n\nALPHABET= ACGT\n\nstrands: + -\n\n"
          "Background letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n");
  return ferror(fp) ? -1 : 0;
}

int dm_meme_write_motif(FILE *fp, const char *name, const double *m, int len, int nsites) {
  fprintf(fp, "MOTIF %s\nletter-probability matrix: alength= 4 w= %d nsites= %d\n", name, len, nsites);
  for (int i = 0; i < len; i++)
    fprintf(fp, "%.6f %.6f %.6f %.6f\n", m[4 * i], m[4 * i + 1], m[4 * i + 2], m[4 * i + 3]);
  fputc('\n', fp);
  return ferror(fp) ? -1 : 0;
}
