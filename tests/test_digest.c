/* SHA-256 of files against known digests (FIPS 180-2 "abc", the example
 * model's published sum), and a missing file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_digest.h"
#include "dm_test.h"

int main(void) {
  char hex[65], path[] = "/tmp/dm_test_digest_XXXXXX";
  FILE *fp = fdopen(mkstemp(path), "w");
  fputs("abc", fp);
  fclose(fp);
  CHECK(dm_digest_sha256_file(path, hex) == 0, "digest of abc");
  CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "abc: %s", hex);
  remove(path);
  CHECK(dm_digest_sha256_file(
            DM_TEST_DATA "/deeplift_example/keras2_conv1d_record_5_model_PQzyq_modelJson.json", hex) == 0,
        "digest of the example model");
  CHECK(strcmp(hex, "2917ffd75e5c5414da670be411cddc4dde932d0e20d51f6a26e3e82791dc4521") == 0, "model: %s",
        hex);
  CHECK(dm_digest_sha256_file("/nonexistent/file", hex) == -1, "missing file");
  return dm_test_summary("test_digest");
}
