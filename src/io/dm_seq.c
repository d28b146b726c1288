/* dm_seq: row sources of DNA sequences (FASTA / TSV in memory, BED + faidx). */
#include "dm_seq.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <htslib/faidx.h>
#include <zlib.h>

#include "dm_lines.h"
#include "dm_mem.h"

struct dm_seqsrc_s {
  dm_seqsrc_opt_t opt; /* strings borrowed from the caller */
  int64_t n, L;        /* rows, length */
  int64_t cap;         /* rows allocated */
  char *seq;           /* (n, L) FASTA/TSV bases; NULL for BED */
  char *names;         /* (n, DM_SEQ_NAME_LEN) record or BED names */
  faidx_t *fai;        /* BED: genome index */
  int *chrom;          /* BED: (n,) sequence index in fai */
  int64_t *start;      /* BED: (n,) re-centred start */
  char *strand;        /* BED: (n,) */
};

/* Parse problems are logged unless the source is quiet (ranks != 0). */
#define SRC_ERROR(src, ...)                           \
  do {                                                \
    if (!(src)->opt.quiet) dm_log_error(__VA_ARGS__); \
  } while (0)
#define SRC_WARN(src, ...)                           \
  do {                                               \
    if (!(src)->opt.quiet) dm_log_warn(__VA_ARGS__); \
  } while (0)

// --- rows in memory (FASTA / TSV)

/* Room for one more row (its name, and its L bases when held in memory). */
static void grow(dm_seqsrc_t *src, int with_bases) {
  if (src->n < src->cap) return;
  src->cap = src->cap ? 2 * src->cap : 1024;
  src->names = dm_realloc("sequence names", src->names, (size_t)src->cap * DM_SEQ_NAME_LEN);
  if (with_bases) src->seq = dm_realloc("sequences", src->seq, (size_t)(src->cap * src->L));
}

/* Copy a name (up to len bytes) into row i; -1 if too long. */
static int set_name(dm_seqsrc_t *src, int64_t i, const char *name, size_t len) {
  if (len >= DM_SEQ_NAME_LEN) return -1;
  char *dst = src->names + i * DM_SEQ_NAME_LEN;
  memcpy(dst, name, len);
  memset(dst + len, 0, DM_SEQ_NAME_LEN - len);
  return 0;
}

/* Append a complete sequence of len bases as a new row named name. */
static int add_record(dm_seqsrc_t *src, const char *where, const char *name, size_t name_len,
                      const char *bases, int64_t len) {
  if (name_len == 0) {
    SRC_ERROR(src, "%s: record without a name", where);
    return -1;
  }
  if (name_len >= DM_SEQ_NAME_LEN) {
    SRC_ERROR(src, "%s: record name '%.*s' longer than %d characters", where, (int)name_len, name,
              DM_SEQ_NAME_LEN - 1);
    return -1;
  }
  if (len == 0) {
    SRC_ERROR(src, "%s: record '%.*s' is empty", where, (int)name_len, name);
    return -1;
  }
  if (src->L == 0) src->L = len;
  if (len != src->L) {
    SRC_ERROR(src, "%s: record '%.*s' has length %ld, expected %ld (%s)", where, (int)name_len, name,
              (long)len, (long)src->L,
              src->opt.length_from ? src->opt.length_from : "Input:length or the first record");
    return -1;
  }
  grow(src, 1);
  memcpy(src->seq + src->n * src->L, bases, (size_t)len);
  int rc = set_name(src, src->n, name, name_len);
  src->n++;
  return rc;
}

