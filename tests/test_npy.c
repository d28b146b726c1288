/* dm_npy: .npy headers byte by byte against the format spec; files written
 * by tests/data/npy/make_fixtures.py (1.0/2.0/3.0 headers, Python 2 shapes,
 * an .npz from Python's zipfile); round trips of every dtype through .npy
 * and stored/deflated .npz; (N, L, 4) <-> (N, 4, L); bad files fail with an
 * error that names the file, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <zip.h>

#include "dm_log.h"
#include "dm_npy.h"
#include "dm_test.h"

#define FIX DM_TEST_DATA "/npy/"

static char tmpdir[] = "/tmp/dm_test_npy_XXXXXX";
static char logpath[300];
static int stderr_fd = -1; /* the real stderr while errors are captured */

static const char *tmp(const char *name) {
  static char path[4][300];
  static int k;
  k = (k + 1) % 4;
  snprintf(path[k], sizeof path[k], "%s/%s", tmpdir, name);
  return path[k];
}

static long file_bytes(const char *path, uint8_t *buf, long cap) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return -1;
  long n = (long)fread(buf, 1, (size_t)cap, fp);
  fclose(fp);
  return n;
}

static void write_bytes(const char *path, const void *buf, size_t n) {
  FILE *fp = fopen(path, "wb");
  fwrite(buf, 1, n, fp);
  fclose(fp);
}

/* Send stderr (the log) to logpath until end_capture(). */
static void begin_capture(void) {
  fflush(stderr);
  int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) dup2(fd, 2), close(fd);
}

static void end_capture(void) {
  fflush(stderr);
  dup2(stderr_fd, 2);
}

/* Did the call fail with -1 and log an error containing `needle`? */
static int fails_naming(int rc, const char *needle) {
  uint8_t log[4096];
  long n = file_bytes(logpath, log, sizeof log - 1);
  log[n > 0 ? n : 0] = 0;
  int ok = rc == -1 && strstr((char *)log, needle) != NULL;
  if (!ok) fprintf(stdout, "expected failure naming '%s': rc %d, log: %s\n", needle, rc, (char *)log);
  return ok;
}

