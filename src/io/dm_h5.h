/* dm_h5: parallel HDF5 (MPI-IO) files of row-indexed datasets.
 *
 * Every dataset has N rows along its first dimension and a fixed per-row
 * shape, e.g. /onehot (N, L, 4) uint8 or /regions/chrom (N,) string. The
 * datasets of a file are described by a table of dm_h5_field_t. Datasets are
 * chunked along N (chunk_rows rows per chunk), allocated at creation (so any
 * rank may write any chunk independently), never filled, and carry no time
 * stamps: a file written by 1 rank is byte-identical to one written by 4.
 * Unwritten rows read back as zeros.
 *
 * Metadata calls (create, open, close, attribute writes) are collective over
 * the handle's communicator. Row I/O is either collective (every rank calls,
 * possibly with an empty range) or independent (any rank, any time).
 * Errors return negative codes after logging the file and dataset name.
 */
#ifndef DM_H5_H
#define DM_H5_H

#include <stdint.h>

#include "dm_log.h"
#include "dm_mpi.h"

/** Element types of fields and attributes. */
typedef enum {
  DM_H5_U8,
  DM_H5_I32,
  DM_H5_I64,
  DM_H5_F32,
  DM_H5_F64,
  DM_H5_STR, /* fixed-length string of str_len bytes, NUL-terminated/padded */
} dm_h5_type_t;

/** Most per-row dimensions of a field. */
#define DM_H5_MAX_DIMS 4

/** One dataset: N rows of shape dims[0..ndims). */
typedef struct {
  const char *name;             /* path, e.g. "/tasks/0/hyp"; groups are created */
  dm_h5_type_t type;            /* element type */
  int ndims;                    /* per-row rank, 0 for a scalar per row */
  int64_t dims[DM_H5_MAX_DIMS]; /* per-row shape, e.g. {L, 4} */
  int str_len;                  /* DM_H5_STR: bytes per string incl. NUL */
  const char *desc;             /* stored as attribute "description" */
} dm_h5_field_t;

/** Row transfer mode. */
typedef enum {
  DM_H5_COLLECTIVE,  /* every rank calls, with its own (possibly empty) rows */
  DM_H5_INDEPENDENT, /* this rank alone */
} dm_h5_mode_t;

typedef struct dm_h5_s dm_h5_t;

/**
 * @brief Create (truncate) a file and its datasets. Collective.
 * @param ctx        ranks sharing the file
 * @param path       file name
 * @param fields     (n_fields,) datasets to create
 * @param n_fields   entries in fields (may be 0)
 * @param n_rows     N, rows of every dataset
 * @param chunk_rows rows per chunk (> 0)
 * @return handle, or NULL on every rank after logging; free with dm_h5_close()
 */
DM_RESULT_USED dm_h5_t *dm_h5_create(const dm_mpi_t *ctx, const char *path, const dm_h5_field_t *fields,
                                     int n_fields, int64_t n_rows, int64_t chunk_rows);

/**
 * @brief Stop HDF5 from printing its error stack (tens of lines per error):
 *        dmotif logs one line per error, ending with HDF5's innermost message
 *        (dm_h5_error_detail). Call once, after MPI_Init.
 */
void dm_h5_quiet(void);

/**
 * @brief The innermost message of this thread's HDF5 error stack (where the
 *        library detected the problem), e.g. "truncated file: eof = 800, ...".
 *        Call right after the failing HDF5 call: the next call clears the stack.
 * @param buf output, "" when the stack is empty
 * @param n   bytes of buf
 * @return buf
 */
const char *dm_h5_error_detail(char *buf, size_t n);

/**
 * @brief Is there room for a new file at path holding n_rows rows of these
 *        datasets: free space on its file system, and the process's file size
 *        limit (ulimit -f)? Not collective; call on one rank before creating it.
 * @return 0, or -1 after logging that the disk is full (or the limit too low)
 */
DM_RESULT_USED int dm_h5_check_room(const char *path, const dm_h5_field_t *fields, int n_fields,
                                    int64_t n_rows);

/**
 * @brief Open an existing file and every dataset in it. Collective.
 * @param ctx      ranks sharing the file
 * @param path     file name
 * @param writable 1 read-write (resume, add attributes), 0 read-only
 * @return handle, or NULL on every rank after logging; free with dm_h5_close()
 */
DM_RESULT_USED dm_h5_t *dm_h5_open(const dm_mpi_t *ctx, const char *path, int writable);

/**
 * @brief Add datasets to an open writable file. Collective.
 * @param h          handle opened writable
 * @param fields     (n_fields,) datasets to create (names must be new)
 * @param n_fields   entries in fields
 * @param n_rows     N of the new datasets
 * @param chunk_rows rows per chunk (> 0)
 * @return 0, or negative after logging
 */
