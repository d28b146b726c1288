/* dm_params: parameter files in "Section:key" form, read as YAML (libyaml).
 *
 *   Attr:                 # a section: a mapping of keys
 *     method: deeplift    # key: value; '#' comments, quotes as YAML has them
 *     tasks: [0, 1, 2]    # lists in flow style, or block style:
 *     # tasks:
 *     #   - 0
 *   Model: {file: m.json, weights: w.h5}   # a section in flow style
 *
 * Every command describes its parameters in a table of dm_param_spec_t
 * (key, type, default, doc). A file or a "-P Section:key=value" override
 * that names an unknown key, gives a value of the wrong type, gives a key
 * twice, or leaves a required key out is an error that names the file,
 * line and key. A relative DM_PARAM_PATH value read from a file names a
 * file relative to that parameter file's directory (it is stored as an
 * absolute path); from -P, relative to the working directory. Rank 0
 * reads, every rank receives the result (dm_params_load).
 *
 * One file may hold the parameters of several commands, each block under
 * the command's name (top-level keys in lower case, sections in them):
 *
 *   attr:
 *     Model: {file: m.h5}
 *   modisco:
 *     Seqlets: {window: 20}
 *
 * A set told its command (dm_params_set_command) reads its own block.
 */
#ifndef DM_PARAMS_H
#define DM_PARAMS_H

#include <stdint.h>
#include <stdio.h>

#include "dm_log.h"
#include "dm_mpi.h"
#include "dm_yaml.h"

typedef enum {
  DM_PARAM_INT,     /* signed integer (long) */
  DM_PARAM_FLOAT,   /* finite double */
  DM_PARAM_BOOL,    /* true/false, yes/no, on/off, 1/0 */
  DM_PARAM_STRING,  /* text; if choices is set, one of them */
  DM_PARAM_INTLIST, /* [1, 2, 3] or 1,2,3 */
  DM_PARAM_PATH,    /* a file name (read with dm_params_get_string / _optional) */
} dm_param_type_t;

/** One parameter of a command. */
typedef struct {
  const char *key;     /* "Section:key" */
  dm_param_type_t type;
  const char *def;     /* default as text; NULL: the key is required */
  const char *choices; /* for strings: "a|b|c", or NULL for any text */
  const char *doc;     /* one line, written next to the key in config files */
} dm_param_spec_t;

typedef struct dm_params_s dm_params_t;

/**
 * @brief Empty parameter set for the given spec table.
 * @param spec   table of parameters; must outlive the set
 * @param n_spec entries in spec
 * @return the set; free with dm_params_destroy()
 */
dm_params_t *dm_params_init(const dm_param_spec_t *spec, int n_spec);

/**
 * @brief Name the command the set is for, so that it reads the block of that
 *        name in a multi-command file.
 */
void dm_params_set_command(dm_params_t *p, const char *command);

/** @brief Free a set from dm_params_init (NULL is fine). */
void dm_params_destroy(dm_params_t *p);

/**
 * @brief Read a parameter file; later files and calls override earlier ones.
 * @return 0, or -1 after logging every problem with file:line and key
 */
DM_RESULT_USED int dm_params_read_file(dm_params_t *p, const char *path);

/**
 * @brief Apply a YAML tree of sections (a mapping of mappings) read from
 *        path, as dm_params_read_file does with the file's root; for files
 *        that hold parameters among other things (run manifests).
 * @param path the file the tree came from: for messages and relative paths
 * @return 0, or -1 after logging every problem with file:line and key
 */
DM_RESULT_USED int dm_params_read_yaml(dm_params_t *p, const dm_yaml_node_t *root, const char *path);

/**
 * @brief Apply one override "Section:key=value" (the -P option).
 * @return 0, or -1 after logging the problem
 */
DM_RESULT_USED int dm_params_set(dm_params_t *p, const char *assignment);

/**
 * @brief Check that every required key has a value.
 * @return 0, or -1 after logging each missing key
 */
DM_RESULT_USED int dm_params_check(const dm_params_t *p);

/**
 * @brief Read files and overrides on rank 0, check, and give every rank the
 *        same set. Collective.
 * @param files     parameter files in order (may be 0 of them)
 * @param overrides "Section:key=value" strings applied after the files
 * @return 0 on every rank, or -1 on every rank (rank 0 logged why)
 */
DM_RESULT_USED int dm_params_load(const dm_mpi_t *ctx, dm_params_t *p, char *const *files,
                                  int n_files, char *const *overrides, int n_overrides);

/* Getters: the value set, else the default. The key must be in the spec
 * with that type (a programming error otherwise: fatal). Values were
 * validated when set, so conversions cannot fail here. */
long dm_params_get_int(const dm_params_t *p, const char *key);
double dm_params_get_float(const dm_params_t *p, const char *key);
int dm_params_get_bool(const dm_params_t *p, const char *key);
/** @return the string; owned by p, or NULL for a required key never set */
const char *dm_params_get_string(const dm_params_t *p, const char *key);
/** @return an optional string (e.g. a file) whose value "none" means absent: the string, or NULL */
const char *dm_params_get_optional(const dm_params_t *p, const char *key);
/** @return number of elements; *out is malloc'd (free with free()), NULL if empty */
int dm_params_get_intlist(const dm_params_t *p, const char *key, long **out);

/**
 * @brief A string parameter holding a list of names (e.g. files) separated
 *        by commas or white space, "[a, b]" also.
 * @param out set to a malloc'd array of malloc'd names (NULL if none); free
 *            with dm_params_strlist_free()
 * @return number of names
 */
int dm_params_get_strlist(const dm_params_t *p, const char *key, char ***out);

/** @brief Free a list from dm_params_get_strlist (NULL is fine). */
void dm_params_strlist_free(char **list, int n);

/** @return 1 if the key was given in a file or override, 0 if defaulted. */
int dm_params_is_set(const dm_params_t *p, const char *key);

/**
 * @brief The parameters as a YAML file: every key with the value in use.
 * @param with_docs add each key's doc and default as a comment
 * @return malloc'd text; free with free()
 */
char *dm_params_to_yaml(const dm_params_t *p, int with_docs);

/**
 * @brief As dm_params_to_yaml, leaving out some keys: e.g. to compare the
 *        parameters that define a result, without those that only say where
 *        to write it or how fast.
 * @param skip NULL-terminated list of "Section:key", or "Section:" for a
 *             whole section; may be NULL
 * @return malloc'd text; free with free()
 */
char *dm_params_to_yaml_except(const dm_params_t *p, int with_docs, const char *const *skip);

/**
 * @brief Write dm_params_to_yaml(p, 1) to path.
 * @return 0, or -1 after logging the I/O error
 */
DM_RESULT_USED int dm_params_write(const dm_params_t *p, const char *path);

#endif
