/* dm_yaml: a YAML file as a small tree of scalars, sequences and mappings,
 * read with libyaml, every node with its line.
 *
 * The parameter files (dm_params) and the run manifests read their text
 * through this module, so both accept what YAML writers produce: block and
 * flow style, quoting, comments, a UTF-8 byte-order mark. Anchors and
 * aliases, several documents in one file and a key given twice in one
 * mapping are refused, naming the file, line and key.
 */
#ifndef DM_YAML_H
#define DM_YAML_H

#include "dm_log.h"

typedef enum { DM_YAML_SCALAR, DM_YAML_SEQ, DM_YAML_MAP } dm_yaml_kind_t;

/** One node. A mapping holds n (key, item) pairs; a sequence n items. */
typedef struct dm_yaml_node_s {
  dm_yaml_kind_t kind;
  int line;                      /* 1-based line where the node starts */
  char *text;                    /* scalar: its text (unquoted); NULL otherwise */
  int plain;                     /* scalar: 1 if it was written without quotes */
  int n;                         /* items */
  char **keys;                   /* mapping: (n,) keys; NULL otherwise */
  int *key_lines;                /* mapping: (n,) line of each key */
  struct dm_yaml_node_s **items; /* (n,) */
} dm_yaml_node_t;

/**
 * @brief Read a YAML file.
 * @return the root (an empty mapping for a file with no document); NULL
 *         after logging "path:line: problem" (cannot open, syntax error,
 *         alias, several documents, a key given twice)
 */
DM_RESULT_USED dm_yaml_node_t *dm_yaml_load(const char *path);

/** @brief Free a tree from dm_yaml_load (NULL is fine). */
void dm_yaml_free(dm_yaml_node_t *node);

/** @return the item of key in a mapping, or NULL (also when node is not a mapping). */
const dm_yaml_node_t *dm_yaml_get(const dm_yaml_node_t *node, const char *key);

/** @return "a scalar", "a list" or "a mapping", for messages. */
const char *dm_yaml_kind_name(const dm_yaml_node_t *node);

#endif
