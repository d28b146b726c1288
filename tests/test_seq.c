/* Sequence sources: FASTA / TSV parsing, BED re-centring and faidx fetch,
 * and the errors on bad input (which must fail cleanly, never crash). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dm_log.h"
#include "dm_params.h"
#include "dm_seq.h"
#include "dm_test.h"

static char dir[] = "/tmp/dm_test_seq_XXXXXX";

/* The genome of tests/data/io/genome.fa, as one string per chromosome. */
static const char *chr1 = "ACGTACGTTAGGCCTTAAGCNNNNACGTACTTTTGGGGCCACGATCGATG";
static const char *chr2 = "acgtacgttaacgcgcgcatatatacgcaa";

static const char *in_dir(const char *name) {
  static char buf[4][256];
  static int k = 0;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

static void write_file(const char *name, const char *text) {
  FILE *fp = fopen(in_dir(name), "wb");
  fputs(text, fp);
  fclose(fp);
}

static void copy_file(const char *from, const char *to) {
  char buf[4096];
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
  fclose(in);
  fclose(out);
}

static dm_seqsrc_opt_t text_opt(const char *file, const char *format, int64_t L) {
  dm_seqsrc_opt_t o = {
      .sequences = file, .format = format, .column = "sequence", .name_column = "seqName", .length = L};
  return o;
}

static dm_seqsrc_t *open_text(const char *name, int64_t L) {
  dm_seqsrc_opt_t o = text_opt(in_dir(name), "auto", L);
  return dm_seqsrc_open(&o);
}

static dm_seqsrc_t *open_bed(const char *bed, const char *genome, int64_t L) {
  dm_seqsrc_opt_t o = {.bed = bed, .genome = genome, .length = L};
  return dm_seqsrc_open(&o);
}

// --- FASTA and TSV

static void test_fasta(void) {
  /* multi-line, lowercase, N, empty lines, CRLF, a description after the name */
  write_file("a.fa", ">s1 first record\r\nACGT\r\nacgN\r\n\r\n>s2\nTTTT\n\ngggg\n\n");
  dm_seqsrc_t *s = open_text("a.fa", 0);
  CHECK(s != NULL, "a.fa did not open");
  if (!s) return;
  CHECK(dm_seqsrc_rows(s) == 2 && dm_seqsrc_length(s) == 8, "rows %ld length %ld", (long)dm_seqsrc_rows(s),
        (long)dm_seqsrc_length(s));
  char seq[16];
  dm_region_t reg[2];
  CHECK(dm_seqsrc_fetch(s, 0, 2, seq, reg) == 0, "fetch");
  CHECK(memcmp(seq, "ACGTacgNTTTTgggg", 16) == 0, "bases %.16s", seq);
  CHECK(strcmp(reg[0].chrom, "s1") == 0 && strcmp(reg[0].name, "s1") == 0, "name %s", reg[0].name);
  CHECK(reg[1].start == 0 && reg[1].end == 8 && reg[1].strand == '.', "region of s2");
  CHECK(dm_seqsrc_fetch(s, 1, 2, seq, NULL) == 0 && memcmp(seq, "TTTTgggg", 8) == 0, "row 1 alone");
  dm_seqsrc_close(s);

  s = open_text("a.fa", 8); /* matching Input:length */
  CHECK(s != NULL, "a.fa with L = 8");
  dm_seqsrc_close(s);
  CHECK(open_text("a.fa", 5) == NULL, "L = 5 accepted records of length 8");
  write_file("len.fa", ">a\nACGT\n>b\nACG\n");
  CHECK(open_text("len.fa", 0) == NULL, "records of different lengths accepted");
  write_file("empty.fa", ">a\n>b\nACGT\n");
  CHECK(open_text("empty.fa", 0) == NULL, "empty record accepted");
  write_file("nohead.fa", "ACGT\n>a\nACGT\n");
  dm_seqsrc_opt_t o = text_opt(in_dir("nohead.fa"), "fasta", 0);
  CHECK(dm_seqsrc_open(&o) == NULL, "sequence before the first header accepted");
  write_file("nothing.fa", "\n\n");
  CHECK(open_text("nothing.fa", 0) == NULL, "file without sequences accepted");
  char longname[100] = ">";
  memset(longname + 1, 'x', 70);
  strcat(longname, "\nACGT\n");
  write_file("long.fa", longname);
  CHECK(open_text("long.fa", 0) == NULL, "name longer than 63 accepted");
  CHECK(open_text("does_not_exist.fa", 0) == NULL, "missing file accepted");
}

/* The first bytes of a file (a truncated download). */
static void copy_head(const char *from, const char *to, size_t bytes) {
  char *buf = calloc(bytes, 1);
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  size_t n = fread(buf, 1, bytes, in);
  fwrite(buf, 1, n, out);
  fclose(in);
  fclose(out);
  free(buf);
}

static void test_tsv(void) {
  write_file("a.tsv", "id\tseqName\tsequence\r\n1\tn1\tACGTAC\r\n\r\n2\tn2\tacgtNN\r\n");
  dm_seqsrc_t *s = open_text("a.tsv", 0);
  CHECK(s != NULL, "a.tsv did not open");
  if (s) {
    char seq[12];
    dm_region_t reg[2];
    CHECK(dm_seqsrc_rows(s) == 2 && dm_seqsrc_length(s) == 6, "tsv rows/length");
    CHECK(dm_seqsrc_fetch(s, 0, 2, seq, reg) == 0 && memcmp(seq, "ACGTACacgtNN", 12) == 0, "tsv bases");
    CHECK(strcmp(reg[1].name, "n2") == 0 && reg[1].end == 6, "tsv region");
    dm_seqsrc_close(s);
  }
  write_file("nocol.tsv", "seqName\tseq\nn1\tACGT\n");
  CHECK(open_text("nocol.tsv", 0) == NULL, "missing sequence column accepted");
  write_file("short.tsv", "seqName\tsequence\nn1\tACGT\nn2\n");
  CHECK(open_text("short.tsv", 0) == NULL, "line with too few columns accepted");

  /* the example data: gzip'd TSV, 8000 x 200 bp */
  dm_seqsrc_opt_t o = text_opt(DM_TEST_DATA "/deeplift_example/sequences.simdata.gz", "auto", 200);
  s = dm_seqsrc_open(&o);
  CHECK(s != NULL, "example did not open");
  if (s) {
    char seq[400];
    dm_region_t reg[2];
    CHECK(dm_seqsrc_rows(s) == 8000 && dm_seqsrc_length(s) == 200, "example rows/length");
    CHECK(dm_seqsrc_fetch(s, 0, 2, seq, reg) == 0, "example fetch");
    CHECK(memcmp(seq, "AGCTCTTTTGGCGGACCGAG", 20) == 0, "example row 0 %.20s", seq);
    CHECK(memcmp(seq + 200, "TGCAGATAAGAACTTTGGGA", 20) == 0, "example row 1 %.20s", seq + 200);
    CHECK(strcmp(reg[0].name, "empty_1732") == 0 && strcmp(reg[1].chrom, "gata_only_1527") == 0,
          "example names %s %s", reg[0].name, reg[1].chrom);
    dm_seqsrc_close(s);
  }
  copy_head(o.sequences, in_dir("trunc.tsv.gz"), 100000);
  CHECK(open_text("trunc.tsv.gz", 200) == NULL, "truncated gzip accepted");
}

// --- BED + genome

static void test_bed(void) {
  char genome[256];
  const char *bed = DM_TEST_DATA "/io/regions.bed";
  snprintf(genome, sizeof genome, "%s", in_dir("genome.fa"));
  copy_file(DM_TEST_DATA "/io/genome.fa", genome);
  CHECK(access(in_dir("genome.fa.fai"), F_OK) != 0, "index exists before the test");
  dm_seqsrc_t *s = open_bed(bed, genome, 6);
  CHECK(s != NULL, "regions.bed did not open");
  CHECK(access(in_dir("genome.fa.fai"), F_OK) == 0, "missing .fai was not built");
  if (!s) return;
  CHECK(dm_seqsrc_rows(s) == 4 && dm_seqsrc_length(s) == 6, "rows %ld (2 of 6 run off an end)",
        (long)dm_seqsrc_rows(s));
  /* expected rows, re-centred by start + floor(len/2) - floor(L/2) */
  static const struct {
    const char *chrom, *name;
    int64_t start;
    char strand;
  } want[4] = {
      {"chr1", "r1", 12, '+'}, {"chr1", "r2", 12, '-'}, {"chr1", ".", 42, '.'}, {"chr2", "zero", 22, '.'}};
  char seq[24];
  dm_region_t reg[4];
  CHECK(dm_seqsrc_fetch(s, 0, 4, seq, reg) == 0, "bed fetch");
  for (int i = 0; i < 4; i++) {
    const char *chrom = strcmp(want[i].chrom, "chr1") == 0 ? chr1 : chr2;
    CHECK(strcmp(reg[i].chrom, want[i].chrom) == 0 && strcmp(reg[i].name, want[i].name) == 0, "row %d: %s %s",
          i, reg[i].chrom, reg[i].name);
    CHECK(reg[i].start == want[i].start && reg[i].end == want[i].start + 6, "row %d at %ld-%ld", i,
          (long)reg[i].start, (long)reg[i].end);
    CHECK(reg[i].strand == want[i].strand, "row %d strand %c", i, reg[i].strand);
    CHECK(memcmp(seq + 6 * i, chrom + want[i].start, 6) == 0, "row %d bases %.6s", i, seq + 6 * i);
  }
  CHECK(dm_seqsrc_fetch(s, 2, 3, seq, NULL) == 0 && memcmp(seq, chr1 + 42, 6) == 0, "row 2 alone");
  dm_seqsrc_close(s);

  /* odd L: start + floor(len/2) - floor(L/2) = 10 + 5 - 2 */
  write_file("one.bed", "chr1\t10\t20\n");
  s = open_bed(in_dir("one.bed"), genome, 5);
  CHECK(s && dm_seqsrc_fetch(s, 0, 1, seq, reg) == 0 && reg[0].start == 13 && memcmp(seq, chr1 + 13, 5) == 0,
        "odd L re-centring");
  dm_seqsrc_close(s);

  /* bad lines: each must fail to open (the log names file:line) */
  static const char *bad[] = {
      "chr1\tten\t20\n", "chr1\t10\t2x\n", "chr1\t20\t10\n",          "chr1\t10\n",
      "chrZ\t10\t20\n",  "chr1\t-5\t20\n", "chr1\t10\t20\tn\t0\tx\n", "chr1\t10\t20\n\nchr1\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    write_file("bad.bed", bad[i]);
    s = open_bed(in_dir("bad.bed"), genome, 6);
    CHECK(s == NULL, "bad BED %zu accepted: %s", i, bad[i]);
    dm_seqsrc_close(s);
  }
  write_file("off.bed", "chr2\t0\t2\n");
  CHECK(open_bed(in_dir("off.bed"), genome, 6) == NULL, "BED with no usable region accepted");
  CHECK(open_bed(bed, in_dir("missing.fa"), 6) == NULL, "missing genome accepted");

  /* a read-only directory: the missing index cannot be built (root may write anyway) */
  if (geteuid() != 0) {
    char ro[300];
    snprintf(ro, sizeof ro, "%s/ro", dir);
    mkdir(ro, 0755);
    copy_file(DM_TEST_DATA "/io/genome.fa", in_dir("ro/genome.fa"));
    chmod(ro, 0555);
    CHECK(open_bed(bed, in_dir("ro/genome.fa"), 6) == NULL, "index built in a read-only directory?");
    chmod(ro, 0755);
    remove(in_dir("ro/genome.fa"));
    rmdir(ro);
  }
}

// --- parameters

static void test_params(void) {
  static const dm_param_spec_t spec[] = {DM_SEQ_PARAM_SPEC};
  CHECK(sizeof spec / sizeof spec[0] == DM_SEQ_PARAM_COUNT, "DM_SEQ_PARAM_COUNT is stale");
  dm_params_t *p = dm_params_init(spec, DM_SEQ_PARAM_COUNT);
  dm_seqsrc_opt_t o;
  CHECK(dm_seqsrc_opt_from_params(p, &o) < 0, "no input accepted");
  CHECK(dm_params_set(p, "Input:sequences=x.fa") == 0, "set");
  CHECK(dm_seqsrc_opt_from_params(p, &o) == 0 && strcmp(o.sequences, "x.fa") == 0 && !o.bed &&
            strcmp(o.column, "sequence") == 0 && o.length == 0,
        "options from sequences");
  CHECK(dm_params_set(p, "Input:bed=r.bed") == 0, "set");
  CHECK(dm_seqsrc_opt_from_params(p, &o) < 0, "sequences and bed accepted together");
  CHECK(dm_params_set(p, "Input:sequences=none") == 0, "set");
  CHECK(dm_seqsrc_opt_from_params(p, &o) < 0, "bed without genome accepted");
  CHECK(dm_params_set(p, "Input:genome=g.fa") == 0 && dm_params_set(p, "Input:length=100") == 0, "set");
  CHECK(dm_seqsrc_opt_from_params(p, &o) == 0 && !o.sequences && o.length == 100 &&
            strcmp(o.genome, "g.fa") == 0,
        "options from bed");
  dm_params_destroy(p);
}

int main(void) {
  dm_log_init(0, DM_LOG_WARN);
  if (!mkdtemp(dir)) return 2;
  test_fasta();
  test_tsv();
  test_bed();
  test_params();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return dm_test_summary("test_seq");
}
