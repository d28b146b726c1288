/* test_modisco_h5: the writer produces exactly the tfmodisco-lite schema.
 * Files are read back with the HDF5 C API: every group's member names, every
 * dataset's shape and type class/size, and the values. */
#include <hdf5.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm_modisco_h5.h"
#include "dm_test.h"

/* A member: example, [start, end), strand. */
#define SQ(e, s, en, rc) ((dm_seqlet_t){.example = (e), .start = (s), .end = (en), .is_revcomp = (rc)})

enum { N = 3, L = 24 };
static uint8_t onehot[N * L * 4];
static float hyp[N * L * 4];

static void make_tracks(dm_tracks_t *t) {
  for (int i = 0; i < N * L; i++) {
    int b = (i * 7 + 3) % 4;
    for (int c = 0; c < 4; c++) {
      hyp[i * 4 + c] = (float)(((i * 13 + c * 5) % 11) - 5) / 8.0f;
      onehot[i * 4 + c] = (uint8_t)(c == b);
    }
  }
  *t = (dm_tracks_t){onehot, hyp, N, L};
}

/* Members of a group, joined as "a,b,c" in HDF5's (name) order. */
static void members(hid_t loc, const char *path, char *out, size_t cap) {
  hid_t g = H5Gopen2(loc, path, H5P_DEFAULT);
  out[0] = '\0';
  if (g < 0) return;
  H5G_info_t info;
  H5Gget_info(g, &info);
  for (hsize_t i = 0; i < info.nlinks; i++) {
    char name[64];
    H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
    if (i) strncat(out, ",", cap - strlen(out) - 1);
    strncat(out, name, cap - strlen(out) - 1);
  }
  H5Gclose(g);
}

/* Check a dataset's rank, dims, type class and size; read it as mtype into buf (may be NULL). */
static void check_ds(hid_t loc, const char *path, int rank, const hsize_t *dims, H5T_class_t cls, size_t size,
                     hid_t mtype, void *buf) {
  hid_t ds = H5Dopen2(loc, path, H5P_DEFAULT);
  CHECK(ds >= 0, "dataset %s missing", path);
  if (ds < 0) return;
  hid_t sp = H5Dget_space(ds), ty = H5Dget_type(ds);
  hsize_t d[4] = {0};
  int r = H5Sget_simple_extent_dims(sp, d, NULL);
  CHECK(r == rank, "%s: rank %d, want %d", path, r, rank);
  for (int i = 0; i < rank && i < r; i++)
    CHECK(d[i] == dims[i], "%s: dim %d is %llu, want %llu", path, i, (unsigned long long)d[i],
          (unsigned long long)dims[i]);
  CHECK(H5Tget_class(ty) == cls, "%s: type class %d, want %d", path, (int)H5Tget_class(ty), (int)cls);
  if (size) CHECK(H5Tget_size(ty) == size, "%s: type size %zu, want %zu", path, H5Tget_size(ty), size);
  if (cls == H5T_INTEGER || cls == H5T_FLOAT)
    CHECK(H5Tget_order(ty) == H5T_ORDER_LE, "%s: not little-endian", path);
  if (buf) CHECK(H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0, "%s: read", path);
  H5Tclose(ty);
  H5Sclose(sp);
  H5Dclose(ds);
}

