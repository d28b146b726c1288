/* This object's header. */
#include "dm_runs.h"

/* Standard headers. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* External headers. */
#include <hdf5.h>
#include <yaml.h>

/* Local headers. */
#include "dm_cmd.h"
#include "dm_digest.h"
#include "dm_h5.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_model.h"
#include "dm_params.h"
#include "dm_version.h"
#include "dm_yaml.h"

extern const dm_cmd_t dm_cmd_attr;
extern const dm_cmd_t dm_cmd_modisco;

#define USED_PARAMS "used_parameters.yml"
#define JOBS_FILE "slurm_jobs.tsv"

// --- small helpers

static char *join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *s = dm_malloc("path", n);
  snprintf(s, n, "%s/%s", a, b);
  return s;
}

/* Absolute form of a file name whose directory exists; NULL after logging. */
static char *absolute(const char *path) {
  char *copy = dm_strdup("path", path), *slash = strrchr(copy, '/'), dir[PATH_MAX];
  const char *base = slash ? slash + 1 : copy;
  if (slash) *slash = '\0';
  char *out = NULL;
  if (!realpath(slash ? (*copy ? copy : "/") : ".", dir))
    dm_log_error("%s: cannot resolve its directory: %s", path, strerror(errno));
  else
    out = join(dir, base);
  free(copy);
  return out;
}

static int mkdirs(const char *dir) {
  if (!*dir) return 0;
  char *d = dm_strdup("dir", dir);
  for (char *c = d + 1;; c++) {
    if (*c == '/' || !*c) {
      char end = *c;
      *c = '\0';
      if (mkdir(d, 0777) < 0 && errno != EEXIST) {
        dm_log_error("%s: cannot create directory: %s", d, strerror(errno));
        free(d);
        return -1;
      }
      if (!end) break;
      *c = end;
    }
  }
  free(d);
  return 0;
}

/* Write text to path through path.tmp and a rename. */
static int write_file(const char *path, const char *text) {
  char *tmp = dm_malloc("tmp name", strlen(path) + 5);
  sprintf(tmp, "%s.tmp", path);
  FILE *fp = fopen(tmp, "w");
  int rc = fp && fputs(text, fp) >= 0 ? 0 : -1;
  if (fp && fclose(fp) != 0) rc = -1;
  if (rc == 0 && rename(tmp, path) != 0) rc = -1;
  if (rc < 0) dm_log_error("%s: cannot write: %s", path, strerror(errno));
  free(tmp);
  return rc;
}

