/* modisco_eval: score the patterns of a modisco.h5 against the motifs
 * planted in a simdna-style sequences file (the bundled example,
 * tests/data/deeplift_example/sequences.simdata.gz).
 *
 *   modisco_eval <modisco.h5> <sequences.simdata[.gz]> <label column> [rows]
 *
 * The sequences file is a TSV with a header: seqName, sequence,
 * embeddings, then one 0/1 label column per task. embeddings is a comma
 * list of "pos-<p>_<motif name>-<planted bases>" (p 0-based). Row i of the
 * file (after the header) is example i of modisco.h5; only the first
 * `rows` rows are used (default all).
 *
 * A seqlet hits a planted instance if the instance's centre
 * (p + len / 2) lies in the seqlet's window [start, end). Each pattern of
 * pos_patterns and neg_patterns is assigned the motif most of its seqlets
 * hit (if at least half do; else "none"): precision = hits / seqlets.
 * Recall of a motif = planted instances of it, in rows whose label column
 * is 1, hit by a seqlet of a pattern assigned to it / those instances.
 * Output, one line each:
 *   pattern <group>/pattern_<i> seqlets <n> consensus <s> motif <m> precision <x>
 *   motif <m> instances <n> recall <x> patterns <k> seqlets <n> precision <x>
 * (a motif's precision: seqlets of its patterns hitting it / their seqlets)
 * (consensus: argmax of the PPM per position, lower case where the top
 * base has probability < 0.5).
 *
 *   modisco_eval --hits <hits dir> <sequences.simdata[.gz]> <label column> [rows]
 *
 * scores the hits of `dmotif hits` instead (columns start, end, pattern and
 * row of <dir>/hits.tsv, made relative to the region by the region starts
 * of <dir>/counts.tsv). A hit hits a planted instance if their
 * intervals overlap. Each pattern is assigned the motif most of its hits
 * hit (if at least half do): precision = those hits / its hits. Per motif,
 * recall = planted instances hit by a hit of a pattern assigned to it,
 * over the instances in rows whose label column is 1 (as for seqlets) and
 * over all rows (recall_all); precision = hits of its patterns hitting it
 * / their hits. Output, one line each:
 *   pattern <name> hits <n> motif <m> precision <x>
 *   motif <m> instances <n> recall <x> instances_all <n> recall_all <x> patterns <k> hits <n> precision <x>
 * Exit 0, or 1 on a read error.
 */
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { MAX_MOTIFS = 16, NAME_LEN = 64 };

typedef struct {
  int64_t row;
  int centre;
  int start, len; /* planted bases [start, start + len) */
  int motif;
  int hit; /* by a seqlet of a pattern assigned to the motif */
} instance_t;

typedef struct {
  instance_t *inst;
  int n_inst, cap;
  char names[MAX_MOTIFS][NAME_LEN];
  int n_names;
  unsigned char *label; /* (rows,) */
  int64_t rows;
} planted_t;

static int motif_id(planted_t *p, const char *name) {
  for (int i = 0; i < p->n_names; i++)
    if (strcmp(p->names[i], name) == 0) return i;
  if (p->n_names == MAX_MOTIFS) return -1;
  snprintf(p->names[p->n_names], NAME_LEN, "%s", name);
  return p->n_names++;
}

/* Parse "pos-<p>_<name>-<bases>" items of one embeddings field. */
static void parse_embeddings(planted_t *p, int64_t row, char *field) {
  for (char *item = strtok(field, ","); item; item = strtok(NULL, ",")) {
    char *us = strchr(item, '_'), *dash = strrchr(item, '-');
    if (strncmp(item, "pos-", 4) != 0 || !us || !dash || dash < us) continue;
    *us = *dash = 0;
    int pos = atoi(item + 4), len = (int)strlen(dash + 1), id = motif_id(p, us + 1);
    if (id < 0) continue;
    if (p->n_inst == p->cap) {
      p->cap = p->cap ? 2 * p->cap : 1024;
      p->inst = realloc(p->inst, (size_t)p->cap * sizeof *p->inst);
    }
    p->inst[p->n_inst++] = (instance_t){row, pos + len / 2, pos, len, id, 0};
  }
}