static void check_pattern(hid_t f, const char *pfx, const dm_pattern_t *p, const dm_tracks_t *t,
                          int with_regions, const char *want_members) {
  char path[256], got[512];
  members(f, pfx, got, sizeof got);
  CHECK(strcmp(got, want_members) == 0, "%s members: %s", pfx, got);
  hsize_t d2[2] = {(hsize_t)p->len, 4};
  double *buf = malloc(sizeof(double) * (size_t)p->len * 4);
  const char *names[3] = {"sequence", "contrib_scores", "hypothetical_contribs"};
  const double *want[3] = {p->sequence, p->contrib, p->hyp};
  for (int k = 0; k < 3; k++) {
    snprintf(path, sizeof path, "%s/%s", pfx, names[k]);
    check_ds(f, path, 2, d2, H5T_FLOAT, 8, H5T_NATIVE_DOUBLE, buf);
    for (int i = 0; i < p->len * 4; i++) CHECK(buf[i] == want[k][i], "%s[%d]", path, i);
  }
  free(buf);
  snprintf(path, sizeof path, "%s/seqlets", pfx);
  members(f, path, got, sizeof got);
  const char *lite =
      "contrib_scores,end,example_idx,hypothetical_contribs,is_revcomp,n_seqlets,"
      "sequence,start";
  const char *ext =
      "chrom,contrib_scores,end,example_idx,genomic_end,genomic_start,"
      "hypothetical_contribs,is_revcomp,n_seqlets,sequence,start,strand";
  CHECK(strcmp(got, with_regions ? ext : lite) == 0, "%s members: %s", path, got);
  int n = p->n_seqlets, ls = p->seqlets[0].end - p->seqlets[0].start;
  hsize_t d1 = 1, dn = (hsize_t)n, d3[3] = {(hsize_t)n, (hsize_t)ls, 4};
  int64_t n64 = -1, iv[16];
  snprintf(path, sizeof path, "%s/seqlets/n_seqlets", pfx);
  check_ds(f, path, 1, &d1, H5T_INTEGER, 8, H5T_NATIVE_INT64, &n64);
  CHECK(n64 == n, "n_seqlets %lld", (long long)n64);
  const char *ints[3] = {"start", "end", "example_idx"};
  for (int k = 0; k < 3; k++) {
    snprintf(path, sizeof path, "%s/seqlets/%s", pfx, ints[k]);
    check_ds(f, path, 1, &dn, H5T_INTEGER, 8, H5T_NATIVE_INT64, iv);
    for (int i = 0; i < n; i++) {
      const dm_seqlet_t *s = &p->seqlets[i];
      long w = k == 0 ? s->start : k == 1 ? s->end : s->example;
      CHECK(iv[i] == w, "%s[%d] = %lld, want %ld", path, i, (long long)iv[i], w);
    }
  }
  int8_t rcv[16];
  snprintf(path, sizeof path, "%s/seqlets/is_revcomp", pfx);
  check_ds(f, path, 1, &dn, H5T_ENUM, 1, H5T_NATIVE_INT8, rcv);
  hid_t ds = H5Dopen2(f, path, H5P_DEFAULT), ty = H5Dget_type(ds);
  char nm[16];
  int8_t v = 1;
  CHECK(H5Tenum_nameof(ty, &v, nm, sizeof nm) >= 0 && strcmp(nm, "TRUE") == 0, "enum TRUE");
  v = 0;
  CHECK(H5Tenum_nameof(ty, &v, nm, sizeof nm) >= 0 && strcmp(nm, "FALSE") == 0, "enum FALSE");
  CHECK(H5Tget_nmembers(ty) == 2, "bool enum has 2 members");
  H5Tclose(ty);
  H5Dclose(ds);
  for (int i = 0; i < n; i++) CHECK(rcv[i] == p->seqlets[i].is_revcomp, "is_revcomp[%d]", i);
  float *fb = malloc(sizeof(float) * (size_t)n * ls * 4), *w = malloc(sizeof(float) * ls * 4 * 3);
  for (int k = 0; k < 3; k++) {
    snprintf(path, sizeof path, "%s/seqlets/%s", pfx, names[k]);
    check_ds(f, path, 3, d3, H5T_FLOAT, 4, H5T_NATIVE_FLOAT, fb);
    for (int i = 0; i < n; i++) {
      dm_pattern_fetch(t, &p->seqlets[i], w, w + ls * 4, w + ls * 8);
      for (int j = 0; j < ls * 4; j++)
        CHECK(fb[i * ls * 4 + j] == w[k * ls * 4 + j], "%s[%d][%d]", path, i, j);
    }
  }
  free(fb);
  free(w);
}

