/* dm_digest: SHA-256 of a file (OpenSSL libcrypto), to record which model
 * produced a result. */
#ifndef DM_DIGEST_H
#define DM_DIGEST_H

#include "dm_log.h"

/**
 * @brief SHA-256 of a file's bytes as 64 lowercase hex digits.
 * @param path file to read
 * @param hex  (65,) output, NUL-terminated
 * @return 0, or -1 after logging the file that could not be read
 */
DM_RESULT_USED int dm_digest_sha256_file(const char *path, char hex[65]);

#endif
