/* This object's header. */
#include "dm_digest.h"

/* Standard headers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* OpenSSL's message digests. */
#include <openssl/evp.h>

int dm_digest_sha256_file(const char *path, char hex[65]) {
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    dm_log_error("%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned char buf[1 << 16], out[EVP_MAX_MD_SIZE];
  unsigned int n_out = 0;
  int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  for (size_t n; ok && (n = fread(buf, 1, sizeof buf, fp)) > 0;) ok = EVP_DigestUpdate(md, buf, n);
  ok = ok && !ferror(fp) && EVP_DigestFinal_ex(md, out, &n_out) && n_out == 32;
  EVP_MD_CTX_free(md);
  fclose(fp);
  if (!ok) {
    dm_log_error("%s: cannot compute SHA-256 (read error)", path);
    return -1;
  }
  for (unsigned i = 0; i < n_out; i++) snprintf(hex + 2 * i, 3, "%02x", out[i]);
  return 0;
}

int dm_digest_sha256_file_all(const dm_mpi_t *ctx, const char *path, char hex[65]) {
  int rc = 0;
  snprintf(hex, 65, "none");
  if (ctx->rank == 0 && path) rc = dm_digest_sha256_file(path, hex);
  DM_MPI_CHECK(MPI_Bcast(&rc, 1, MPI_INT, 0, ctx->comm));
  DM_MPI_CHECK(MPI_Bcast(hex, 65, MPI_CHAR, 0, ctx->comm));
  return rc;
}
