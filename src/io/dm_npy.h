/* dm_npy: numpy .npy and .npz files (the inputs of tfmodisco-lite).
 *
 * .npy (numpy's documented format): the magic "\x93NUMPY", a version byte
 * pair, the header length (uint16 LE for 1.0, uint32 LE for 2.0 and 3.0),
 * then a Python dict literal
 *     {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and ended by '\n' so that the data starts at a multiple
 * of 64 bytes, then the elements in C order. We write version 1.0 (2.0 only
 * when the header would not fit in 65535 bytes) and read 1.0, 2.0 and 3.0.
 * Supported dtypes: '<f4', '<f8', '|u1' (also spelled '<u1'), '<i8', any
 * number of dimensions up to DM_NPY_MAX_DIMS. Fortran-order and big-endian
 * files are refused with a clear error.
 *
 * .npz: a zip of .npy members named "<name>.npy" (numpy.savez: arr_0,
 * arr_1, ...; numpy.savez_compressed: the same, deflated). Read with libzip,
 * stored or deflated; written stored or deflated.
 *
 * tfmodisco-lite wants one-hot and hypothetical scores as (N, 4, L) in
 * arr_0; dmotif keeps (N, L, 4): dm_npy_swap_last2 converts both ways.
 *
 * Every failure (missing file, bad magic, truncation, unsupported dtype,
 * shape mismatch, missing member) returns -1 after dm_log_error naming the
 * file (and the member for .npz).
 */
#ifndef DM_NPY_H
#define DM_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "dm_log.h"

#define DM_NPY_MAX_DIMS 8

typedef enum {
  DM_NPY_ANY = -1, /* for reading: keep the file's dtype */
  DM_NPY_F4,       /* '<f4' float */
  DM_NPY_F8,       /* '<f8' double */
  DM_NPY_U1,       /* '|u1' uint8_t */
  DM_NPY_I8,       /* '<i8' int64_t */
  DM_NPY_DTYPE_COUNT
} dm_npy_dtype_t;

/** An array in memory: C order, little-endian, data owned by the array. */
typedef struct {
  dm_npy_dtype_t dtype;
  int ndim;                       /* 0 .. DM_NPY_MAX_DIMS (0: a scalar) */
  int64_t shape[DM_NPY_MAX_DIMS]; /* shape[0 .. ndim-1] */
  void *data;                     /* (shape[0], ..., shape[ndim-1]) of dtype */
} dm_npy_array_t;

/** @return bytes per element of dtype (0 for DM_NPY_ANY). @param dtype a dtype */
size_t dm_npy_dtype_size(dm_npy_dtype_t dtype);

/** @return the numpy descr of dtype ("<f4", ...). @param dtype a concrete dtype */
const char *dm_npy_dtype_descr(dm_npy_dtype_t dtype);

/** @return number of elements (product of the shape; 1 for a scalar). @param a array */
int64_t dm_npy_count(const dm_npy_array_t *a);

/**
 * @brief Make a zero-filled array.
 * @param a     array to fill in
 * @param dtype element type
 * @param ndim  number of dimensions (0 .. DM_NPY_MAX_DIMS)
 * @param shape (ndim,) sizes, each >= 0
 * @return 0, or -1 (logged) for a bad dtype or shape; free with dm_npy_free()
 */
DM_RESULT_USED int dm_npy_alloc(dm_npy_array_t *a, dm_npy_dtype_t dtype, int ndim, const int64_t *shape);

/** @brief Free an array's data and zero the struct (NULL is fine). @param a array */
void dm_npy_free(dm_npy_array_t *a);

/**
 * @brief The .npy header (magic, version, length, dict, padding) for a.
 * @param a   array (dtype and shape used)
 * @param buf output buffer
 * @param cap size of buf
 * @return header length in bytes (a multiple of 64), or -1 if it does not fit
 */
long dm_npy_header(const dm_npy_array_t *a, char *buf, size_t cap);

/**
 * @brief Write a .npy file.
 * @param path file to create (truncated if it exists)
 * @param a    array
 * @return 0, or -1 after logging the I/O error
 */
DM_RESULT_USED int dm_npy_write(const char *path, const dm_npy_array_t *a);

/**
 * @brief Read a .npy file.
 * @param path  file
 * @param want  DM_NPY_ANY to keep the file's dtype; DM_NPY_F4 or DM_NPY_F8
 *              to convert from any supported dtype; DM_NPY_U1 or DM_NPY_I8
 *              to require that dtype
 * @param a     filled on success (free with dm_npy_free), zeroed on failure
 * @return 0, or -1 after logging why
 */
DM_RESULT_USED int dm_npy_read(const char *path, dm_npy_dtype_t want, dm_npy_array_t *a);

/**
 * @brief Write a .npz file of n arrays, members "<names[i]>.npy".
 * @param path     file to create (replaced if it exists)
 * @param n        number of arrays
 * @param names    (n,) member names without ".npy", e.g. "arr_0"
 * @param arrays   (n,) arrays
 * @param compress 1: deflate (as numpy.savez_compressed), 0: store (numpy.savez)
 * @return 0, or -1 after logging why
 */
DM_RESULT_USED int dm_npz_write(const char *path, int n, const char *const *names,
                                const dm_npy_array_t *arrays, int compress);

/**
 * @brief Read member "<name>.npy" of a .npz file (stored or deflated).
 * @param path file
 * @param name member name without ".npy", e.g. "arr_0"
 * @param want as for dm_npy_read
 * @param a    filled on success (free with dm_npy_free), zeroed on failure
 * @return 0, or -1 after logging why (naming file and member)
 */
DM_RESULT_USED int dm_npz_read(const char *path, const char *name, dm_npy_dtype_t want, dm_npy_array_t *a);

/**
 * @brief Check an array's rank and shape.
 * @param a     array
 * @param ndim  required number of dimensions
 * @param shape (ndim,) required sizes; -1 matches any size
 * @param what  file/member name for the error message
 * @return 0, or -1 after logging the expected and the actual shape
 */
DM_RESULT_USED int dm_npy_check_shape(const dm_npy_array_t *a, int ndim, const int64_t *shape,
                                      const char *what);

/**
 * @brief Swap the last two axes: in (n, a, b) -> out (n, b, a). Pure kernel;
 *        (N, L, 4) -> (N, 4, L) is (n=N, a=L, b=4), and back (n=N, a=4, b=L).
 * @param in   (n, a, b) elements of elem bytes
 * @param out  (n, b, a); must not overlap in
 * @param elem element size in bytes
 */
void dm_npy_swap_last2(const void *in, void *out, size_t elem, int64_t n, int64_t a, int64_t b);

#endif
