/* dm_target: attribution targets (see dm_target.h). */
#include "dm_target.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"

int dm_target_parse(const dm_model_t *m, const char *spec, dm_target_t *t) {
  memset(t, 0, sizeof *t);
  char buf[256];
  snprintf(buf, sizeof buf, "%s", spec);
  char *body = buf, *eq = strchr(buf, '=');
  if (eq) {
    *eq = 0;
    body = eq + 1;
  }
  const char *name = eq ? buf : spec;
  if (!*name || strlen(name) >= sizeof t->name || strchr(name, '/')) {
    dm_log_error("Attr:targets: '%s': bad task name (1 to %zu characters, no '/')", spec, sizeof t->name - 1);
    return -1;
  }
  memcpy(t->name, name, strlen(name) + 1); /* fits: checked above */
  char *colon = strrchr(body, ':');
  if (colon) *colon = 0;
  t->output = dm_graph_find_output(m, body);
  if (t->output < 0) {
    char list[512] = "";
    for (int o = 0; o < m->n_outputs; o++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", o ? ", " : "", m->outputs[o].name);
    dm_log_error("Attr:targets: '%s': model %s has no output '%s' (outputs: %s)", spec, m->source, body,
                 list);
    return -1;
  }
  long size = (long)dm_graph_size(m, m->outputs[t->output].tensor);
  if (colon && !strcmp(colon + 1, "profile")) {
    t->kind = DM_TARGET_PROFILE;
    return 0;
  }
  t->kind = DM_TARGET_UNIT;
  if (!colon) {
    if (size != 1) {
      dm_log_error("Attr:targets: '%s': output '%s' has %ld units; give one as %s:<unit>, or %s:profile",
                   spec, body, size, body, body);
      return -1;
    }
    return 0;
  }
  char *end;
  errno = 0;
  t->unit = strtol(colon + 1, &end, 10);
  if (errno || end == colon + 1 || *end || t->unit < 0 || t->unit >= size) {
    dm_log_error("Attr:targets: '%s': unit '%s' is not 'profile' or one of 0..%ld of output '%s'", spec,
                 colon + 1, size - 1, body);
    return -1;
  }
  return 0;
}

int dm_target_parse_list(const dm_model_t *m, const char *specs, dm_target_t **out) {
  char *copy = dm_strdup("targets", specs), *save = NULL;
  int n = 0;
  *out = NULL;
  for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ') tok++;
    size_t l = strlen(tok);
    while (l && tok[l - 1] == ' ') tok[--l] = 0;
    *out = dm_realloc("targets", *out, sizeof **out * (n + 1));
    if (dm_target_parse(m, tok, &(*out)[n])) goto fail;
    for (int k = 0; k < n; k++)
      if (!strcmp((*out)[k].name, (*out)[n].name)) {
        dm_log_error("Attr:targets: task name '%s' is given twice", tok);
        goto fail;
      }
    n++;
  }
  free(copy);
  if (n == 0) dm_log_error("Attr:targets: no target in '%s'", specs);
  return n ? n : -1;
fail:
  free(copy);
  free(*out);
  *out = NULL;
  return -1;
}

int dm_target_units(const dm_model_t *m, const long *units, int n_units, dm_target_t **out) {
  if (!n_units && m->n_outputs > 1) {
    *out = dm_calloc("targets", m->n_outputs, sizeof **out);
    for (int o = 0; o < m->n_outputs; o++) {
      dm_target_t *t = &(*out)[o];
      t->output = o;
      t->kind = dm_graph_size(m, m->outputs[o].tensor) == 1 ? DM_TARGET_UNIT : DM_TARGET_PROFILE;
      snprintf(t->name, sizeof t->name, "%s", m->outputs[o].name);
      for (char *c = t->name; *c; c++)
        if (*c == '/') *c = '_'; /* a task name is an HDF5 group name */
    }
    return m->n_outputs;
  }
  int n = n_units ? n_units : m->n_tasks;
  *out = dm_calloc("targets", n, sizeof **out);
  for (int k = 0; k < n; k++) {
    dm_target_t *t = &(*out)[k];
    t->unit = n_units ? units[k] : k;
    t->kind = DM_TARGET_UNIT;
    snprintf(t->name, sizeof t->name, "%ld", t->unit);
    int twice = 0;
    for (int u = 0; u < k; u++) twice |= (*out)[u].unit == t->unit;
    if (t->unit < 0 || t->unit >= m->n_tasks || twice) {
      if (twice) dm_log_error("Attr:tasks lists task %ld twice", t->unit);
      else
        dm_log_error("Attr:tasks: task %ld does not exist (model %s has tasks 0..%d)", t->unit, m->source,
                     m->n_tasks - 1);
      free(*out);
      *out = NULL;
      return -1;
    }
  }
  return n;
}

void dm_target_weights(const dm_model_t *m, const dm_target_t *t, int n, const float *z, float *w) {
  const dm_tensor_t *ot = &m->tensors[m->outputs[t->output].tensor];
  size_t sz = (size_t)ot->len * ot->ch;
  memset(w, 0, sizeof(float) * n * sz);
  if (t->kind == DM_TARGET_UNIT) {
    for (int b = 0; b < n; b++) w[(size_t)b * sz + t->unit] = 1.0f;
    return;
  }
  /* softmax groups: one over all units, or one per channel along the length */
  int per_ch = ot->len > 1 && ot->ch > 1;
  int groups = per_ch ? ot->ch : 1, width = per_ch ? ot->len : (int)sz;
  size_t step = per_ch ? (size_t)ot->ch : 1;
  for (int b = 0; b < n; b++)
    for (int g = 0; g < groups; g++) {
      const float *zg = z + (size_t)b * sz + g;
      float *wg = w + (size_t)b * sz + g;
      double mx = zg[0], s = 0.0;
      for (int k = 1; k < width; k++) mx = fmax(mx, zg[k * step]);
      for (int k = 0; k < width; k++) s += exp(zg[k * step] - mx);
      for (int k = 0; k < width; k++) wg[k * step] = (float)(exp(zg[k * step] - mx) / s - 1.0 / width);
    }
}
