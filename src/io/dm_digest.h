/* dm_digest: SHA-256 of a file (OpenSSL libcrypto), to record which model
 * produced a result. */
#ifndef DM_DIGEST_H
#define DM_DIGEST_H

#include "dm_log.h"
#include "dm_mpi.h"

/**
 * @brief SHA-256 of a file's bytes as 64 lowercase hex digits.
 * @param path file to read
 * @param hex  (65,) output, NUL-terminated
 * @return 0, or -1 after logging the file that could not be read
 */
DM_RESULT_USED int dm_digest_sha256_file(const char *path, char hex[65]);

/**
 * @brief dm_digest_sha256_file on rank 0, the result broadcast. Collective.
 * @param ctx  ranks
 * @param path file to read, or NULL (hex = "none")
 * @param hex  (65,) output on every rank
 * @return 0 on every rank, or -1 on every rank after rank 0 logged the file
 */
DM_RESULT_USED int dm_digest_sha256_file_all(const dm_mpi_t *ctx, const char *path, char hex[65]);

#endif
