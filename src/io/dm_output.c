/* This object's header. */
#include "dm_output.h"

/* Standard headers. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Local headers. */
#include "dm_mem.h"

/* What is known of one file of the run. */
typedef struct {
  const char *key, *path;
  char real[PATH_MAX]; /* resolved path; "" if its directory cannot be resolved */
  int exists;          /* stat() succeeded (symbolic links followed) */
  dev_t dev;
  ino_t ino;
} file_t;

dm_output_policy_t dm_output_policy_from_params(const dm_params_t *p, int resumable) {
  dm_output_policy_t pol = {.overwrite = dm_params_get_bool(p, "Output:overwrite"), .resumable = resumable};
  if (resumable) pol.resume = dm_params_get_bool(p, "Output:resume");
  return pol;
}

char *dm_output_tmpname(const char *path) {
  size_t n = strlen(path) + 5;
  char *tmp = dm_malloc("output tmp name", n);
  snprintf(tmp, n, "%s.tmp", path);
  return tmp;
}

int dm_output_commit(const char *tmp, const char *path, int ok) {
  if (ok && rename(tmp, path) == 0) return 0;
  if (ok) dm_log_error("%s: cannot rename to %s: %s", tmp, path, strerror(errno));
  remove(tmp);
  return -1;
}

// --- resolving files

/* The resolved name of path into out (PATH_MAX): realpath of the file if it
 * exists, else realpath of its directory + its base name; "" if neither
 * resolves. */
static void resolve_name(const char *path, char *out) {
  out[0] = 0;
  if (realpath(path, out)) return;
  char *d = dm_strdup("output dir", path), *b = dm_strdup("output base", path), dir[PATH_MAX];
  if (realpath(dirname(d), dir) &&
      snprintf(out, PATH_MAX, "%s/%s", strcmp(dir, "/") ? dir : "", basename(b)) >= PATH_MAX)
    out[0] = 0; /* too long to compare by name */
  free(d);
  free(b);
}

/* Resolve f->path; a dangling symbolic link resolves to where it points
 * (writing through it would create that file). */
static void resolve(file_t *f) {
  struct stat st;
  f->exists = stat(f->path, &st) == 0;
  f->dev = f->exists ? st.st_dev : 0;
  f->ino = f->exists ? st.st_ino : 0;
  char cur[PATH_MAX], target[PATH_MAX];
  snprintf(cur, sizeof cur, "%s", f->path);
  for (int hops = 0; !f->exists && hops < 8 && lstat(cur, &st) == 0 && S_ISLNK(st.st_mode); hops++) {
    ssize_t k = readlink(cur, target, sizeof target - 1);
    if (k < 0) break;
    target[k] = 0;
    char *d = dm_strdup("link dir", cur);
    int n = target[0] == '/' ? snprintf(cur, sizeof cur, "%s", target)
                             : snprintf(cur, sizeof cur, "%s/%s", dirname(d), target);
    free(d);
    if (n >= (int)sizeof cur) break;
  }
  resolve_name(cur, f->real);
}

static int same_file(const file_t *a, const file_t *b) {
  if (a->exists && b->exists && a->dev == b->dev && a->ino == b->ino) return 1;
  return a->real[0] && strcmp(a->real, b->real) == 0;
}

/* The files of a NULL-key terminated list that are used; *n of them. */
static file_t *load(const dm_output_path_t *list, int *n) {
  int cap = 0;
  for (int i = 0; list && list[i].key; i++) cap++;
  file_t *f = dm_calloc("run files", (size_t)cap + 1, sizeof *f);
  *n = 0;
  for (int i = 0; list && list[i].key; i++)
    if (list[i].path) {
      f[*n].key = list[i].key;
      f[*n].path = list[i].path;
      resolve(&f[(*n)++]);
    }
  return f;
}

// --- the checks

/* Rule 3: the output's directory exists and is writable; the output is not a directory. */
static int check_usable(const file_t *o) {
  char *d = dm_strdup("output dir", o->path);
  const char *dir = dirname(d);
  struct stat st;
  int rc = 0;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    dm_log_error("%s (%s): directory %s does not exist", o->path, o->key, dir);
    rc = -1;
  } else if (access(dir, W_OK | X_OK) != 0) {
    dm_log_error("%s (%s): directory %s is not writable: %s", o->path, o->key, dir, strerror(errno));
    rc = -1;
  } else if (o->exists && stat(o->path, &st) == 0 && S_ISDIR(st.st_mode)) {
    dm_log_error("%s (%s) is a directory, not a file", o->path, o->key);
    rc = -1;
  }
  free(d);
  return rc;
}

/* Rule 1: an existing output needs Output:overwrite (or Output:resume). */
static int check_exists(const dm_output_policy_t *pol, const file_t *o) {
  struct stat st;
  if (lstat(o->path, &st) != 0 || pol->overwrite || (pol->resumable && pol->resume)) return 0;
  if (pol->resumable)
    dm_log_error(
        "%s (%s) exists; set Output:resume=true to continue it, Output:overwrite=true to replace "
        "it, or choose another %s",
        o->path, o->key, o->key);
  else
    dm_log_error("%s (%s) exists; set Output:overwrite=true to replace it, or choose another %s", o->path,
                 o->key, o->key);
  return -1;
}

/* Rule 2 for output k: not an input, not another output, its temporary name not an input. */
static int check_distinct(const file_t *in, int n_in, const file_t *out, int k) {
  const file_t *o = &out[k];
  int rc = 0;
  char *tmpname = dm_output_tmpname(o->path);
  file_t tmp = {.key = o->key, .path = tmpname};
  resolve(&tmp);
  for (int i = 0; i < n_in; i++) {
    if (same_file(o, &in[i])) {
      dm_log_error("%s (%s) is the input %s (%s): an output may never replace an input; choose another %s",
                   o->path, o->key, in[i].path, in[i].key, o->key);
      rc = -1;
    } else if (same_file(&tmp, &in[i])) {
      dm_log_error("%s (%s) would be written as %s, which is the input %s (%s); choose another %s", o->path,
                   o->key, tmp.path, in[i].path, in[i].key, o->key);
      rc = -1;
    }
  }
  for (int j = 0; j < k; j++)
    if (same_file(o, &out[j])) {
      dm_log_error("%s (%s) and %s (%s) are the same file: two outputs of one run must differ", out[j].path,
                   out[j].key, o->path, o->key);
      rc = -1;
    }
  free(tmpname);
  return rc;
}

static int check_here(const dm_output_policy_t *pol, const dm_output_path_t *inputs,
                      const dm_output_path_t *outputs) {
  int n_in, n_out, rc = 0;
  file_t *in = load(inputs, &n_in), *out = load(outputs, &n_out);
  for (int k = 0; k < n_out; k++) {
    if (check_usable(&out[k]) < 0) {
      rc = -1;
      continue;
    }
    if (check_distinct(in, n_in, out, k) < 0 || check_exists(pol, &out[k]) < 0) rc = -1;
  }
  free(in);
  free(out);
  return rc;
}

int dm_output_check(const dm_mpi_t *ctx, const dm_output_policy_t *pol, const dm_output_path_t *inputs,
                    const dm_output_path_t *outputs) {
  int rc = 0;
  if (!ctx || ctx->rank == 0) rc = check_here(pol, inputs, outputs);
  if (ctx) DM_MPI_CHECK(MPI_Bcast(&rc, 1, MPI_INT, 0, ctx->comm));
  return rc;
}