DM_RESULT_USED int dm_h5_add_fields(dm_h5_t *h, const dm_h5_field_t *fields, int n_fields, int64_t n_rows,
                                    int64_t chunk_rows);

/**
 * @brief Flush and close. Collective. NULL is fine.
 * @param h handle from dm_h5_create or dm_h5_open
 * @return 0, or negative if HDF5 reported an error on close
 */
int dm_h5_close(dm_h5_t *h);

/**
 * @brief Largest byte count of one MPI-IO transfer (default just under
 *        2 GiB); larger row ranges are split. For tests of the splitting.
 * @param h     handle
 * @param bytes new limit (values < 1 mean 1: one row per transfer)
 */
void dm_h5_set_max_transfer(dm_h5_t *h, int64_t bytes);

/**
 * @brief Describe a dataset of the file.
 * @param h          handle
 * @param name       dataset path
 * @param field      filled: name (= the argument), type, ndims, dims, str_len;
 *                   desc NULL
 * @param n_rows     rows (out; may be NULL)
 * @param chunk_rows rows per chunk (out; may be NULL)
 * @return 0, or negative if missing / of an unsupported type (logged)
 */
DM_RESULT_USED int dm_h5_field_info(dm_h5_t *h, const char *name, dm_h5_field_t *field, int64_t *n_rows,
                                    int64_t *chunk_rows);

/** @return 1 if object name (dataset or group) exists in the file of h, else 0. */
int dm_h5_exists(dm_h5_t *h, const char *name);

/**
 * @brief Write rows [a, b) of a field. The field's per-row shape must match
 *        the dataset's; its type is the type of buf (HDF5 converts).
 * @param h    handle opened writable
 * @param f    field (name, type of buf, per-row shape)
 * @param a    first row
 * @param b    one past the last row (a <= b <= N)
 * @param buf  (b-a, dims...) elements of f->type
 * @param mode DM_H5_COLLECTIVE: every rank calls (a == b for no rows);
 *             DM_H5_INDEPENDENT: this rank only
 * @return 0, or negative after logging file, dataset and rows
 */
DM_RESULT_USED int dm_h5_write_rows(dm_h5_t *h, const dm_h5_field_t *f, int64_t a, int64_t b, const void *buf,
                                    dm_h5_mode_t mode);

/**
 * @brief Read rows [a, b) of a field into buf (of f->type; HDF5 converts).
 * @param h    handle
 * @param f    field (name, type of buf, per-row shape)
 * @param a    first row
 * @param b    one past the last row (a <= b <= N)
 * @param buf  (b-a, dims...) elements of f->type (out)
 * @param mode DM_H5_COLLECTIVE or DM_H5_INDEPENDENT, as for dm_h5_write_rows
 * @return 0, or negative after logging file, dataset and rows
 */
DM_RESULT_USED int dm_h5_read_rows(dm_h5_t *h, const dm_h5_field_t *f, int64_t a, int64_t b, void *buf,
                                   dm_h5_mode_t mode);

/**
 * @brief Set a string attribute on an object ("/" for the file). Collective;
 *        every rank passes the same value. An existing attribute is replaced.
 * @param h     handle opened writable
 * @param obj   object path ("/" for the file, or a group or dataset)
 * @param name  attribute name
 * @param value text (may be empty)
 * @return 0, or negative after logging
 */
DM_RESULT_USED int dm_h5_attr_set_string(dm_h5_t *h, const char *obj, const char *name, const char *value);

/**
 * @brief Read a string attribute (fixed or variable length).
 * @param h     handle
 * @param obj   object path
 * @param name  attribute name
 * @param value malloc'd copy (out); free with free()
 * @return 0, or negative if missing (logged)
 */
DM_RESULT_USED int dm_h5_attr_get_string(dm_h5_t *h, const char *obj, const char *name, char **value);

/**
 * @brief Set a scalar numeric attribute. Collective; same value on every rank.
 * @param h     handle opened writable
 * @param obj   object path
 * @param name  attribute name
 * @param type  DM_H5_U8 .. DM_H5_F64
 * @param value one element of type
 * @return 0, or negative after logging
 */
DM_RESULT_USED int dm_h5_attr_set_scalar(dm_h5_t *h, const char *obj, const char *name, dm_h5_type_t type,
                                         const void *value);

/**
 * @brief Read a scalar numeric attribute, converted to type.
 * @param h     handle
 * @param obj   object path
 * @param name  attribute name
 * @param type  DM_H5_U8 .. DM_H5_F64, the type of *value
 * @param value one element (out)
 * @return 0, or negative if missing (logged)
 */
DM_RESULT_USED int dm_h5_attr_get_scalar(dm_h5_t *h, const char *obj, const char *name, dm_h5_type_t type,
                                         void *value);

#endif
