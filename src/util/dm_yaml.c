/* This object's header. */
#include "dm_yaml.h"

/* Standard headers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* External headers. */
#include <yaml.h>

/* Local headers. */
#include "dm_mem.h"

/* One file being read. */
typedef struct {
  const char *path;
  yaml_parser_t parser;
} reader_t;

/* Next event; 0, or -1 after logging the syntax error. */
static int next_event(reader_t *r, yaml_event_t *ev) {
  if (yaml_parser_parse(&r->parser, ev)) return 0;
  const yaml_parser_t *ps = &r->parser;
  dm_log_error("%s:%zu: not valid YAML: %s%s%s", r->path, ps->problem_mark.line + 1,
               ps->problem ? ps->problem : "syntax error", ps->context ? " " : "",
               ps->context ? ps->context : "");
  return -1;
}

static dm_yaml_node_t *new_node(dm_yaml_kind_t kind, const yaml_event_t *ev) {
  dm_yaml_node_t *n = dm_calloc("yaml node", 1, sizeof *n);
  n->kind = kind;
  n->line = (int)ev->start_mark.line + 1;
  return n;
}

static void append(dm_yaml_node_t *parent, char *key, int key_line, dm_yaml_node_t *item) {
  int n = parent->n + 1;
  parent->items = dm_realloc("yaml items", parent->items, (size_t)n * sizeof *parent->items);
  parent->items[n - 1] = item;
  if (parent->kind == DM_YAML_MAP) {
    parent->keys = dm_realloc("yaml keys", parent->keys, (size_t)n * sizeof *parent->keys);
    parent->key_lines =
        dm_realloc("yaml key lines", parent->key_lines, (size_t)n * sizeof *parent->key_lines);
    parent->keys[n - 1] = key;
    parent->key_lines[n - 1] = key_line;
  }
  parent->n = n;
}

/* The node that starts with event ev (consumed), built recursively; path
 * names it in messages ("Input:file"). NULL after logging. */
static dm_yaml_node_t *build(reader_t *r, yaml_event_t *ev, const char *path) {
  dm_yaml_node_t *node = NULL;
  switch (ev->type) {
    case YAML_SCALAR_EVENT:
      node = new_node(DM_YAML_SCALAR, ev);
      node->text = dm_strdup("yaml scalar", (const char *)ev->data.scalar.value);
      node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
      break;
    case YAML_ALIAS_EVENT:
      dm_log_error("%s:%zu: %s: aliases (*name) are not supported", r->path, ev->start_mark.line + 1,
                   *path ? path : "top level");
      break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
      int is_map = ev->type == YAML_MAPPING_START_EVENT;
      yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
      node = new_node(is_map ? DM_YAML_MAP : DM_YAML_SEQ, ev);
      for (;;) {
        yaml_event_t e;
        if (next_event(r, &e) < 0) goto fail;
        if (e.type == end) {
          yaml_event_delete(&e);
          break;
        }
        char *key = NULL, sub[512];
        int key_line = (int)e.start_mark.line + 1;
        if (is_map) {
          if (e.type != YAML_SCALAR_EVENT) {
            dm_log_error("%s:%d: %s: a key must be plain text", r->path, key_line,
                         *path ? path : "top level");
            yaml_event_delete(&e);
            goto fail;
          }
          key = dm_strdup("yaml key", (const char *)e.data.scalar.value);
          yaml_event_delete(&e);
          snprintf(sub, sizeof sub, "%s%s%s", path, *path ? ":" : "", key);
          for (int i = 0; i < node->n; i++) {
            if (strcmp(node->keys[i], key) == 0) {
              dm_log_error("%s:%d: '%s' given twice (first at line %d)", r->path, key_line, sub,
                           node->key_lines[i]);
              free(key);
              goto fail;
            }
          }
          if (next_event(r, &e) < 0) {
            free(key);
            goto fail;
          }
        } else {
          snprintf(sub, sizeof sub, "%s[%d]", path, node->n);
        }
        dm_yaml_node_t *item = build(r, &e, sub);
        if (!item) {
          free(key);
          goto fail;
        }
        append(node, key, key_line, item);
      }
      break;
    }
    default:
      dm_log_error("%s:%zu: unexpected YAML event", r->path, ev->start_mark.line + 1);
  }
  yaml_event_delete(ev);
  return node;
fail:
  yaml_event_delete(ev);
  dm_yaml_free(node);
  return NULL;
}

dm_yaml_node_t *dm_yaml_load(const char *path) {
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    dm_log_error("%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  reader_t r = {.path = path};
  if (!yaml_parser_initialize(&r.parser)) dm_fatal("libyaml: cannot initialise a parser");
  yaml_parser_set_input_file(&r.parser, fp);
  dm_yaml_node_t *root = NULL;
  int docs = 0, ok = 1;
  for (;;) {
    yaml_event_t ev;
    if (next_event(&r, &ev) < 0) {
      ok = 0;
      break;
    }
    yaml_event_type_t type = ev.type;
    if (type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
      dm_log_error("%s:%zu: more than one YAML document ('---') in one file", path, ev.start_mark.line + 1);
      yaml_event_delete(&ev);
      ok = 0;
      break;
    }
    if (type == YAML_SCALAR_EVENT || type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT ||
        type == YAML_ALIAS_EVENT) {
      if (!(root = build(&r, &ev, ""))) {
        ok = 0;
        break;
      }
      continue;
    }
    yaml_event_delete(&ev);
    if (type == YAML_STREAM_END_EVENT) break;
  }
  yaml_parser_delete(&r.parser);
  fclose(fp);
  if (!ok) {
    dm_yaml_free(root);
    return NULL;
  }
  if (!root) { /* no document, or only comments */
    root = dm_calloc("yaml node", 1, sizeof *root);
    root->kind = DM_YAML_MAP;
    root->line = 1;
  }
  return root;
}

void dm_yaml_free(dm_yaml_node_t *node) {
  if (!node) return;
  for (int i = 0; i < node->n; i++) {
    dm_yaml_free(node->items[i]);
    if (node->keys) free(node->keys[i]);
  }
  free(node->items);
  free(node->keys);
  free(node->key_lines);
  free(node->text);
  free(node);
}

const dm_yaml_node_t *dm_yaml_get(const dm_yaml_node_t *node, const char *key) {
  if (!node || node->kind != DM_YAML_MAP) return NULL;
  for (int i = 0; i < node->n; i++)
    if (strcmp(node->keys[i], key) == 0) return node->items[i];
  return NULL;
}

const char *dm_yaml_kind_name(const dm_yaml_node_t *node) {
  return node->kind == DM_YAML_SCALAR ? "a value" : node->kind == DM_YAML_SEQ ? "a list" : "a mapping";
}
