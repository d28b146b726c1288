/* This object's header. */
#include "dm_params.h"

/* Standard headers. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Local headers. */
#include "dm_mem.h"
#include "dm_yaml.h"

struct dm_params_s {
  const dm_param_spec_t *spec; /* (n_spec,) */
  int n_spec;
  char **value;  /* (n_spec,) text or NULL when unset */
  char **source; /* (n_spec,) "file:line" or "-P", NULL when unset */
  char *command; /* the command whose block a multi-command file gives, or NULL */
};

// --- helpers

static int find_key(const dm_params_t *p, const char *key) {
  for (int i = 0; i < p->n_spec; i++)
    if (strcmp(p->spec[i].key, key) == 0) return i;
  return -1;
}

static char *trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  char *e = s + strlen(s);
  while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
  return s;
}

static int parse_bool(const char *v, int *out) {
  static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
  for (int i = 0; i < 4; i++) {
    if (strcasecmp(v, yes[i]) == 0) return *out = 1, 0;
    if (strcasecmp(v, no[i]) == 0) return *out = 0, 0;
  }
  return -1;
}

static int parse_long(const char *v, long *out) {
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || end == v || *trim(end)) return -1;
  *out = x;
  return 0;
}

/* Parse "[1, 2]" or "1,2" into out (may be NULL to validate only). */
static int parse_intlist(const char *v, long *out, int *n) {
  char *buf = dm_strdup("param list", v), *s = trim(buf);
  size_t len = strlen(s);
  if (len && s[0] == '[') {
    if (s[len - 1] != ']') goto fail;
    s[len - 1] = '\0';
    s++;
  }
  *n = 0;
  if (*trim(s) == '\0') return free(buf), 0;
  for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
    long x;
    if (parse_long(trim(tok), &x) < 0) goto fail;
    if (out) out[*n] = x;
    (*n)++;
  }
  free(buf);
  return 0;
fail:
  free(buf);
  return -1;
}

static int in_choices(const char *choices, const char *v) {
  size_t n = strlen(v);
  for (const char *c = choices; c && *c;) {
    const char *bar = strchr(c, '|');
    size_t len = bar ? (size_t)(bar - c) : strlen(c);
    if (len == n && strncmp(c, v, n) == 0) return 1;
    c = bar ? bar + 1 : c + len;
  }
  return 0;
}

/* 0 if v is a valid value for spec s, else -1 with a reason in why. */
static int validate(const dm_param_spec_t *s, const char *v, const char **why) {
  long l;
  int b, n;
  char *end;
  switch (s->type) {
  case DM_PARAM_INT:
    *why = "an integer";
    return parse_long(v, &l);
  case DM_PARAM_FLOAT: {
    errno = 0;
    double d = strtod(v, &end);
    *why = "a finite number";
    return (errno || end == v || *end || !isfinite(d)) ? -1 : 0;
  }
  case DM_PARAM_BOOL:
    *why = "true or false";
    return parse_bool(v, &b);
  case DM_PARAM_PATH:
    *why = "a file name";
    return *v ? 0 : -1;
  case DM_PARAM_STRING:
    *why = s->choices ? s->choices : "text";
    return (s->choices && !in_choices(s->choices, v)) ? -1 : 0;
  case DM_PARAM_INTLIST:
    *why = "a list of integers such as [0, 1]";
    return parse_intlist(v, NULL, &n);
  }
  return -1;
}

/* Unquote "..." or '...' in place. */
static char *unquote(char *v) {
  size_t n = strlen(v);
  if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
    v[n - 1] = '\0';
    return v + 1;
  }
  return v;
}

/* Set key=value from source; logs and returns -1 on an unknown key or bad value. */
static int set_value(dm_params_t *p, const char *key, const char *value, const char *source) {
  int i = find_key(p, key);
  if (i < 0) {
    dm_log_error("%s: unknown parameter '%s'", source, key);
    return -1;
  }
  const char *why = "";
  if (validate(&p->spec[i], value, &why) < 0) {
    dm_log_error("%s: parameter '%s' = '%s' is not %s", source, key, value, why);
    return -1;
  }
  free(p->value[i]);
  free(p->source[i]);
  p->value[i] = dm_strdup("param value", value);
  p->source[i] = dm_strdup("param source", source);
  return 0;
}