#define EXPECT_FAIL(call, needle)                  \
  do {                                             \
    begin_capture();                               \
    int rc_ = (call);                              \
    end_capture();                                 \
    CHECK(fails_naming(rc_, needle), "%s", #call); \
  } while (0)

// --- headers and fixtures

static void test_header(void) {
  dm_npy_array_t a = {.dtype = DM_NPY_F4, .ndim = 2, .shape = {2, 3}};
  char buf[256];
  long n = dm_npy_header(&a, buf, sizeof buf);
  /* spec: magic, version 1.0, uint16 LE length, dict, spaces, '\n'; the data
   * starts at a multiple of 64: 10 + 59 (dict) + 58 spaces + 1 = 128 */
  const char dict[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  char want[128];
  memcpy(want, "\x93NUMPY\x01\x00\x76\x00", 10);
  CHECK(strlen(dict) == 59, "dict length");
  memcpy(want + 10, dict, 59);
  memset(want + 69, ' ', 58);
  want[127] = '\n';
  CHECK(n == 128, "header length %ld", n);
  int diff = -1;
  for (int i = 0; i < 128 && n == 128; i++)
    if (buf[i] != want[i]) {
      diff = i;
      break;
    }
  CHECK(n == 128 && diff < 0, "header differs from the spec at byte %d", diff);

  const struct {
    int ndim;
    int64_t shape[3];
    dm_npy_dtype_t t;
    const char *text;
  } cases[] = {
      {1, {5}, DM_NPY_U1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }"},
      {0, {0}, DM_NPY_F8, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }"},
      {3, {10, 4, 200}, DM_NPY_I8, "{'descr': '<i8', 'fortran_order': False, 'shape': (10, 4, 200), }"}};
  for (int c = 0; c < 3; c++) {
    dm_npy_array_t b = {.dtype = cases[c].t, .ndim = cases[c].ndim};
    memcpy(b.shape, cases[c].shape, sizeof cases[c].shape);
    n = dm_npy_header(&b, buf, sizeof buf);
    size_t tl = strlen(cases[c].text);
    uint16_t len;
    memcpy(&len, buf + 8, 2);
    CHECK(n > 0 && n % 64 == 0 && len == n - 10 && memcmp(buf + 10, cases[c].text, tl) == 0 &&
              buf[n - 1] == '\n' && strspn(buf + 10 + tl, " ") == (size_t)n - 11 - tl,
          "header of case %d", c);
  }
  CHECK(dm_npy_header(&a, buf, 100) == -1, "header into a short buffer");
}

static void test_fixtures(void) {
  dm_npy_array_t a;
  /* f8 (2, 3) = 0.5 * i: read, and our writer reproduces the file exactly */
  CHECK(dm_npy_read(FIX "f8_2x3.npy", DM_NPY_ANY, &a) == 0, "f8");
  CHECK(a.dtype == DM_NPY_F8 && a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3, "f8 shape");
  for (int i = 0; i < 6 && a.data; i++) CHECK(((double *)a.data)[i] == 0.5 * i, "f8[%d]", i);
  CHECK(dm_npy_write(tmp("f8.npy"), &a) == 0, "write");
  uint8_t x[512], y[512];
  long nx = file_bytes(FIX "f8_2x3.npy", x, sizeof x), ny = file_bytes(tmp("f8.npy"), y, sizeof y);
  CHECK(nx == 176 && nx == ny && memcmp(x, y, (size_t)nx) == 0, "written .npy differs from fixture");
  dm_npy_free(&a);
  CHECK(dm_npy_read(FIX "f8_2x3.npy", DM_NPY_F4, &a) == 0 && a.dtype == DM_NPY_F4, "f8 -> f4");
  for (int i = 0; i < 6 && a.data; i++) CHECK(((float *)a.data)[i] == 0.5f * i, "f4[%d]", i);
  dm_npy_free(&a);

  CHECK(dm_npy_read(FIX "u1_v2.npy", DM_NPY_U1, &a) == 0, "v2 u1");
  CHECK(a.ndim == 1 && a.shape[0] == 4 && memcmp(a.data, "\x00\x01\xfe\xff", 4) == 0, "u1 values");
  dm_npy_free(&a);
  CHECK(dm_npy_read(FIX "u1_v2.npy", DM_NPY_F4, &a) == 0, "u1 -> f4");
  CHECK(((float *)a.data)[2] == 254.0f && ((float *)a.data)[3] == 255.0f, "u1 -> f4 values");
  dm_npy_free(&a);

  CHECK(dm_npy_read(FIX "i8_v3.npy", DM_NPY_ANY, &a) == 0 && a.dtype == DM_NPY_I8, "v3 i8");
  CHECK(a.ndim == 2 && a.shape[0] == 3 && a.shape[1] == 1, "i8 shape");
  int64_t *iv = a.data;
  CHECK(iv[0] == -7 && iv[1] == 0 && iv[2] == (int64_t)1 << 40, "i8 values");
  dm_npy_free(&a);
  CHECK(dm_npy_read(FIX "i8_v3.npy", DM_NPY_F8, &a) == 0, "i8 -> f8");
  CHECK(((double *)a.data)[0] == -7.0 && ((double *)a.data)[2] == 1099511627776.0, "i8 -> f8 values");
  dm_npy_free(&a);

  CHECK(dm_npy_read(FIX "f4_scalar.npy", DM_NPY_F4, &a) == 0 && a.ndim == 0, "scalar");
  CHECK(dm_npy_count(&a) == 1 && ((float *)a.data)[0] == 3.25f, "scalar value");
  dm_npy_free(&a);
  CHECK(dm_npy_read(FIX "f4_py2.npy", DM_NPY_F4, &a) == 0, "python 2 header, 16-byte alignment");
  CHECK(a.ndim == 2 && a.shape[1] == 2 && ((float *)a.data)[3] == 4.0f, "py2 values");
  dm_npy_free(&a);

  /* .npz written by Python's zipfile: deflated arr_0 (2, 4, 3), stored arr_1 */
  CHECK(dm_npz_read(FIX "ohe.npz", "arr_0", DM_NPY_F4, &a) == 0, "ohe.npz arr_0");
  int64_t ncl[3] = {2, 4, 3};
  CHECK(dm_npy_check_shape(&a, 3, ncl, "ohe") == 0, "ohe shape");
  /* back to (N, L, 4): "ACG" and "TNA" */
  float nlc[24];
  dm_npy_swap_last2(a.data, nlc, sizeof(float), 2, 4, 3);
  const float want[24] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0};
  CHECK(memcmp(nlc, want, sizeof want) == 0, "ohe.npz content");
  dm_npy_free(&a);
  CHECK(dm_npz_read(FIX "ohe.npz", "arr_1", DM_NPY_ANY, &a) == 0 && a.dtype == DM_NPY_I8, "arr_1");
  CHECK(((int64_t *)a.data)[1] == 6, "arr_1 values");
  dm_npy_free(&a);
}

// --- round trips

static void fill(dm_npy_array_t *a, unsigned seed) {
  size_t bytes = (size_t)dm_npy_count(a) * dm_npy_dtype_size(a->dtype);
  for (size_t i = 0; i < bytes; i++) ((uint8_t *)a->data)[i] = (uint8_t)(seed * 31 + i * 7 + i / 13);
}

static int same(const dm_npy_array_t *a, const dm_npy_array_t *b) {
  if (a->dtype != b->dtype || a->ndim != b->ndim) return 0;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d]) return 0;
  return memcmp(a->data, b->data, (size_t)dm_npy_count(a) * dm_npy_dtype_size(a->dtype)) == 0;
}