/* Split a TSV line in place into at most max columns; @return their number */
static int split_tabs(char *line, char **col, int max) {
  int nc = 0;
  for (char *s = line; nc < max;) {
    col[nc++] = s;
    char *tab = strchr(s, '\t');
    if (!tab) break;
    *tab = 0;
    s = tab + 1;
  }
  return nc;
}

static int read_planted(const char *path, int column, int64_t max_rows, planted_t *p) {
  gzFile f = gzopen(path, "rb");
  if (!f) {
    fprintf(stderr, "modisco_eval: cannot open %s\n", path);
    return -1;
  }
  size_t cap = 1 << 20;
  char *line = malloc(cap);
  int64_t row = 0; /* data rows: lines after the header, from 0 */
  int header = 1;
  p->label = NULL;
  while (gzgets(f, line, (int)cap) && (max_rows < 0 || row < max_rows)) {
    if (header) {
      header = 0;
      continue;
    }
    line[strcspn(line, "\r\n")] = 0;
    char *col[16];
    int nc = split_tabs(line, col, 16);
    p->label = realloc(p->label, (size_t)(row + 1));
    p->label[row] = column < nc && atoi(col[column]) == 1;
    if (nc > 2) parse_embeddings(p, row, col[2]);
    row++;
  }
  p->rows = row;
  free(line);
  gzclose(f);
  return 0;
}

/* Read dataset `name` of group g as int64 (n,) or double; returns element count or -1. */
static long read_all(hid_t g, const char *name, hid_t type, void **out) {
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  if (d < 0) return -1;
  hid_t s = H5Dget_space(d);
  long n = (long)H5Sget_simple_extent_npoints(s);
  *out = malloc((size_t)(n + 1) * H5Tget_size(type));
  herr_t rc = H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out);
  H5Sclose(s);
  H5Dclose(d);
  return rc < 0 ? -1 : n;
}

/* Score one pattern group; marks the instances its seqlets hit if assigned.
 * Returns the motif (or -1), its seqlets in *n_out and hits in *hits. */
static int eval_pattern(hid_t g, const char *label, planted_t *p, long *n_out, int *hits) {
  int64_t *ex, *st, *en;
  double *ppm;
  long n = read_all(g, "seqlets/example_idx", H5T_NATIVE_INT64, (void **)&ex);
  *n_out = n;
  if (n < 0 || read_all(g, "seqlets/start", H5T_NATIVE_INT64, (void **)&st) != n ||
      read_all(g, "seqlets/end", H5T_NATIVE_INT64, (void **)&en) != n)
    return -1;
  long lp = read_all(g, "sequence", H5T_NATIVE_DOUBLE, (void **)&ppm) / 4;
  char *cons = malloc((size_t)lp + 1);
  for (long j = 0; j < lp; j++) {
    int best = 0;
    for (int c = 1; c < 4; c++)
      if (ppm[j * 4 + c] > ppm[j * 4 + best]) best = c;
    cons[j] = (ppm[j * 4 + best] >= 0.5 ? "ACGT" : "acgt")[best];
  }
  cons[lp] = 0;
  int counts[MAX_MOTIFS] = {0};
  for (long i = 0; i < n; i++) { /* motifs hit by seqlet i (each counted once) */
    int seen[MAX_MOTIFS] = {0};
    for (int k = 0; k < p->n_inst; k++) {
      const instance_t *q = &p->inst[k];
      if (q->row == ex[i] && q->centre >= st[i] && q->centre < en[i] && !seen[q->motif]) {
        seen[q->motif] = 1;
        counts[q->motif]++;
      }
    }
  }
  int best = -1;
  for (int m = 0; m < p->n_names; m++)
    if (counts[m] * 2 >= n && (best < 0 || counts[m] > counts[best])) best = m;
  *hits = best >= 0 ? counts[best] : 0;
  if (best >= 0)
    for (long i = 0; i < n; i++)
      for (int k = 0; k < p->n_inst; k++) {
        instance_t *q = &p->inst[k];
        if (q->motif == best && q->row == ex[i] && q->centre >= st[i] && q->centre < en[i]) q->hit = 1;
      }
  printf("pattern %s seqlets %ld consensus %s motif %s precision %.4f\n", label, n, cons,
         best >= 0 ? p->names[best] : "none", best >= 0 ? (double)counts[best] / (double)n : 0.0);
  free(ex), free(st), free(en), free(ppm), free(cons);
  return best;
}