/* FASTA: '>' name [description], then sequence lines; empty lines ignored. */
static int load_fasta(dm_seqsrc_t *src, dm_lines_t *r, long len) {
  char *name = NULL, *bases = NULL, where[1100];
  size_t nb = 0, cap = 0;
  long header_line = 0;
  int rc = 0;
  for (; len >= 0 && rc == 0; len = dm_lines_next(r)) {
    if (len == 0) continue;
    if (r->buf[0] == '>') {
      if (name) {
        snprintf(where, sizeof where, "%s:%ld", r->path, header_line);
        rc = add_record(src, where, name, strlen(name), bases, (int64_t)nb);
      }
      char *s = r->buf + 1;
      s[strcspn(s, " \t")] = '\0';
      free(name);
      name = dm_strdup("fasta name", s);
      header_line = r->lineno;
      nb = 0;
      continue;
    }
    if (!name) {
      SRC_ERROR(src, "%s:%ld: sequence before the first '>' header", r->path, r->lineno);
      rc = -1;
      break;
    }
    if (nb + (size_t)len > cap) bases = dm_realloc("fasta record", bases, cap = 2 * (nb + (size_t)len));
    for (long i = 0; i < len; i++)
      if (r->buf[i] != ' ' && r->buf[i] != '\t') bases[nb++] = r->buf[i];
  }
  if (len == -2) rc = -1;
  if (rc == 0 && !name) {
    SRC_ERROR(src, "%s: no '>' header", r->path);
    rc = -1;
  } else if (rc == 0) {
    snprintf(where, sizeof where, "%s:%ld", r->path, header_line);
    rc = add_record(src, where, name, strlen(name), bases, (int64_t)nb);
  }
  free(name);
  free(bases);
  return rc;
}

/* Field k (0-based) of a tab-separated line: start and length, or -1. */
static int tsv_field(const char *line, int k, const char **start, size_t *len) {
  const char *s = line;
  for (int i = 0; i < k; i++) {
    s = strchr(s, '\t');
    if (!s) return -1;
    s++;
  }
  *start = s;
  *len = strcspn(s, "\t");
  return 0;
}

static int tsv_column(const char *header, const char *name) {
  const char *s;
  size_t n;
  for (int k = 0; tsv_field(header, k, &s, &n) == 0; k++)
    if (n == strlen(name) && strncmp(s, name, n) == 0) return k;
  return -1;
}

/* TSV: a header naming the columns, then one record per line. */
static int load_tsv(dm_seqsrc_t *src, dm_lines_t *r, long len) {
  int cs = tsv_column(r->buf, src->opt.column), cn = tsv_column(r->buf, src->opt.name_column);
  if (cs < 0 || cn < 0) {
    SRC_ERROR(src, "%s:%ld: header has no column '%s' (Input:%s)", r->path, r->lineno,
              cs < 0 ? src->opt.column : src->opt.name_column, cs < 0 ? "column" : "name_column");
    return -1;
  }
  char where[1100];
  int rc = 0;
  while (rc == 0 && (len = dm_lines_next(r)) >= 0) {
    if (len == 0) continue;
    const char *seq, *name;
    size_t ns, nn;
    snprintf(where, sizeof where, "%s:%ld", r->path, r->lineno);
    if (tsv_field(r->buf, cs, &seq, &ns) < 0 || tsv_field(r->buf, cn, &name, &nn) < 0) {
      SRC_ERROR(src, "%s: too few columns", where);
      rc = -1;
    } else {
      rc = add_record(src, where, name, nn, seq, (int64_t)ns);
    }
  }
  if (rc == 0 && len == -1 && src->n == 0) {
    SRC_ERROR(src, "%s: no records after the header line", r->path);
    rc = -1;
  }
  return len == -2 ? -1 : rc;
}

static int load_text(dm_seqsrc_t *src) {
  dm_lines_t r = {.path = src->opt.sequences};
  r.fp = gzopen(r.path, "rb");
  if (!r.fp) {
    SRC_ERROR(src, "%s: cannot open: %s", r.path, strerror(errno));
    return -1;
  }
  src->L = src->opt.length;
  long len;
  while ((len = dm_lines_next(&r)) == 0) continue;
  int rc = -1;
  if (len >= 0) {
    const char *fmt = src->opt.format ? src->opt.format : "auto";
    int fasta = strcmp(fmt, "fasta") == 0 || (strcmp(fmt, "auto") == 0 && r.buf[0] == '>');
    rc = fasta ? load_fasta(src, &r, len) : load_tsv(src, &r, len);
  }
  if (gzclose(r.fp) != Z_OK || r.err) {
    SRC_ERROR(src, "%s: read error (truncated or corrupt gzip?)", r.path);
    rc = -1;
  }
  if (len == -1) {
    SRC_ERROR(src, "%s: no sequences", r.path);
    rc = -1;
  }
  free(r.buf);
  return rc;
}

// --- BED + genome