static void test_round_trips(void) {
  const int64_t shapes[][4] = {{0}, {7}, {3, 5}, {2, 4, 9}, {2, 0, 3}, {3, 2, 2, 5}};
  const int ndims[] = {0, 1, 2, 3, 3, 4};
  dm_npy_array_t arr[DM_NPY_DTYPE_COUNT * 6];
  const char *names[DM_NPY_DTYPE_COUNT * 6];
  char name_buf[DM_NPY_DTYPE_COUNT * 6][16];
  int n = 0;
  for (int t = 0; t < DM_NPY_DTYPE_COUNT; t++)
    for (int s = 0; s < 6; s++, n++) {
      CHECK(dm_npy_alloc(&arr[n], (dm_npy_dtype_t)t, ndims[s], shapes[s]) == 0, "alloc");
      fill(&arr[n], (unsigned)n);
      dm_npy_array_t b;
      CHECK(dm_npy_write(tmp("rt.npy"), &arr[n]) == 0, "write");
      CHECK(dm_npy_read(tmp("rt.npy"), DM_NPY_ANY, &b) == 0 && same(&arr[n], &b), "npy round trip %d", n);
      dm_npy_free(&b);
      snprintf(name_buf[n], sizeof name_buf[n], "arr_%d", n);
      names[n] = name_buf[n];
    }
  for (int compress = 0; compress < 2; compress++) {
    const char *path = tmp(compress ? "rt_deflate.npz" : "rt_store.npz");
    CHECK(dm_npz_write(path, n, names, arr, compress) == 0, "npz write");
    /* members have the method asked for */
    zip_t *za = zip_open(path, ZIP_RDONLY, NULL);
    zip_stat_t st;
    CHECK(za && zip_stat(za, "arr_9.npy", 0, &st) == 0 &&
              st.comp_method == (compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE),
          "compression method");
    if (za) zip_discard(za);
    for (int i = 0; i < n; i++) {
      dm_npy_array_t b;
      CHECK(dm_npz_read(path, names[i], DM_NPY_ANY, &b) == 0 && same(&arr[i], &b), "npz round trip %d", i);
      dm_npy_free(&b);
    }
  }
  /* the same arrays twice give the same bytes (fixed timestamps) */
  uint8_t *x = malloc(1 << 16), *y = malloc(1 << 16);
  CHECK(dm_npz_write(tmp("again.npz"), n, names, arr, 1) == 0, "npz write");
  long nx = file_bytes(tmp("rt_deflate.npz"), x, 1 << 16), ny = file_bytes(tmp("again.npz"), y, 1 << 16);
  CHECK(nx > 0 && nx == ny && memcmp(x, y, (size_t)nx) == 0, "npz bytes not reproducible");
  free(x);
  free(y);
  for (int i = 0; i < n; i++) dm_npy_free(&arr[i]);
  dm_npy_free(NULL);
}

static void test_swap(void) {
  enum { N = 3, L = 7 };
  float x[N * L * 4], y[N * 4 * L], z[N * L * 4];
  for (int i = 0; i < N * L * 4; i++) x[i] = (float)i;
  dm_npy_swap_last2(x, y, sizeof(float), N, L, 4);
  int bad = 0;
  for (int n = 0; n < N; n++)
    for (int l = 0; l < L; l++)
      for (int c = 0; c < 4; c++) bad += y[(n * 4 + c) * L + l] != x[(n * L + l) * 4 + c];
  CHECK(bad == 0, "(N, L, 4) -> (N, 4, L): %d wrong", bad);
  dm_npy_swap_last2(y, z, sizeof(float), N, 4, L);
  CHECK(memcmp(x, z, sizeof x) == 0, "round trip of the transposition");
  uint8_t u[2 * 3 * 2] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, v[12];
  const uint8_t want[12] = {1, 3, 5, 2, 4, 6, 7, 9, 11, 8, 10, 12};
  dm_npy_swap_last2(u, v, 1, 2, 3, 2);
  CHECK(memcmp(v, want, 12) == 0, "uint8 transposition");
}