// --- hits of dmotif hits

enum { MAX_PATTERNS = 256 };

typedef struct {
  int64_t row;
  int start, end, pattern;
} hit_t;

/* Genome start of every row, from <dir>/counts.tsv (row, region_name, chrom, start, ...). */
static int64_t *read_region_starts(const char *dir, int64_t rows) {
  char path[4096], line[65536], *col[5];
  snprintf(path, sizeof path, "%s/counts.tsv", dir);
  FILE *f = fopen(path, "r");
  if (!f) return fprintf(stderr, "modisco_eval: cannot open %s\n", path), NULL;
  int64_t *start = calloc((size_t)rows + 1, sizeof *start);
  while (fgets(line, sizeof line, f))
    if (line[0] != '#' && strncmp(line, "row\t", 4) != 0 && split_tabs(line, col, 5) == 5) {
      long r = atol(col[0]);
      if (r >= 0 && r < rows) start[r] = atol(col[3]);
    }
  fclose(f);
  return start;
}

/* <dir>/hits.tsv: skip '#' lines and the column header; columns start (1),
 * end (2), pattern (3), row (8); positions made relative to the region.
 * Returns the hits or NULL. */
static hit_t *read_hits(const char *dir, int64_t rows, long *n_out, char names[][128], int *n_names) {
  char path[4096];
  snprintf(path, sizeof path, "%s/hits.tsv", dir);
  FILE *f = fopen(path, "r");
  int64_t *rstart = f ? read_region_starts(dir, rows) : NULL;
  if (!f || !rstart) {
    fprintf(stderr, "modisco_eval: cannot read %s\n", path);
    if (f) fclose(f);
    return NULL;
  }
  char line[8192];
  hit_t *h = NULL;
  long n = 0, cap = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#' || strncmp(line, "chrom\t", 6) == 0) continue;
    char *col[12];
    if (split_tabs(line, col, 12) < 9) continue;
    int p = 0;
    while (p < *n_names && strcmp(names[p], col[3]) != 0) p++;
    if (p == *n_names && p < MAX_PATTERNS) snprintf(names[(*n_names)++], 128, "%s", col[3]);
    if (p == MAX_PATTERNS) continue;
    if (n == cap) cap = cap ? 2 * cap : 4096, h = realloc(h, (size_t)cap * sizeof *h);
    int64_t row = atol(col[8]), off = row >= 0 && row < rows ? rstart[row] : 0;
    h[n++] = (hit_t){row, (int)(atol(col[1]) - off), (int)(atol(col[2]) - off), p};
  }
  fclose(f);
  free(rstart);
  *n_out = n;
  return h;
}

/* Planted instances of row r: [first[r], first[r + 1]) (instances are in row order). */
static int64_t *row_index(const planted_t *p) {
  int64_t *first = calloc((size_t)p->rows + 2, sizeof *first);
  for (int k = 0; k < p->n_inst; k++) first[p->inst[k].row + 1]++;
  for (int64_t r = 0; r <= p->rows; r++) first[r + 1] += first[r];
  return first;
}

static int overlaps(const hit_t *h, const instance_t *q) {
  return h->start < q->start + q->len && q->start < h->end;
}