/* Append printf-style text to a growing string. */
static void appendf(char **s, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void appendf(char **s, size_t *n, const char *fmt, ...) {
  va_list ap, aq;
  va_start(ap, fmt);
  va_copy(aq, ap);
  int m = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  *s = dm_realloc("text", *s, *n + (size_t)m + 1);
  vsnprintf(*s + *n, (size_t)m + 1, fmt, aq);
  va_end(aq);
  *n += (size_t)m;
}

/* A list of integers of a manifest, or -1 after logging. */
static int read_tasks(const dm_yaml_node_t *v, const char *path, long **out) {
  if (v->kind != DM_YAML_SEQ) {
    dm_log_error("%s:%d: tasks: expected a list of task numbers such as [0, 2]", path, v->line);
    return -1;
  }
  *out = dm_malloc("tasks", ((size_t)v->n + 1) * sizeof **out);
  for (int i = 0; i < v->n; i++) {
    char *end = NULL;
    const dm_yaml_node_t *x = v->items[i];
    if (x->kind == DM_YAML_SCALAR) (*out)[i] = strtol(x->text, &end, 10);
    if (!end || end == x->text || *end || (*out)[i] < 0) {
      dm_log_error("%s:%d: tasks: item %d is not a task number", path, x->line, i + 1);
      free(*out);
      *out = NULL;
      return -1;
    }
  }
  return v->n;
}

/* Check that a mapping of the manifest has only the given keys. */
static int only_keys(const dm_yaml_node_t *m, const char *path, const char *what, const char *const *keys) {
  if (m->kind != DM_YAML_MAP) {
    dm_log_error("%s:%d: %s must be a mapping, not %s", path, m->line, what, dm_yaml_kind_name(m));
    return -1;
  }
  int rc = 0;
  for (int i = 0; i < m->n; i++) {
    int ok = 0;
    for (const char *const *k = keys; *k; k++) ok |= strcmp(m->keys[i], *k) == 0;
    if (!ok) {
      dm_log_error("%s:%d: %s: unknown key '%s'", path, m->key_lines[i], what, m->keys[i]);
      rc = -1;
    }
  }
  return rc;
}

// --- planning one run

/* Parameters of one stage: the defaults' block, then the run's block. */
static dm_params_t *stage_params(const dm_cmd_t *cmd, const dm_yaml_node_t *def, const dm_yaml_node_t *run,
                                 const char *path) {
  dm_params_t *p = dm_params_init(cmd->spec, cmd->n_spec);
  dm_params_set_command(p, cmd->name);
  const dm_yaml_node_t *blocks[2] = {dm_yaml_get(def, cmd->name), dm_yaml_get(run, cmd->name)};
  int rc = 0;
  for (int i = 0; i < 2; i++)
    if (blocks[i] && dm_params_read_yaml(p, blocks[i], path) < 0) rc = -1;
  if (rc < 0) {
    dm_params_destroy(p);
    return NULL;
  }
  return p;
}

/* Set a key the plan decides, refusing a value from a manifest (single: a
 * parameter file, whose value gives way). */
static int plan_key(dm_params_t *p, const char *key, const char *value, const char *what, int single) {
  if (dm_params_is_set(p, key) && !single) {
    dm_log_error("%s: %s is set by the plan (%s), not in the manifest", what, key, value);
    return -1;
  }
  char *a = dm_malloc("assignment", strlen(key) + strlen(value) + 2);
  sprintf(a, "%s=%s", key, value);
  int rc = dm_params_set(p, a);
  free(a);
  return rc;
}

/* The modisco tasks of a run: given, else Attr:tasks, else every task of the model. */
static int plan_tasks(dm_run_t *r, const dm_yaml_node_t *given, const char *path, const dm_params_t *ap) {
  if (given) return (r->n_tasks = read_tasks(given, path, &r->tasks)) < 0 ? -1 : 0;
  if ((r->n_tasks = dm_params_get_intlist(ap, "Attr:tasks", &r->tasks)) > 0) return 0;
  dm_model_t *m =
      dm_model_load(dm_params_get_string(ap, "Model:file"), dm_params_get_optional(ap, "Model:weights"));
  if (!m) return -1;
  r->n_tasks = m->n_tasks;
  r->tasks = dm_malloc("tasks", (size_t)r->n_tasks * sizeof *r->tasks);
  for (int t = 0; t < r->n_tasks; t++) r->tasks[t] = t;
  dm_model_destroy(m);
  return 0;
}

/* YAML text indented by two spaces, as a block under a key. */
static void append_block(char **s, size_t *n, const char *key, char *yaml) {
  appendf(s, n, "%s:\n", key);
  for (char *line = strtok(yaml, "\n"); line; line = strtok(NULL, "\n")) appendf(s, n, "  %s\n", line);
}

/* SHA-256 of a file, computed once per plan: runs of a manifest share
 * their genome and model. */
static int digest(const char *path, char hex[65]) {
  static struct {
    char *path;
    char hex[65];
  } cache[64];
  static int n_cache;
  for (int i = 0; i < n_cache; i++)
    if (strcmp(cache[i].path, path) == 0) return memcpy(hex, cache[i].hex, 65), 0;
  if (dm_digest_sha256_file(path, hex) < 0) return -1;
  if (n_cache < 64) { /* kept to the end of the process */
    cache[n_cache].path = dm_strdup("digest path", path);
    memcpy(cache[n_cache++].hex, hex, 65);
  }
  return 0;
}

/* provenance.yml: version, manifest, time, digests of the input files. */
static int write_provenance(const dm_run_t *r, const char *manifest, const dm_params_t *const ps[2]) {
  char *s = NULL, created[32];
  size_t n = 0;
  time_t now = time(NULL);
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  char mpi[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  unsigned h5[3];
  MPI_Get_library_version(mpi, &len);
  mpi[strcspn(mpi, "\n,")] = '\0';
  H5get_libversion(&h5[0], &h5[1], &h5[2]);
  appendf(
      &s, &n,
      "# what made run %s; its Slurm jobs are in %s\ntool: dmotif\nversion: %s\n"
      "libraries: {mpi: \"%s\", hdf5: %u.%u.%u, libyaml: %s}\nrun: %s\nmanifest: %s\nplanned: %s\ninputs:\n",
      r->name, JOBS_FILE, DM_VERSION, mpi, h5[0], h5[1], h5[2], yaml_get_version_string(), r->name, manifest,
      created);
  static const char *const keys[2][6] = {
      {"Model:file", "Model:weights", "Input:sequences", "Input:bed", "Input:genome", NULL},
      {"Input:onehot", "Input:hyp", NULL}};
  int rc = 0;
  for (int k = 0; k < 2; k++) {
    for (const char *const *key = keys[k]; *key; key++) {
      const char *f = dm_params_get_optional(ps[k], *key);
      char hex[65];
      if (!f) continue;
      if (digest(f, hex) < 0) {
        rc = -1;
        continue;
      }
      appendf(&s, &n, "  - {key: \"%s\", file: \"%s\", sha256: %s}\n", *key, f, hex);
    }
  }
  char *path = join(r->dir, "provenance.yml");
  if (rc == 0) rc = write_file(path, s);
  free(path);
  free(s);
  return rc;
}

/* Check one run's parameters and write its directory. */
static int plan_run(dm_run_t *r, const dm_yaml_node_t *def, const dm_yaml_node_t *run, const char *path,
                    int single) {
  dm_params_t *ap = stage_params(&dm_cmd_attr, def, run, path),
              *mp = stage_params(&dm_cmd_modisco, def, run, path);
  int rc = ap && mp ? 0 : -1;
  if (rc == 0 && !single) {
    r->attr_file = join(r->dir, "attr.h5");
    rc = plan_key(ap, "Output:file", r->attr_file, r->name, 0);
  } else if (rc == 0) {
    r->attr_file = dm_strdup("attr file", dm_params_get_string(ap, "Output:file"));
  }
  /* modisco reads the run's attr.h5; its task and output are set per task by the job */
  if (rc == 0 &&
      (plan_key(mp, "Input:attr", r->attr_file, r->name, single) < 0 ||
       (dm_params_is_set(mp, "Input:task") && plan_key(mp, "Input:task", "0", r->name, single) < 0) ||
       (dm_params_is_set(mp, "Output:file") &&
        plan_key(mp, "Output:file", "modisco_task<t>.h5", r->name, single) < 0)))
    rc = -1;
  if (rc == 0 && dm_params_check(ap) < 0) rc = -1;
  if (rc == 0) {
    const dm_yaml_node_t *given = dm_yaml_get(run, "tasks");
    rc = plan_tasks(r, given ? given : dm_yaml_get(def, "tasks"), path, ap);
  }
  if (rc == 0 && !dm_params_is_set(ap, "Attr:tasks")) { /* attr computes the tasks modisco reads */
    char list[4096] = "Attr:tasks=[";
    for (int t = 0; t < r->n_tasks; t++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%ld", t ? "," : "", r->tasks[t]);
    strncat(list, "]", sizeof list - strlen(list) - 1);
    rc = dm_params_set(ap, list);
  }
  if (rc == 0) rc = mkdirs(r->dir);
  if (rc == 0) {
    char *s = NULL, *ay = dm_params_to_yaml(ap, 0), *my = dm_params_to_yaml(mp, 0);
    size_t n = 0;
    appendf(&s, &n,
            "# run %s of %s: every parameter of each stage (dmotif <stage> -p %s reads its block);\n"
            "# modisco runs once per task, with Input:task=<t> and Output:file=%s/modisco_task<t>.h5\n",
            r->name, path, USED_PARAMS, r->dir);
    append_block(&s, &n, "attr", ay);
    append_block(&s, &n, "modisco", my);
    appendf(&s, &n, "tasks: [");
    for (int t = 0; t < r->n_tasks; t++) appendf(&s, &n, "%s%ld", t ? ", " : "", r->tasks[t]);
    appendf(&s, &n, "]\n");
    char *used = join(r->dir, USED_PARAMS);
    rc = write_file(used, s);
    free(used), free(s), free(ay), free(my);
  }
  const dm_params_t *ps[2] = {ap, mp};
  if (rc == 0) rc = write_provenance(r, path, ps);
  dm_params_destroy(ap);
  dm_params_destroy(mp);
  return rc;
}

static int valid_name(const char *s) {
  if (!*s || *s == '.') return 0;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && !strchr("._-", *s)) return 0;
  return 1;
}

/* Names and directories of a manifest's runs (runs->runs allocated). */
static int manifest_runs(const dm_yaml_node_t *root, const char *path, dm_runs_t *runs) {
  static const char *const top[] = {"output", "defaults", "runs", NULL},
                           *const defk[] = {"attr", "modisco", "tasks", NULL},
                           *const runk[] = {"name", "attr", "modisco", "tasks", NULL};
  const dm_yaml_node_t *out = dm_yaml_get(root, "output"), *def = dm_yaml_get(root, "defaults"),
                       *list = dm_yaml_get(root, "runs");
  if (only_keys(root, path, "manifest", top) < 0 || (def && only_keys(def, path, "defaults", defk) < 0))
    return -1;
  if (!out || out->kind != DM_YAML_SCALAR || !*out->text) {
    dm_log_error("%s: output: the directory of the runs is required (a file name)", path);
    return -1;
  }
  if (!list || list->kind != DM_YAML_SEQ || list->n == 0) {
    dm_log_error("%s:%d: runs: expected a list of runs", path, list ? list->line : 1);
    return -1;
  }
  char *base = out->text[0] == '/' ? dm_strdup("dir", out->text) : NULL;
  if (!base) {
    char *dir = dm_strdup("dir", path);
    *strrchr(dir, '/') = '\0';
    base = join(dir, out->text);
    free(dir);
  }
  runs->runs = dm_calloc("runs", (size_t)list->n, sizeof *runs->runs);
  runs->n = list->n;
  int rc = 0;
  for (int i = 0; i < list->n; i++) {
    const dm_yaml_node_t *run = list->items[i], *name = dm_yaml_get(run, "name");
    if (only_keys(run, path, "run", runk) < 0) {
      rc = -1;
      continue;
    }
    if (!name || name->kind != DM_YAML_SCALAR || !valid_name(name->text)) {
      dm_log_error("%s:%d: run %d: 'name' is required: letters, digits, '.', '_' and '-'", path, run->line,
                   i + 1);
      rc = -1;
      continue;
    }
    for (int j = 0; j < i; j++)
      if (runs->runs[j].name && strcmp(runs->runs[j].name, name->text) == 0) {
        dm_log_error("%s:%d: run name '%s' given twice", path, name->line, name->text);
        rc = -1;
      }
    runs->runs[i].name = dm_strdup("run name", name->text);
    runs->runs[i].dir = join(base, name->text);
  }
  free(base);
  return rc;
}

// --- the runs of a file or directory

int dm_runs_plan(const char *path, dm_runs_t *runs) {
  memset(runs, 0, sizeof *runs);
  char *abs = absolute(path);
  dm_yaml_node_t *root = abs ? dm_yaml_load(abs) : NULL;
  int rc = root ? 0 : -1;
  if (rc == 0 && dm_yaml_get(root, "runs")) { /* a manifest */
    rc = manifest_runs(root, abs, runs);
    const dm_yaml_node_t *def = dm_yaml_get(root, "defaults"), *list = dm_yaml_get(root, "runs");
    for (int i = 0; rc == 0 && i < runs->n; i++)
      if (plan_run(&runs->runs[i], def, list->items[i], abs, 0) < 0) rc = -1;
  } else if (rc == 0) { /* a parameter file: one run in the directory of its Output:file */
    dm_yaml_node_t wrap = {.kind = DM_YAML_MAP, .line = 1};
    int multi = dm_yaml_get(root, "attr") != NULL;
    char *key = "attr";
    if (!multi) { /* attr's sections alone: as the block attr: */
      wrap.n = 1, wrap.keys = &key, wrap.items = &root, wrap.key_lines = &wrap.line;
    }
    const dm_yaml_node_t *run = multi ? root : &wrap;
    dm_params_t *ap = stage_params(&dm_cmd_attr, NULL, run, abs);
    const char *out = ap ? dm_params_get_string(ap, "Output:file") : NULL;
    if (!out) {
      if (ap) dm_log_error("%s: Output:file (attr.h5) is required: its directory holds the run", abs);
      rc = -1;
    } else {
      runs->n = 1;
      runs->runs = dm_calloc("runs", 1, sizeof *runs->runs);
      char *outdir = dm_strdup("dir", out);
      *strrchr(outdir, '/') = '\0'; /* out is absolute: relative paths are joined to the file's directory */
      char *file = mkdirs(outdir) == 0 ? absolute(out) : NULL, *slash = file ? strrchr(file, '/') : NULL;
      free(outdir);
      if (!file)
        rc = -1;
      else {
        *slash = '\0';
        runs->runs[0].dir = dm_strdup("dir", file);
        runs->runs[0].name = dm_strdup("name", strrchr(file, '/') ? strrchr(file, '/') + 1 : file);
        rc = plan_run(&runs->runs[0], NULL, run, abs, 1);
      }
      free(file);
    }
    dm_params_destroy(ap);
  }
  dm_yaml_free(root);
  free(abs);
  return rc;
}

/* A run from its directory's used_parameters.yml; 0 if the directory has none. */
static int load_dir(const char *dir, dm_run_t *r) {
  char *used = join(dir, USED_PARAMS);
  int rc = 0;
  if (access(used, F_OK) == 0) {
    dm_yaml_node_t *root = dm_yaml_load(used);
    const dm_yaml_node_t *tasks = dm_yaml_get(root, "tasks");
    dm_params_t *ap = dm_params_init(dm_cmd_attr.spec, dm_cmd_attr.n_spec);
    dm_params_set_command(ap, "attr");
    if (!root || !tasks || dm_params_read_yaml(ap, root, used) < 0 ||
        (r->n_tasks = read_tasks(tasks, used, &r->tasks)) < 0) {
      dm_log_error("%s: not a run's parameters as dmotif plan writes them", used);
      rc = -1;
    } else {
      r->attr_file = dm_strdup("attr file", dm_params_get_string(ap, "Output:file"));
      rc = 1;
    }
    dm_params_destroy(ap);
    dm_yaml_free(root);
  }
  free(used);
  return rc;
}

int dm_runs_load(const char *path, dm_runs_t *runs) {
  memset(runs, 0, sizeof *runs);
  struct stat st;
  if (stat(path, &st) < 0) {
    dm_log_error("%s: %s", path, strerror(errno));
    return -1;
  }
  if (S_ISDIR(st.st_mode)) {
    dm_run_t one = {0};
    int got = load_dir(path, &one);
    if (got != 0) {
      one.dir = dm_strdup("dir", path);
      one.name = dm_strdup("name", strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
      runs->runs = dm_malloc("runs", sizeof one);
      runs->runs[0] = one;
      runs->n = 1;
      return got < 0 ? -1 : 0;
    }
    struct dirent **names = NULL; /* run directories, sorted by name */
    int n_names = scandir(path, &names, NULL, alphasort), rc = 0;
    for (int i = 0; i < n_names; i++) {
      char *dir = join(path, names[i]->d_name);
      dm_run_t r = {0};
      int g = names[i]->d_name[0] == '.' ? 0 : load_dir(dir, &r);
      if (g < 0) rc = -1;
      if (g > 0) {
        r.dir = dir, r.name = dm_strdup("name", names[i]->d_name);
        runs->runs = dm_realloc("runs", runs->runs, (size_t)(runs->n + 1) * sizeof r);
        runs->runs[runs->n++] = r;
      } else {
        free(dir);
      }
      free(names[i]);
    }
    free(names);
    if (runs->n == 0) dm_log_error("%s: holds no run (no %s here or in a subdirectory)", path, USED_PARAMS);
    return runs->n ? rc : -1;
  }
  char *abs = absolute(path);
  dm_yaml_node_t *root = abs ? dm_yaml_load(abs) : NULL;
  int rc = root && dm_yaml_get(root, "runs") ? manifest_runs(root, abs, runs) : -1;
  if (root && !dm_yaml_get(root, "runs")) dm_log_error("%s: not a manifest (no 'runs:')", path);
  for (int i = 0; rc == 0 && i < runs->n; i++)
    if (load_dir(runs->runs[i].dir, &runs->runs[i]) < 0) rc = -1;
  dm_yaml_free(root);
  free(abs);
  return rc;
}

void dm_runs_free(dm_runs_t *runs) {
  for (int i = 0; i < runs->n; i++) {
    dm_run_t *r = &runs->runs[i];
    free(r->name), free(r->dir), free(r->attr_file), free(r->tasks);
  }
  free(runs->runs);
  memset(runs, 0, sizeof *runs);
}

// --- states

/* Slurm jobs in the queue ("123" and array elements "123_4"), one per line. */
static char *queued_jobs(void) {
  char *s = dm_strdup("jobs", "\n");
  size_t n = 1;
  FILE *q = popen("squeue -h -r -o '%i' 2>/dev/null", "r");
  char line[256];
  while (q && fgets(line, sizeof line, q)) appendf(&s, &n, "%s", line);
  if (q) pclose(q);
  return s;
}

/* The last job recorded for a stage (task -1: attr) in the run's slurm_jobs.tsv, or "". */
static void last_job(const dm_run_t *r, long task, char job[64]) {
  char *path = join(r->dir, JOBS_FILE), line[512], stage[64], t[32], id[64];
  FILE *fp = fopen(path, "r");
  job[0] = '\0';
  while (fp && fgets(line, sizeof line, fp)) {
    if (sscanf(line, "%63s %31s %63s", stage, t, id) != 3) continue;
    int match = task < 0 ? strcmp(stage, "attr") == 0 : strcmp(stage, "modisco") == 0 && atol(t) == task;
    if (match) snprintf(job, 64, "%s", id);
  }
  if (fp) fclose(fp);
  free(path);
}

static int is_queued(const char *queue, const char *job) {
  char pat[80];
  snprintf(pat, sizeof pat, "\n%s\n", job);
  return *job && strstr(queue, pat) != NULL;
}

/* attr.h5: done if complete; else the chunks done in detail. */
static dm_run_state_t attr_file_state(const dm_mpi_t *ctx, const char *file, char *detail, size_t n) {
  if (access(file, F_OK) != 0) return DM_RUN_TODO;
  dm_h5_t *h = dm_h5_open(ctx, file, 0);
  char *status = NULL;
  dm_run_state_t st = DM_RUN_FAILED;
  if (!h || dm_h5_attr_get_string(h, "/", "status", &status) < 0) {
    snprintf(detail, n, "%s cannot be read", file);
  } else if (strcmp(status, "complete") == 0) {
    st = DM_RUN_DONE;
  } else {
    dm_h5_field_t f;
    int64_t rows = 0, k = 0;
    if (dm_h5_field_info(h, "/done", &f, &rows, NULL) == 0) {
      uint8_t *d = dm_calloc("done", (size_t)rows + 1, 1);
      f.type = DM_H5_U8;
      if (dm_h5_read_rows(h, &f, 0, rows, d, DM_H5_INDEPENDENT) == 0)
        for (int64_t c = 0; c < rows; c++) k += d[c] != 0;
      free(d);
    }
    snprintf(detail, n, "incomplete: %ld of %ld chunks done", (long)k, (long)rows);
  }
  free(status);
  if (h) (void)dm_h5_close(h);
  return st;
}

static const char *state_name(dm_run_state_t s) {
  static const char *const names[] = {"to do", "running", "done", "failed"};
  return names[s];
}

/* State of a stage of run r (task -1: attr), with a detail for people. */
static dm_run_state_t stage_state(const dm_run_t *r, long task, const char *queue, char *detail, size_t n) {
  char job[64], file[PATH_MAX];
  last_job(r, task, job);
  detail[0] = '\0';
  if (is_queued(queue, job)) {
    snprintf(detail, n, "Slurm job %s", job);
    return DM_RUN_RUNNING;
  }
  dm_run_state_t st;
  if (task < 0) {
    dm_mpi_t self;
    dm_mpi_init(&self, MPI_COMM_SELF);
    st = r->attr_file ? attr_file_state(&self, r->attr_file, detail, n) : DM_RUN_TODO;
  } else {
    snprintf(file, sizeof file, "%s/modisco_task%ld.h5", r->dir, task);
    st = access(file, F_OK) == 0 ? DM_RUN_DONE : DM_RUN_TODO;
  }
  if (st == DM_RUN_TODO && *job) {
    snprintf(detail, n, "Slurm job %s ended without its output", job);
    st = DM_RUN_FAILED;
  } else if (st == DM_RUN_FAILED && *job) {
    size_t m = strlen(detail);
    snprintf(detail + m, n - m, " (Slurm job %s ended)", job);
  }
  return st;
}

int dm_runs_print(const dm_runs_t *runs, int tsv) {
  char *queue = queued_jobs(), detail[512];
  int not_done = 0;
  if (!tsv) printf("%-20s %-12s %-8s %s\n", "run", "stage", "state", "detail");
  for (int i = 0; i < runs->n; i++) {
    const dm_run_t *r = &runs->runs[i];
    if (!r->attr_file && !tsv) {
      printf("%-20s %-12s %-8s %s\n", r->name, "all", "to do", "not planned yet (dmotif plan)");
      not_done++;
      continue;
    }
    for (int k = -1; k < r->n_tasks; k++) {
      long task = k < 0 ? -1 : r->tasks[k];
      dm_run_state_t st = stage_state(r, task, queue, detail, sizeof detail);
      not_done += st != DM_RUN_DONE;
      char stage[32];
      if (k < 0)
        snprintf(stage, sizeof stage, "attr");
      else
        snprintf(stage, sizeof stage, "modisco:%ld", task);
      if (tsv)
        printf("%s\t%s\t%s\t%ld\t%s\n", r->name, r->dir, k < 0 ? "attr" : "modisco", task, state_name(st));
      else
        printf("%-20s %-12s %-8s %s\n", r->name, stage, state_name(st), detail);
    }
  }
  fflush(stdout);
  free(queue);
  return not_done;
}

int dm_runs_arg(const dm_mpi_t *ctx, int argc, char **argv, const char *usage, const char **arg) {
  int help = argc == 2 && strcmp(argv[1], "--help") == 0;
  if (argc == 2 && argv[1][0] != '-') {
    *arg = argv[1];
    return 1;
  }
  if (ctx->rank == 0) fputs(usage, help ? stdout : stderr);
  return help ? 0 : -1;
}