// --- life cycle

dm_params_t *dm_params_init(const dm_param_spec_t *spec, int n_spec) {
  dm_params_t *p = dm_calloc("params", 1, sizeof *p);
  p->spec = spec;
  p->n_spec = n_spec;
  p->value = dm_calloc("param values", (size_t)n_spec, sizeof *p->value);
  p->source = dm_calloc("param sources", (size_t)n_spec, sizeof *p->source);
  for (int i = 0; i < n_spec; i++) {
    const char *why = "";
    DM_ASSERT(strchr(spec[i].key, ':') && find_key(p, spec[i].key) == i);
    DM_ASSERT(!spec[i].def || validate(&spec[i], spec[i].def, &why) == 0);
  }
  return p;
}

void dm_params_destroy(dm_params_t *p) {
  if (!p) return;
  for (int i = 0; i < p->n_spec; i++) free(p->value[i]), free(p->source[i]);
  free(p->value);
  free(p->source);
  free(p->command);
  free(p);
}

// --- reading

/* "dir/value" for a relative path read from a file in dir; NULL to keep value. */
static char *resolve_path(const dm_param_spec_t *s, const char *value, const char *dir) {
  if (s->type != DM_PARAM_PATH || !dir || value[0] == '/' || strcmp(value, "none") == 0) return NULL;
  size_t n = strlen(dir) + strlen(value) + 2;
  char *out = dm_malloc("param path", n);
  snprintf(out, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", value);
  return out;
}

/* Set Section:key from a node of file path: a value, or a list of values for
 * a list parameter. Relative paths are taken from dir (NULL: as they are). */
static int set_node(dm_params_t *p, const char *key, const dm_yaml_node_t *v, const char *path, const char *dir) {
  char where[1100];
  snprintf(where, sizeof where, "%s:%d", path, v->line);
  int i = find_key(p, key);
  if (i < 0) return set_value(p, key, "", where); /* logs "unknown parameter" */
  if (v->kind == DM_YAML_MAP || (v->kind == DM_YAML_SEQ && p->spec[i].type != DM_PARAM_INTLIST)) {
    dm_log_error("%s: parameter '%s' takes one value, not %s", where, key, dm_yaml_kind_name(v));
    return -1;
  }
  if (v->kind == DM_YAML_SCALAR) {
    if (!*v->text) {
      dm_log_error("%s: parameter '%s' has no value", where, key);
      return -1;
    }
    char *resolved = resolve_path(&p->spec[i], v->text, dir);
    int rc = set_value(p, key, resolved ? resolved : v->text, where);
    free(resolved);
    return rc;
  }
  size_t cap = 3;
  for (int k = 0; k < v->n; k++) cap += (v->items[k]->text ? strlen(v->items[k]->text) : 0) + 2;
  char *list = dm_malloc("param list", cap);
  size_t m = (size_t)snprintf(list, cap, "[");
  for (int k = 0; k < v->n; k++) {
    if (v->items[k]->kind != DM_YAML_SCALAR) {
      dm_log_error("%s: parameter '%s': item %d is %s, not a value", where, key, k + 1, dm_yaml_kind_name(v->items[k]));
      free(list);
      return -1;
    }
    m += (size_t)snprintf(list + m, cap - m, "%s%s", k ? ", " : "", v->items[k]->text);
  }
  snprintf(list + m, cap - m, "]");
  int rc = set_value(p, key, list, where);
  free(list);
  return rc;
}

void dm_params_set_command(dm_params_t *p, const char *command) {
  free(p->command);
  p->command = dm_strdup("param command", command);
}

/* The block of p's command in a multi-command file (top-level keys in lower
 * case: attr:, modisco:, ...); the root itself for a file of sections. */
static const dm_yaml_node_t *command_block(const dm_params_t *p, const dm_yaml_node_t *root, const char *path) {
  char blocks[256] = "";
  for (int i = 0; root->kind == DM_YAML_MAP && i < root->n; i++)
    if (islower((unsigned char)root->keys[i][0]) && root->items[i]->kind == DM_YAML_MAP)
      snprintf(blocks + strlen(blocks), sizeof blocks - strlen(blocks), "%s%s:", *blocks ? ", " : "", root->keys[i]);
  if (!*blocks) return root;
  const dm_yaml_node_t *block = p->command ? dm_yaml_get(root, p->command) : NULL;
  if (!block) {
    dm_log_error("%s: holds blocks of commands (%s) but none for '%s' (sections are capitalised: Input:, ...)",
                 path, blocks, p->command ? p->command : "this command");
    return NULL;
  }
  return block;
}

int dm_params_read_yaml(dm_params_t *p, const dm_yaml_node_t *root, const char *path) {
  if (!(root = command_block(p, root, path))) return -1;
  if (root->kind != DM_YAML_MAP) {
    dm_log_error("%s:%d: expected sections ('Section:' followed by indented 'key: value' lines), got %s", path,
                 root->line, dm_yaml_kind_name(root));
    return -1;
  }
  /* relative paths are taken from the file's directory, made absolute so
   * that the stored parameters do not depend on the working directory */
  char *copy = dm_strdup("param dir", path), *slash = strrchr(copy, '/'), *dir = NULL;
  if (slash) *(slash == copy ? slash + 1 : slash) = '\0';
  if (!(dir = realpath(slash ? copy : ".", NULL))) dir = slash ? dm_strdup("param dir", copy) : NULL;
  free(copy);
  int rc = 0;
  for (int s = 0; s < root->n; s++) {
    const char *section = root->keys[s];
    const dm_yaml_node_t *keys = root->items[s];
    if (keys->kind == DM_YAML_SCALAR && !*keys->text) continue; /* an empty section */
    if (keys->kind != DM_YAML_MAP) {
      dm_log_error("%s:%d: '%s' at top level must be a section name followed by its keys, not %s", path,
                   root->key_lines[s], section, dm_yaml_kind_name(keys));
      rc = -1;
      continue;
    }
    for (int k = 0; k < keys->n; k++) {
      char key[600];
      snprintf(key, sizeof key, "%s:%s", section, keys->keys[k]);
      if (set_node(p, key, keys->items[k], path, dir) < 0) rc = -1;
    }
  }
  free(dir);
  return rc;
}

int dm_params_read_file(dm_params_t *p, const char *path) {
  dm_yaml_node_t *root = dm_yaml_load(path);
  if (!root) return -1;
  int rc = dm_params_read_yaml(p, root, path);
  dm_yaml_free(root);
  return rc;
}

int dm_params_set(dm_params_t *p, const char *assignment) {
  char *buf = dm_strdup("param override", assignment), *eq = strchr(buf, '=');
  int rc = -1;
  if (!eq || !strchr(buf, ':') || strchr(buf, ':') > eq) {
    dm_log_error("-P %s: expected Section:key=value", assignment);
  } else {
    *eq = '\0';
    char where[64];
    snprintf(where, sizeof where, "-P");
    rc = set_value(p, trim(buf), unquote(trim(eq + 1)), where);
  }
  free(buf);
  return rc;
}

int dm_params_check(const dm_params_t *p) {
  int rc = 0;
  for (int i = 0; i < p->n_spec; i++) {
    if (!p->spec[i].def && !p->value[i]) {
      dm_log_error("required parameter '%s' is missing (%s)", p->spec[i].key, p->spec[i].doc);
      rc = -1;
    }
  }
  return rc;
}

// --- distribution

/* Serialise the set values as "index\0value\0source\0" records. */
static char *pack(const dm_params_t *p, int64_t *len) {
  size_t cap = 64, n = 0;
  char *buf = dm_malloc("params pack", cap);
  for (int i = 0; i < p->n_spec; i++) {
    if (!p->value[i]) continue;
    char idx[16];
    snprintf(idx, sizeof idx, "%d", i);
    const char *parts[3] = {idx, p->value[i], p->source[i]};
    for (int k = 0; k < 3; k++) {
      size_t m = strlen(parts[k]) + 1;
      if (n + m > cap) buf = dm_realloc("params pack", buf, cap = 2 * (n + m));
      memcpy(buf + n, parts[k], m);
      n += m;
    }
  }
  *len = (int64_t)n;
  return buf;
}

static void unpack(dm_params_t *p, const char *buf, int64_t len) {
  for (const char *c = buf; c < buf + len;) {
    int i = atoi(c);
    c += strlen(c) + 1;
    DM_ASSERT(i >= 0 && i < p->n_spec);
    free(p->value[i]);
    free(p->source[i]);
    p->value[i] = dm_strdup("param value", c);
    c += strlen(c) + 1;
    p->source[i] = dm_strdup("param source", c);
    c += strlen(c) + 1;
  }
}

int dm_params_load(const dm_mpi_t *ctx, dm_params_t *p, char *const *files, int n_files,
                   char *const *overrides, int n_overrides) {
  int rc = 0;
  if (ctx->rank == 0) {
    for (int i = 0; i < n_files; i++)
      if (dm_params_read_file(p, files[i]) < 0) rc = -1;
    for (int i = 0; i < n_overrides; i++)
      if (dm_params_set(p, overrides[i]) < 0) rc = -1;
    if (dm_params_check(p) < 0) rc = -1;
  }
  DM_MPI_CHECK(MPI_Bcast(&rc, 1, MPI_INT, 0, ctx->comm));
  if (rc < 0) return -1;
  int64_t len = 0;
  char *buf = ctx->rank == 0 ? pack(p, &len) : NULL;
  dm_mpi_bcast_bytes(ctx, &buf, &len);
  if (ctx->rank != 0) unpack(p, buf, len);
  free(buf);
  return 0;
}

// --- getters

static const char *get(const dm_params_t *p, const char *key, dm_param_type_t type) {
  int i = find_key(p, key);
  if (i < 0) dm_fatal("parameter '%s' is not in this command's table", key);
  dm_param_type_t t = p->spec[i].type == DM_PARAM_PATH ? DM_PARAM_STRING : p->spec[i].type;
  if (t != type) dm_fatal("parameter '%s' read with the wrong type", key);
  return p->value[i] ? p->value[i] : p->spec[i].def;
}

long dm_params_get_int(const dm_params_t *p, const char *key) {
  const char *v = get(p, key, DM_PARAM_INT);
  return v ? strtol(v, NULL, 10) : 0;
}

double dm_params_get_float(const dm_params_t *p, const char *key) {
  const char *v = get(p, key, DM_PARAM_FLOAT);
  return v ? strtod(v, NULL) : 0.0;
}

int dm_params_get_bool(const dm_params_t *p, const char *key) {
  const char *v = get(p, key, DM_PARAM_BOOL);
  int b = 0;
  if (v) (void)parse_bool(v, &b);
  return b;
}

const char *dm_params_get_string(const dm_params_t *p, const char *key) {
  return get(p, key, DM_PARAM_STRING);
}

const char *dm_params_get_optional(const dm_params_t *p, const char *key) {
  const char *v = dm_params_get_string(p, key);
  return v && strcmp(v, "none") ? v : NULL;
}

int dm_params_get_intlist(const dm_params_t *p, const char *key, long **out) {
  const char *v = get(p, key, DM_PARAM_INTLIST);
  int n = 0;
  *out = NULL;
  if (!v || parse_intlist(v, NULL, &n) < 0 || n == 0) return 0;
  *out = dm_malloc("param list", (size_t)n * sizeof **out);
  (void)parse_intlist(v, *out, &n);
  return n;
}

int dm_params_get_strlist(const dm_params_t *p, const char *key, char ***out) {
  const char *v = dm_params_get_string(p, key);
  char *s = dm_strdup("param list", v ? v : ""), **list = NULL;
  int n = 0;
  for (char *tok = strtok(s, "[], \t"); tok; tok = strtok(NULL, "[], \t")) {
    list = dm_realloc("param list", list, (size_t)(n + 1) * sizeof *list);
    list[n++] = dm_strdup("param list item", tok);
  }
  free(s);
  *out = list;
  return n;
}

void dm_params_strlist_free(char **list, int n) {
  for (int i = 0; i < n && list; i++) free(list[i]);
  free(list);
}

int dm_params_is_set(const dm_params_t *p, const char *key) {
  int i = find_key(p, key);
  if (i < 0) dm_fatal("parameter '%s' is not in this command's table", key);
  return p->value[i] != NULL;
}

// --- writing

static int skipped(const char *key, const char *const *skip) {
  for (; skip && *skip; skip++) {
    size_t n = strlen(*skip);
    if ((*skip)[n - 1] == ':' ? strncmp(key, *skip, n) == 0 : strcmp(key, *skip) == 0) return 1;
  }
  return 0;
}

/* v as YAML reads it back: plain, or in double quotes (with '"' and '\\'
 * escaped) when plain text would read differently. */
static void yaml_value(const char *v, char *out, size_t n) {
  size_t len = strlen(v);
  int quote = !len || strchr("-?:,[]{}#&*!|>'\"%@` ", v[0]) || isspace((unsigned char)v[len - 1]) ||
              v[len - 1] == ':' || strstr(v, ": ") || strstr(v, " #") || strpbrk(v, "\"\\\t\r\n");
  if (!quote) {
    snprintf(out, n, "%s", v);
    return;
  }
  size_t m = 0;
  out[m++] = '"';
  for (; *v && m + 3 < n; v++) {
    if (*v == '"' || *v == '\\') out[m++] = '\\';
    out[m++] = *v;
  }
  out[m++] = '"';
  out[m] = '\0';
}

char *dm_params_to_yaml(const dm_params_t *p, int with_docs) {
  return dm_params_to_yaml_except(p, with_docs, NULL);
}

char *dm_params_to_yaml_except(const dm_params_t *p, int with_docs, const char *const *skip) {
  size_t cap = 4096, n = 0;
  char *out = dm_malloc("params yaml", cap);
  out[0] = '\0';
  char line[2048];
  const char *prev = NULL; /* last key written */
  for (int i = 0; i < p->n_spec; i++) {
    const dm_param_spec_t *s = &p->spec[i];
    if (skipped(s->key, skip)) continue;
    const char *colon = strchr(s->key, ':');
    int sec_len = (int)(colon - s->key);
    int new_section = !prev || strncmp(prev, s->key, (size_t)sec_len + 1) != 0;
    const char *v = p->value[i] ? p->value[i] : s->def;
    int m = 0;
    if (new_section) m += snprintf(line + m, sizeof line - m, "%s%.*s:\n", prev ? "\n" : "", sec_len, s->key);
    prev = s->key;
    if (with_docs) {
      m += snprintf(line + m, sizeof line - m, "  # %s", s->doc);
      if (s->choices) m += snprintf(line + m, sizeof line - m, " (%s)", s->choices);
      m += snprintf(line + m, sizeof line - m, s->def ? " [default: %s]\n" : " [required]%s\n",
                    s->def ? s->def : "");
    }
    char text[1024];
    if (v && (s->type == DM_PARAM_STRING || s->type == DM_PARAM_PATH))
      yaml_value(v, text, sizeof text);
    else if (v)
      snprintf(text, sizeof text, "%s", v);
    if (v)
      m += snprintf(line + m, sizeof line - m, "  %s: %s\n", colon + 1, text);
    else
      m += snprintf(line + m, sizeof line - m, "  # %s: <required>\n", colon + 1);
    if (m >= (int)sizeof line) m = (int)sizeof line - 1;
    if (n + (size_t)m + 1 > cap) out = dm_realloc("params yaml", out, cap = 2 * (n + (size_t)m + 1));
    memcpy(out + n, line, (size_t)m + 1);
    n += (size_t)m;
  }
  return out;
}

int dm_params_write(const dm_params_t *p, const char *path) {
  char *text = dm_params_to_yaml(p, 1);
  FILE *fp = fopen(path, "w");
  int rc = 0;
  if (!fp || fputs(text, fp) < 0) rc = -1;
  if (fp && fclose(fp) != 0) rc = -1;
  if (rc < 0) dm_log_error("%s: cannot write parameters: %s", path, strerror(errno));
  free(text);
  return rc;
}