/* Does the .fai describe the plain FASTA g? For each record (a sample of
 * ~1000 in large assemblies): the byte before its offset ends the header
 * line, its first line holds linebases bases then a newline at offset +
 * linewidth - 1, and its last base lies within the file. A genome re-wrapped
 * or edited after indexing fails one of these. Returns 1 if consistent, 0 if
 * not (reason in why), -1 if unreadable. */
static int fai_matches(const char *g, const char *fai, char *why, size_t n) {
  FILE *fg = fopen(g, "rb"), *fi = fopen(fai, "r");
  int ok = fg && fi ? 1 : -1;
  if (ok == 1 && fseeko(fg, 0, SEEK_END) != 0) ok = -1;
  off_t size = ok == 1 ? ftello(fg) : 0;
  char line[1024], name[512];
  long long len, off, lb, lw;
  long lines = 0;
  while (ok == 1 && fgets(line, sizeof line, fi)) lines++;
  if (fi) rewind(fi);
  long step = lines / 1000 + 1; /* seek to at most ~1000 records (and the last) of large assemblies */
  for (long ln = 1; ok == 1 && fgets(line, sizeof line, fi); ln++) {
    if (sscanf(line, "%511s %lld %lld %lld %lld", name, &len, &off, &lb, &lw) != 5 || len < 1 || off < 1 ||
        lb < 1 || lw <= lb) {
      snprintf(why, n, "line %ld is not a FASTA index entry", ln);
      ok = 0;
      break;
    }
    if ((ln - 1) % step != 0 && ln != lines) continue;
    long long last = off + (len - 1) / lb * lw + (len - 1) % lb;
    int before = EOF, eol = EOF;
    if (last < size && fseeko(fg, (off_t)off - 1, SEEK_SET) == 0) before = fgetc(fg);
    if (last < size && len > lb && fseeko(fg, (off_t)(off + lw - 1), SEEK_SET) == 0) eol = fgetc(fg);
    if (last >= size || before != '\n' || (len > lb && eol != '\n')) {
      snprintf(why, n,
               "record '%s' (index line %ld: %lld bases at offset %lld, %lld per line) does not match "
               "the file",
               name, ln, len, off, lb);
      ok = 0;
    }
  }
  if (fg) fclose(fg);
  if (fi) fclose(fi);
  return ok;
}

/* Is the index of genome g stale? Plain FASTA: it does not match the file;
 * bgzip (whose index offsets are not file offsets): it is older than g. */
static int fai_stale(const char *g, const char *fai, char *why, size_t n) {
  FILE *f = fopen(g, "rb");
  int c = f ? fgetc(f) : EOF;
  if (f) fclose(f);
  if (c != 0x1f) return fai_matches(g, fai, why, n) == 0;
  struct stat sg, si;
  if (stat(g, &sg) != 0 || stat(fai, &si) != 0 || sg.st_mtime <= si.st_mtime) return 0;
  snprintf(why, n, "it is older than the genome");
  return 1;
}

/* Load the genome index, building a missing .fai (and .gzi) first and
 * rebuilding (rank 0) or refusing a stale one. */
static int load_genome(dm_seqsrc_t *src) {
  const char *g = src->opt.genome;
  if (access(g, R_OK) != 0) {
    SRC_ERROR(src, "%s: cannot read genome: %s", g, strerror(errno));
    return -1;
  }
  size_t n = strlen(g) + 5;
  char *fai = dm_malloc("fai path", n), *dir = dm_strdup("genome dir", g);
  snprintf(fai, n, "%s.fai", g);
  int rc = 0;
  char why[700];
  if (access(fai, R_OK) == 0 && !src->opt.quiet && fai_stale(g, fai, why, sizeof why)) {
    if (access(dirname(dir), W_OK) != 0 || fai_build3(g, NULL, NULL) != 0) {
      SRC_ERROR(src,
                "%s: index %s is stale (%s) and cannot be rebuilt here; rebuild it with 'samtools faidx %s'",
                g, fai, why, g);
      rc = -1;
    } else {
      dm_log_warn("%s: index %s was stale (%s); rebuilt it", g, fai, why);
    }
  } else if (access(fai, R_OK) != 0) {
    if (access(dirname(dir), W_OK) != 0) {
      SRC_ERROR(src,
                "%s: index %s is missing and cannot be built: directory %s is not writable "
                "(run 'samtools faidx' on a writable copy)",
                g, fai, dir);
      rc = -1;
    } else if (!src->opt.quiet) {
      dm_log_info("%s: building the missing index %s", g, fai);
    }
  }
  if (rc == 0) {
    src->fai = fai_load3(g, NULL, NULL, FAI_CREATE);
    if (!src->fai) {
      SRC_ERROR(src, "%s: cannot load or build the FASTA index %s", g, fai);
      rc = -1;
    }
  }
  free(fai);
  free(dir);
  return rc;
}