static int eval_hits(const char *hits_dir, planted_t *p) {
  static char names[MAX_PATTERNS][128];
  int n_names = 0;
  long n = 0;
  hit_t *h = read_hits(hits_dir, p->rows, &n, names, &n_names);
  if (!h) return 1;
  int64_t *first = row_index(p);
  static int counts[MAX_PATTERNS][MAX_MOTIFS], total[MAX_PATTERNS], assigned[MAX_PATTERNS];
  for (long i = 0; i < n; i++) { /* motifs each hit hits (each counted once) */
    int seen[MAX_MOTIFS] = {0};
    total[h[i].pattern]++;
    if (h[i].row < 0 || h[i].row >= p->rows) continue;
    for (int64_t k = first[h[i].row]; k < first[h[i].row + 1]; k++) {
      const instance_t *q = &p->inst[k];
      if (!seen[q->motif] && overlaps(&h[i], q)) seen[q->motif] = 1, counts[h[i].pattern][q->motif]++;
    }
  }
  int pat_n[MAX_MOTIFS] = {0}, hit_n[MAX_MOTIFS] = {0}, good_n[MAX_MOTIFS] = {0};
  for (int j = 0; j < n_names; j++) {
    int best = -1;
    for (int m = 0; m < p->n_names; m++)
      if (counts[j][m] * 2 >= total[j] && (best < 0 || counts[j][m] > counts[j][best])) best = m;
    assigned[j] = best;
    if (best >= 0) pat_n[best]++, hit_n[best] += total[j], good_n[best] += counts[j][best];
    printf("pattern %s hits %d motif %s precision %.4f\n", names[j], total[j],
           best >= 0 ? p->names[best] : "none",
           best >= 0 && total[j] ? (double)counts[j][best] / total[j] : 0.0);
  }
  for (long i = 0; i < n; i++) {
    int m = assigned[h[i].pattern];
    if (m < 0 || h[i].row < 0 || h[i].row >= p->rows) continue;
    for (int64_t k = first[h[i].row]; k < first[h[i].row + 1]; k++)
      if (p->inst[k].motif == m && overlaps(&h[i], &p->inst[k])) p->inst[k].hit = 1;
  }
  for (int m = 0; m < p->n_names; m++) {
    int inst = 0, hit = 0, all = 0, hit_all = 0;
    for (int k = 0; k < p->n_inst; k++) {
      if (p->inst[k].motif != m) continue;
      all++, hit_all += p->inst[k].hit;
      if (p->label[p->inst[k].row]) inst++, hit += p->inst[k].hit;
    }
    printf(
        "motif %s instances %d recall %.4f instances_all %d recall_all %.4f patterns %d hits %d precision "
        "%.4f\n",
        p->names[m], inst, inst ? (double)hit / inst : 0.0, all, all ? (double)hit_all / all : 0.0, pat_n[m],
        hit_n[m], hit_n[m] ? (double)good_n[m] / hit_n[m] : 0.0);
  }
  free(h), free(first);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 5 && strcmp(argv[1], "--hits") == 0) {
    planted_t p = {0};
    if (read_planted(argv[3], atoi(argv[4]), argc > 5 ? atol(argv[5]) : -1, &p) < 0) return 1;
    int rc = eval_hits(argv[2], &p);
    free(p.inst), free(p.label);
    return rc;
  }
  if (argc < 4) {
    fprintf(stderr, "usage: modisco_eval <modisco.h5> <sequences.simdata[.gz]> <label column> [rows]\n");
    return 2;
  }
  planted_t p = {0};
  if (read_planted(argv[2], atoi(argv[3]), argc > 4 ? atol(argv[4]) : -1, &p) < 0) return 1;
  hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return 1;
  int pat_n[MAX_MOTIFS] = {0}, seq_n[MAX_MOTIFS] = {0}, hit_n[MAX_MOTIFS] = {0};
  const char *groups[2] = {"pos_patterns", "neg_patterns"};
  for (int gi = 0; gi < 2; gi++) {
    if (H5Lexists(f, groups[gi], H5P_DEFAULT) <= 0) continue;
    for (int i = 0;; i++) {
      char name[128];
      snprintf(name, sizeof name, "%s/pattern_%d", groups[gi], i);
      if (H5Lexists(f, name, H5P_DEFAULT) <= 0) break;
      hid_t g = H5Gopen2(f, name, H5P_DEFAULT);
      long n;
      int hits, m = eval_pattern(g, name, &p, &n, &hits);
      H5Gclose(g);
      if (m >= 0) pat_n[m]++, seq_n[m] += (int)n, hit_n[m] += hits;
    }
  }
  for (int m = 0; m < p.n_names; m++) {
    int inst = 0, hit = 0;
    for (int k = 0; k < p.n_inst; k++)
      if (p.inst[k].motif == m && p.inst[k].row < p.rows && p.label[p.inst[k].row]) {
        inst++;
        hit += p.inst[k].hit;
      }
    printf("motif %s instances %d recall %.4f patterns %d seqlets %d precision %.4f\n", p.names[m], inst,
           inst ? (double)hit / inst : 0.0, pat_n[m], seq_n[m], seq_n[m] ? (double)hit_n[m] / seq_n[m] : 0.0);
  }
  H5Fclose(f);
  free(p.inst);
  free(p.label);
  return 0;
}