// --- bad files

static void test_bad(void) {
  dm_npy_array_t a;
  EXPECT_FAIL(dm_npy_read(tmp("missing.npy"), DM_NPY_ANY, &a), "missing.npy");
  EXPECT_FAIL(dm_npy_read(FIX "bad_magic.npy", DM_NPY_ANY, &a), "bad_magic.npy: not a .npy");
  EXPECT_FAIL(dm_npy_read(FIX "truncated.npy", DM_NPY_ANY, &a), "truncated.npy: truncated data");
  EXPECT_FAIL(dm_npy_read(FIX "trailing.npy", DM_NPY_ANY, &a), "trailing.npy: bytes after");
  EXPECT_FAIL(dm_npy_read(FIX "fortran.npy", DM_NPY_ANY, &a), "fortran.npy: Fortran-order");
  EXPECT_FAIL(dm_npy_read(FIX "big_endian.npy", DM_NPY_ANY, &a), "big_endian.npy: unsupported dtype '>f4'");
  EXPECT_FAIL(dm_npy_read(FIX "i4.npy", DM_NPY_ANY, &a), "i4.npy: unsupported dtype '<i4'");
  EXPECT_FAIL(dm_npy_read(FIX "huge_shape.npy", DM_NPY_ANY, &a), "huge_shape.npy: truncated data");
  EXPECT_FAIL(dm_npy_read(FIX "bad_header.npy", DM_NPY_ANY, &a), "bad_header.npy: malformed");
  EXPECT_FAIL(dm_npy_read(FIX "f8_2x3.npy", DM_NPY_U1, &a), "f8_2x3.npy: dtype <f8, expected |u1");
  CHECK(a.data == NULL && a.ndim == 0, "failed read leaves a zeroed array");
  EXPECT_FAIL(dm_npy_read(FIX "make_fixtures.py", DM_NPY_ANY, &a), "make_fixtures.py");

  /* every prefix of a valid file is an error, never a crash */
  uint8_t buf[256];
  long n = file_bytes(FIX "f8_2x3.npy", buf, sizeof buf);
  int ok = 1;
  begin_capture();
  for (long k = 0; k < n; k++) {
    write_bytes(tmp("cut.npy"), buf, (size_t)k);
    ok &= dm_npy_read(tmp("cut.npy"), DM_NPY_ANY, &a) == -1;
  }
  end_capture();
  CHECK(ok, "a truncated .npy was accepted");
  /* header lengths that lie */
  memcpy(buf + 8, "\xff\xff", 2);
  write_bytes(tmp("long_hdr.npy"), buf, (size_t)n);
  EXPECT_FAIL(dm_npy_read(tmp("long_hdr.npy"), DM_NPY_ANY, &a), "long_hdr.npy");
  buf[6] = 2; /* version 2.0: 4-byte length 0x????ffff */
  write_bytes(tmp("v2_hdr.npy"), buf, (size_t)n);
  EXPECT_FAIL(dm_npy_read(tmp("v2_hdr.npy"), DM_NPY_ANY, &a), "v2_hdr.npy");
  buf[6] = 9;
  write_bytes(tmp("v9.npy"), buf, (size_t)n);
  EXPECT_FAIL(dm_npy_read(tmp("v9.npy"), DM_NPY_ANY, &a), "v9.npy: unsupported .npy version 9.0");

  /* shape checks */
  CHECK(dm_npy_read(FIX "f8_2x3.npy", DM_NPY_F4, &a) == 0, "read");
  int64_t want[3] = {-1, 4, 3};
  EXPECT_FAIL(dm_npy_check_shape(&a, 3, want, "f8_2x3.npy"), "f8_2x3.npy: shape (2, 3), expected (*, 4, 3)");
  int64_t want2[2] = {2, -1};
  CHECK(dm_npy_check_shape(&a, 2, want2, "x") == 0, "wildcard shape");
  dm_npy_free(&a);

  /* .npz: not a zip, truncated zip, missing member, corrupt deflate stream */
  EXPECT_FAIL(dm_npz_read(FIX "f8_2x3.npy", "arr_0", DM_NPY_ANY, &a), "f8_2x3.npy: cannot open as .npz");
  EXPECT_FAIL(dm_npz_read(tmp("missing.npz"), "arr_0", DM_NPY_ANY, &a), "missing.npz");
  EXPECT_FAIL(dm_npz_read(FIX "ohe.npz", "arr_7", DM_NPY_ANY, &a),
              "ohe.npz: no member arr_7.npy (members: arr_0.npy, arr_1.npy)");
  uint8_t z[1024];
  long nz = file_bytes(FIX "ohe.npz", z, sizeof z);
  write_bytes(tmp("cut.npz"), z, (size_t)nz / 2);
  EXPECT_FAIL(dm_npz_read(tmp("cut.npz"), "arr_0", DM_NPY_ANY, &a), "cut.npz");
  /* flip bytes inside the deflated arr_0 data (local header is 30 + 9 bytes) */
  for (int i = 45; i < 60; i++) z[i] ^= 0x5a;
  write_bytes(tmp("corrupt.npz"), z, (size_t)nz);
  EXPECT_FAIL(dm_npz_read(tmp("corrupt.npz"), "arr_0", DM_NPY_ANY, &a), "corrupt.npz:arr_0.npy");
  /* a member that is not an .npy, in a zip made with libzip */
  zip_t *za = zip_open(tmp("notnpy.npz"), ZIP_CREATE | ZIP_TRUNCATE, NULL);
  zip_source_t *src = zip_source_buffer(za, "hello, world", 12, 0);
  CHECK(za && src && zip_file_add(za, "arr_0.npy", src, 0) == 0 && zip_close(za) == 0, "libzip");
  EXPECT_FAIL(dm_npz_read(tmp("notnpy.npz"), "arr_0", DM_NPY_ANY, &a), "notnpy.npz:arr_0.npy: not a .npy");
  /* a deflated member cut short */
  n = file_bytes(FIX "f8_2x3.npy", buf, sizeof buf);
  CHECK(n == 176, "fixture size");
  za = zip_open(tmp("short.npz"), ZIP_CREATE | ZIP_TRUNCATE, NULL);
  src = zip_source_buffer(za, buf, 150, 0);
  zip_int64_t idx = za && src ? zip_file_add(za, "arr_0.npy", src, 0) : -1;
  CHECK(idx == 0 && zip_set_file_compression(za, 0, ZIP_CM_DEFLATE, 0) == 0 && zip_close(za) == 0, "libzip");
  EXPECT_FAIL(dm_npz_read(tmp("short.npz"), "arr_0", DM_NPY_ANY, &a),
              "short.npz:arr_0.npy: truncated data (22 of 48 bytes)");
  dm_npy_array_t one;
  int64_t sh[1] = {4};
  CHECK(dm_npy_alloc(&one, DM_NPY_F4, 1, sh) == 0, "alloc");
  const char *nm = "x";
  EXPECT_FAIL(dm_npz_write(tmp("no_such_dir/x.npz"), 1, &nm, &one, 0), "no_such_dir/x.npz");
  EXPECT_FAIL(dm_npy_write(tmp("no_such_dir/x.npy"), &one), "no_such_dir/x.npy");
  dm_npy_free(&one);
  one.ndim = 1, one.shape[0] = 4;
  EXPECT_FAIL(dm_npy_write(tmp("nodata.npy"), &one), "nodata.npy: array without data");
  EXPECT_FAIL(dm_npz_write(tmp("nodata.npz"), 1, &nm, &one, 1), "nodata.npz: array 'x' without data");
  int64_t neg[1] = {-2};
  EXPECT_FAIL(dm_npy_alloc(&one, DM_NPY_F4, 1, neg), "bad array");
}

int main(void) {
  dm_log_init(0, DM_LOG_WARN);
  if (!mkdtemp(tmpdir)) return 2;
  snprintf(logpath, sizeof logpath, "%s/log.txt", tmpdir);
  stderr_fd = dup(2);
  test_header();
  test_fixtures();
  test_round_trips();
  test_swap();
  test_bad();
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
  if (system(cmd) != 0) printf("could not remove %s\n", tmpdir);
  return dm_test_summary("test_npy");
}