static int parse_i64(const char *s, size_t len, int64_t *out) {
  char buf[32], *end;
  if (len == 0 || len >= sizeof buf) return -1;
  memcpy(buf, s, len);
  buf[len] = '\0';
  errno = 0;
  long long v = strtoll(buf, &end, 10);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

/* Split a BED line on tabs/spaces into at most max fields; returns the count. */
static int bed_fields(char *line, char **f, int max) {
  int n = 0;
  for (char *tok = strtok(line, " \t"); tok && n < max; tok = strtok(NULL, " \t")) f[n++] = tok;
  return n;
}

/* One BED line -> row (appended) or skip (0) or error (-1). */
static int bed_line(dm_seqsrc_t *src, dm_lines_t *r) {
  char *f[6];
  const char *path = r->path;
  long ln = r->lineno;
  int nf = bed_fields(r->buf, f, 6);
  int64_t s, e, L = src->L;
  if (nf < 3) {
    SRC_ERROR(src, "%s:%ld: BED line has %d column(s), needs chrom, start, end", path, ln, nf);
    return -1;
  }
  if (parse_i64(f[1], strlen(f[1]), &s) < 0 || parse_i64(f[2], strlen(f[2]), &e) < 0 || s < 0) {
    SRC_ERROR(src, "%s:%ld: start '%s' / end '%s' must be integers >= 0", path, ln, f[1], f[2]);
    return -1;
  }
  if (e < s) {
    SRC_ERROR(src, "%s:%ld: end %ld < start %ld", path, ln, (long)e, (long)s);
    return -1;
  }
  if (nf >= 6 && strcmp(f[5], "+") != 0 && strcmp(f[5], "-") != 0 && strcmp(f[5], ".") != 0) {
    SRC_ERROR(src, "%s:%ld: strand '%s' is not +, - or .", path, ln, f[5]);
    return -1;
  }
  if (strlen(f[0]) >= DM_SEQ_NAME_LEN) {
    SRC_ERROR(src, "%s:%ld: chromosome name '%s' longer than %d characters", path, ln, f[0],
              DM_SEQ_NAME_LEN - 1);
    return -1;
  }
  int id = -1;
  for (int i = 0; i < faidx_nseq(src->fai) && id < 0; i++) /* linear: few sequences per genome */
    if (strcmp(faidx_iseq(src->fai, i), f[0]) == 0) id = i;
  if (id < 0) {
    SRC_ERROR(src, "%s:%ld: chromosome '%s' is not in genome %s", path, ln, f[0], src->opt.genome);
    return -1;
  }
  int64_t ns = s + (e - s) / 2 - L / 2, clen = faidx_seq_len(src->fai, f[0]);
  if (ns < 0 || ns + L > clen) {
    SRC_WARN(src, "%s:%ld: %s:%ld-%ld re-centred to %ld bp runs off the chromosome (length %ld); skipped",
             path, ln, f[0], (long)s, (long)e, (long)L, (long)clen);
    return 0;
  }
  const char *name = nf >= 4 ? f[3] : ".";
  if (strlen(name) >= DM_SEQ_NAME_LEN) {
    SRC_ERROR(src, "%s:%ld: name '%s' longer than %d characters", path, ln, name, DM_SEQ_NAME_LEN - 1);
    return -1;
  }
  int64_t cap = src->cap;
  grow(src, 0);
  if (src->cap != cap) {
    src->chrom = dm_realloc("bed chrom", src->chrom, (size_t)src->cap * sizeof *src->chrom);
    src->start = dm_realloc("bed start", src->start, (size_t)src->cap * sizeof *src->start);
    src->strand = dm_realloc("bed strand", src->strand, (size_t)src->cap);
  }
  src->chrom[src->n] = id;
  src->start[src->n] = ns;
  src->strand[src->n] = nf >= 6 ? f[5][0] : '.';
  int rc = set_name(src, src->n, name, strlen(name));
  src->n++;
  return rc;
}

static int load_bed(dm_seqsrc_t *src) {
  src->L = src->opt.length;
  if (load_genome(src) < 0) return -1;
  dm_lines_t r = {.path = src->opt.bed};
  r.fp = gzopen(r.path, "rb");
  if (!r.fp) {
    SRC_ERROR(src, "%s: cannot open: %s", r.path, strerror(errno));
    return -1;
  }
  long skipped = 0, lines = 0;
  int rc = 0;
  while (rc == 0 && dm_lines_next(&r) >= 0) {
    const char *s = r.buf + strspn(r.buf, " \t");
    if (!*s || *s == '#' || strncmp(s, "track", 5) == 0 || strncmp(s, "browser", 7) == 0) continue;
    int64_t before = src->n;
    rc = bed_line(src, &r);
    lines++;
    skipped += rc == 0 && src->n == before;
  }
  if (gzclose(r.fp) != Z_OK || r.err) {
    SRC_ERROR(src, "%s: read error (truncated or corrupt gzip?)", r.path);
    rc = -1;
  }
  free(r.buf);
  if (rc == 0 && src->n == 0) {
    SRC_ERROR(src, "%s: no usable regions (%ld read, %ld off a chromosome end)", src->opt.bed, lines,
              skipped);
    rc = -1;
  } else if (rc == 0 && !src->opt.quiet) {
    dm_log_info("%s: %ld regions of %ld bp, %ld skipped (off a chromosome end)", src->opt.bed, (long)src->n,
                (long)src->L, skipped);
  }
  return rc;
}

// --- public API

int dm_seqsrc_opt_from_params(const dm_params_t *p, dm_seqsrc_opt_t *opt) {
  memset(opt, 0, sizeof *opt);
  opt->sequences = dm_params_get_optional(p, "Input:sequences");
  opt->bed = dm_params_get_optional(p, "Input:bed");
  opt->genome = dm_params_get_optional(p, "Input:genome");
  opt->format = dm_params_get_string(p, "Input:format");
  opt->column = dm_params_get_string(p, "Input:column");
  opt->name_column = dm_params_get_string(p, "Input:name_column");
  opt->length = dm_params_get_int(p, "Input:length");
  if (!opt->sequences == !opt->bed) {
    dm_log_error("give exactly one of Input:sequences and Input:bed");
    return -1;
  }
  if (opt->length < 0) {
    dm_log_error("Input:length = %ld must be >= 0", (long)opt->length);
    return -1;
  }
  if (opt->bed && (!opt->genome || opt->length <= 0)) {
    dm_log_error("Input:bed needs Input:genome and Input:length > 0");
    return -1;
  }
  return 0;
}

void dm_seqsrc_files(const dm_seqsrc_opt_t *opt, dm_seqsrc_files_t *f) {
  const char *g = opt->genome;
  if (g) snprintf(f->fai, sizeof f->fai, "%s.fai", g), snprintf(f->gzi, sizeof f->gzi, "%s.gzi", g);
  f->files[0] = (dm_output_path_t){"Input:sequences", opt->sequences};
  f->files[1] = (dm_output_path_t){"Input:bed", opt->bed};
  f->files[2] = (dm_output_path_t){"Input:genome", g};
  f->files[3] = (dm_output_path_t){"Input:genome (its .fai index)", g ? f->fai : NULL};
  f->files[4] = (dm_output_path_t){"Input:genome (its .gzi index)", g ? f->gzi : NULL};
}

dm_seqsrc_t *dm_seqsrc_open(const dm_seqsrc_opt_t *opt) {
  dm_seqsrc_t *src = dm_calloc("sequence source", 1, sizeof *src);
  src->opt = *opt;
  int rc;
  if (opt->bed && opt->genome && opt->length > 0) {
    rc = load_bed(src);
  } else if (opt->sequences && opt->column && opt->name_column && opt->length >= 0) {
    rc = load_text(src);
  } else {
    SRC_ERROR(src, "bad source options: need sequences (+ column names) or bed + genome + length");
    rc = -1;
  }
  if (rc < 0) {
    dm_seqsrc_close(src);
    return NULL;
  }
  return src;
}

/* Rank 0's array of bytes to every rank (others get a new malloc'd copy). */
static char *bcast_array(const dm_mpi_t *ctx, char *data, int64_t bytes) {
  dm_mpi_bcast_bytes(ctx, &data, &bytes);
  return data;
}

dm_seqsrc_t *dm_seqsrc_open_all(const dm_mpi_t *ctx, const dm_seqsrc_opt_t *opt) {
  dm_seqsrc_t *src = NULL;
  int64_t shape[3] = {0, 0, 0}; /* n, L, BED? */
  if (ctx->rank == 0 && (src = dm_seqsrc_open(opt)) != NULL) {
    shape[0] = src->n, shape[1] = src->L, shape[2] = src->fai != NULL;
  }
  DM_MPI_CHECK(MPI_Bcast(shape, 3, MPI_INT64_T, 0, ctx->comm));
  if (shape[0] == 0) return NULL; /* rank 0 failed and logged why */
  if (ctx->rank != 0) {
    src = dm_calloc("sequence source", 1, sizeof *src);
    src->opt = *opt;
    src->opt.quiet = 1;
    src->n = src->cap = shape[0];
    src->L = shape[1];
  }
  int64_t n = src->n, L = src->L;
  src->names = bcast_array(ctx, src->names, n * DM_SEQ_NAME_LEN);
  if (shape[2]) {
    src->chrom = (int *)bcast_array(ctx, (char *)src->chrom, n * (int64_t)sizeof *src->chrom);
    src->start = (int64_t *)bcast_array(ctx, (char *)src->start, n * (int64_t)sizeof *src->start);
    src->strand = bcast_array(ctx, src->strand, n);
  } else {
    src->seq = bcast_array(ctx, src->seq, n * L);
  }
  int bad = ctx->rank != 0 && shape[2] && load_genome(src) < 0; /* rank 0 built the index */
  DM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, ctx->comm));
  if (bad) {
    if (ctx->rank == 0) dm_log_error("%s: another rank could not load the genome index", opt->genome);
    dm_seqsrc_close(src);
    return NULL;
  }
  return src;
}