static int same_bytes(const char *a, const char *b) {
  FILE *f = fopen(a, "rb"), *g = fopen(b, "rb");
  int same = f && g, c = 0;
  while (same && (c = fgetc(f)) == fgetc(g) && c != EOF) {
  }
  same = same && c == EOF;
  if (f) fclose(f);
  if (g) fclose(g);
  return same;
}

int main(void) {
  dm_log_init(0, DM_LOG_WARN);
  dm_tracks_t t;
  make_tracks(&t);
  char dir[] = "/tmp/dm_modisco_h5_XXXXXX", path[128], got[512];
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  snprintf(path, sizeof path, "%s/modisco.h5", dir);

  /* A pattern of two members (one reverse complement) with one subpattern. */
  dm_seqlet_t s[2] = {SQ(0, 2, 12, 0), SQ(2, 10, 20, 1)};
  dm_pattern_t *p = dm_pattern_from_seqlets(&t, s, 2);
  dm_pattern_t *q = dm_pattern_from_seqlets(&t, s + 1, 1);
  p->n_sub = 1;
  p->sub = malloc(sizeof *p->sub);
  p->sub_id = malloc(sizeof *p->sub_id);
  p->sub[0] = q;
  p->sub_id[0] = 0;
  dm_pattern_t *pats[2] = {p, q};
  dm_modisco_metacluster_t pos = {1, 1, pats}, neg = {1, 0, NULL}, none = {0, 0, NULL};

  /* 1. lite schema, pos with one pattern, neg ran but empty. */
  const char *const attrs[][2] = {{"tool", "dmotif modisco"}, {"parameters", "Seqlets:\n  window: 21\n"}, {NULL, NULL}};
  CHECK(dm_modisco_h5_write(path, &t, &pos, &neg, NULL, attrs) == 0, "write");
  char tmp[160];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  CHECK(access(tmp, F_OK) != 0, "no .tmp left behind");
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  CHECK(f >= 0, "open %s", path);
  members(f, "/", got, sizeof got);
  CHECK(strcmp(got, "neg_patterns,pos_patterns") == 0, "root members: %s", got);
  members(f, "neg_patterns", got, sizeof got);
  CHECK(strcmp(got, "") == 0, "neg_patterns is empty: %s", got);
  members(f, "pos_patterns", got, sizeof got);
  CHECK(strcmp(got, "pattern_0") == 0, "pos_patterns members: %s", got);
  check_pattern(f, "pos_patterns/pattern_0", p, &t, 0,
                "contrib_scores,hypothetical_contribs,seqlets,sequence,subpattern_0");
  check_pattern(f, "pos_patterns/pattern_0/subpattern_0", q, &t, 0,
                "contrib_scores,hypothetical_contribs,seqlets,sequence");
  hid_t a = H5Aopen(f, "window_size", H5P_DEFAULT);
  int64_t ws = 0;
  CHECK(a >= 0 && H5Aread(a, H5T_NATIVE_INT64, &ws) >= 0 && ws == L, "window_size %lld", (long long)ws);
  H5Aclose(a);
  for (int i = 0; attrs[i][0]; i++) { /* the caller's string attributes, as written */
    char *val = NULL;
    hid_t sa = H5Aopen(f, attrs[i][0], H5P_DEFAULT), st = sa >= 0 ? H5Aget_type(sa) : -1;
    CHECK(sa >= 0 && H5Tis_variable_str(st) > 0 && H5Aread(sa, st, &val) >= 0 && val && strcmp(val, attrs[i][1]) == 0,
          "attribute %s: '%s'", attrs[i][0], val ? val : "(none)");
    if (val) H5free_memory(val);
    if (st >= 0) H5Tclose(st);
    if (sa >= 0) H5Aclose(sa);
  }
  H5Fclose(f);

  /* the same result written again a second later: the same bytes */
  char again[160];
  snprintf(again, sizeof again, "%s/again.h5", dir);
  sleep(1);
  CHECK(dm_modisco_h5_write(again, &t, &pos, &neg, NULL, attrs) == 0, "write again");
  CHECK(same_bytes(path, again), "equal results give equal files");
  remove(again);

  /* 2. no metacluster ran: a valid file with only the attribute; genomic extension. */
  CHECK(dm_modisco_h5_write(path, &t, &none, &none, NULL, NULL) == 0, "write empty");
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  members(f, "/", got, sizeof got);
  CHECK(f >= 0 && strcmp(got, "") == 0, "root members of an empty result: '%s'", got);
  H5Fclose(f);

  const char *chrom[N] = {"chr1", "chr2", "chrX"};
  int64_t rstart[N] = {100, 200, 1000};
  dm_modisco_regions_t g = {chrom, rstart};
  CHECK(dm_modisco_h5_write(path, &t, &none, &pos, &g, NULL) == 0, "write with regions");
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  members(f, "/", got, sizeof got);
  CHECK(strcmp(got, "neg_patterns") == 0, "root members: %s", got);
  check_pattern(f, "neg_patterns/pattern_0", p, &t, 1,
                "contrib_scores,hypothetical_contribs,seqlets,sequence,subpattern_0");
  /* Hand-worked: member 0 on chr1: [100+2, 100+12) '+'; member 1 on example 2
   * (chrX:1000-1024), window [10, 20) read reverse-complemented: [1010, 1020) '-'. */
  int64_t gs[2], ge[2];
  hsize_t d2 = 2;
  check_ds(f, "neg_patterns/pattern_0/seqlets/genomic_start", 1, &d2, H5T_INTEGER, 8, H5T_NATIVE_INT64, gs);
  check_ds(f, "neg_patterns/pattern_0/seqlets/genomic_end", 1, &d2, H5T_INTEGER, 8, H5T_NATIVE_INT64, ge);
  CHECK(gs[0] == 102 && ge[0] == 112 && gs[1] == 1010 && ge[1] == 1020, "genomic %lld-%lld %lld-%lld",
        (long long)gs[0], (long long)ge[0], (long long)gs[1], (long long)ge[1]);
  char st[2];
  check_ds(f, "neg_patterns/pattern_0/seqlets/strand", 1, &d2, H5T_STRING, 1, 0, NULL);
  hid_t ds = H5Dopen2(f, "neg_patterns/pattern_0/seqlets/strand", H5P_DEFAULT);
  hid_t ty = H5Dget_type(ds);
  CHECK(H5Dread(ds, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT, st) >= 0 && st[0] == '+' && st[1] == '-',
        "strands %c%c", st[0], st[1]);
  H5Tclose(ty);
  H5Dclose(ds);
  char *cv[2] = {NULL, NULL};
  check_ds(f, "neg_patterns/pattern_0/seqlets/chrom", 1, &d2, H5T_STRING, 0, 0, NULL);
  ds = H5Dopen2(f, "neg_patterns/pattern_0/seqlets/chrom", H5P_DEFAULT);
  ty = H5Dget_type(ds);
  CHECK(H5Tis_variable_str(ty) > 0, "chrom is a variable-length string");
  CHECK(H5Dread(ds, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT, cv) >= 0 && cv[0] && cv[1] &&
            strcmp(cv[0], "chr1") == 0 && strcmp(cv[1], "chrX") == 0,
        "chroms");
  hid_t sp = H5Dget_space(ds);
  H5Dvlen_reclaim(ty, sp, H5P_DEFAULT, cv);
  H5Sclose(sp);
  H5Tclose(ty);
  H5Dclose(ds);
  H5Fclose(f);

  /* 3. an unwritable path fails and leaves nothing. */
  char bad[160];
  snprintf(bad, sizeof bad, "%s/no/such/dir/m.h5", dir);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  CHECK(dm_modisco_h5_write(bad, &t, &pos, &neg, NULL, NULL) < 0, "bad path fails");

  remove(path);
  rmdir(dir);
  dm_pattern_destroy(p); /* frees q as its subpattern */
  return dm_test_summary("test_modisco_h5");
}
