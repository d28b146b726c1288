/* dm_output: the one policy every command applies to the files it writes.
 *
 *   1. An output that exists is refused unless Output:overwrite=true (or,
 *      for a resumable command, Output:resume=true: then the command
 *      continues it).
 *   2. An output may never be one of the run's inputs, nor another output
 *      of the same run, nor the temporary name of one. Files are compared
 *      by resolved path (symbolic links, also dangling ones, and "..") and,
 *      when both exist, by device and inode (hard links).
 *   3. An unusable output path (missing or unwritable directory, an output
 *      that is a directory) is found before any work starts.
 *   4. An output is written under a temporary name in its own directory,
 *      "<file>.tmp" (dm_output_tmpname), and renamed to its name once
 *      complete (dm_output_commit); on failure the temporary file is
 *      removed, so a file under the final name is always complete. A
 *      "<file>.tmp" left by a killed run is replaced by the next run.
 *      Resumable outputs (attr.h5) are the exception: they are written in
 *      place and carry their own complete/incomplete mark.
 *
 * Usage in a command (every rank calls; rank 0 checks and tells the rest):
 *
 *   dm_output_path_t in[] = {{"Input:attr", attr}, {NULL, NULL}};
 *   dm_output_path_t out[] = {{"Output:file", file}, {NULL, NULL}};
 *   dm_output_policy_t pol = dm_output_policy_from_params(p, 0);
 *   if (dm_output_check(ctx, &pol, in, out) < 0) return 2;
 *   ... write dm_output_tmpname(file), then dm_output_commit(tmp, file, ok) on rank 0
 *
 * The command's parameter table holds DM_OUTPUT_OVERWRITE_PARAM (and
 * Output:resume if it is resumable).
 */
#ifndef DM_OUTPUT_H
#define DM_OUTPUT_H

#include "dm_log.h"
#include "dm_mpi.h"
#include "dm_params.h"

/** The Output:overwrite entry of a command's parameter table. */
// clang-format off
#define DM_OUTPUT_OVERWRITE_PARAM                                                                  \
  {"Output:overwrite", DM_PARAM_BOOL, "false", NULL,                                               \
   "replace existing output files (an input of the run is never replaced)"}
// clang-format on

/** What the user allows for outputs that exist. */
typedef struct {
  int overwrite; /* Output:overwrite: an existing output is replaced */
  int resumable; /* the command has Output:resume (named in the refusal) */
  int resume;    /* Output:resume: an existing output is allowed, to be continued */
} dm_output_policy_t;

/** A file of the run and the parameter that names it. Arrays of these end
 * with an entry whose key is NULL; an entry whose path is NULL (not used in
 * this run) is skipped. */
typedef struct {
  const char *key;  /* "Output:file", "Input:attr", ... */
  const char *path; /* the file, or NULL */
} dm_output_path_t;

/**
 * @brief The policy from Output:overwrite (and Output:resume if resumable).
 * @param p         loaded parameters holding those keys
 * @param resumable 1 if the command's table has Output:resume
 */
dm_output_policy_t dm_output_policy_from_params(const dm_params_t *p, int resumable);

/**
 * @brief Apply rules 1-3 to the outputs of a run before it does any work.
 *        Collective over ctx: rank 0 checks and broadcasts the verdict;
 *        ctx NULL checks in this process alone.
 * @param ctx     ranks, or NULL
 * @param pol     what is allowed for existing outputs
 * @param inputs  files the run reads (NULL-key terminated; may be NULL)
 * @param outputs files the run writes (NULL-key terminated)
 * @return 0, or -1 on every rank after rank 0 logged each problem, naming
 *         the file and its key
 */
DM_RESULT_USED int dm_output_check(const dm_mpi_t *ctx, const dm_output_policy_t *pol,
                                   const dm_output_path_t *inputs, const dm_output_path_t *outputs);

/**
 * @brief The temporary name of an output: "<path>.tmp", in the same directory.
 * @return malloc'd string; free with free()
 */
char *dm_output_tmpname(const char *path);

/**
 * @brief Finish an output written under tmp: if ok, rename it to path
 *        (replacing an existing file, which dm_output_check allowed); if not
 *        ok, or the rename fails, remove tmp. Call on the one process that
 *        wrote it (or rank 0).
 * @param tmp  the temporary file (dm_output_tmpname(path))
 * @param path the final name
 * @param ok   1 if tmp is complete
 * @return 0 if tmp is now path; -1 if ok was 0, or after logging the
 *         rename failure
 */
DM_RESULT_USED int dm_output_commit(const char *tmp, const char *path, int ok);

#endif