void dm_seqsrc_close(dm_seqsrc_t *src) {
  if (!src) return;
  if (src->fai) fai_destroy(src->fai);
  free(src->seq);
  free(src->names);
  free(src->chrom);
  free(src->start);
  free(src->strand);
  free(src);
}

int64_t dm_seqsrc_rows(const dm_seqsrc_t *src) { return src->n; }

int64_t dm_seqsrc_length(const dm_seqsrc_t *src) { return src->L; }

int dm_seqsrc_fetch(dm_seqsrc_t *src, int64_t a, int64_t b, char *seq, dm_region_t *reg) {
  DM_ASSERT(0 <= a && a <= b && b <= src->n);
  int64_t L = src->L;
  for (int64_t i = a; i < b; i++) {
    const char *name = src->names + i * DM_SEQ_NAME_LEN;
    const char *chrom = src->fai ? faidx_iseq(src->fai, src->chrom[i]) : name;
    int64_t start = src->fai ? src->start[i] : 0;
    if (reg) {
      dm_region_t *g = &reg[i - a];
      memset(g, 0, sizeof *g);
      snprintf(g->chrom, sizeof g->chrom, "%s", chrom);
      memcpy(g->name, name, DM_SEQ_NAME_LEN);
      g->start = start;
      g->end = start + L;
      g->strand = src->fai ? src->strand[i] : '.';
    }
    if (!seq) continue;
    if (!src->fai) {
      memcpy(seq + (i - a) * L, src->seq + i * L, (size_t)L);
      continue;
    }
    hts_pos_t got = 0;
    char *s = faidx_fetch_seq64(src->fai, chrom, start, start + L - 1, &got);
    if (!s || got != L) {
      dm_log_error("%s: cannot fetch %s:%ld-%ld (row %ld of %s)", src->opt.genome, chrom, (long)start,
                   (long)(start + L), (long)i, src->opt.bed);
      free(s);
      return -1;
    }
    memcpy(seq + (i - a) * L, s, (size_t)L);
    free(s);
  }
  return 0;
}
