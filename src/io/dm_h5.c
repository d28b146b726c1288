/* dm_h5: parallel HDF5 (MPI-IO) files of row-indexed datasets. */
#include "dm_h5.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <hdf5.h>

#include "dm_mem.h"

/* Largest single MPI-IO transfer (ROMIO counts bytes in an int). */
#define DM_H5_DEFAULT_MAX_TRANSFER ((int64_t)2147483647 - (1 << 20))

/* Chunks are limited to 4 GiB by HDF5. */
#define DM_H5_MAX_CHUNK_BYTES ((int64_t)4 << 30)

typedef struct {
  char *name; /* path without the leading '/' */
  hid_t id;
} open_dset_t;

struct dm_h5_s {
  hid_t file;
  char *path;
  MPI_Comm comm;
  int writable;
  int64_t max_transfer;
  open_dset_t *dsets; /* (n_dsets,) every dataset, opened collectively */
  int n_dsets;
};

// --- helpers

/* HDF5 type of a field type: little-endian in the file, native in memory
 * (the same on the machines we run on). Strings are new types: close_type(). */
static hid_t h5_type(dm_h5_type_t t, int str_len, int native) {
  switch (t) {
    case DM_H5_U8:
      return native ? H5T_NATIVE_UINT8 : H5T_STD_U8LE;
    case DM_H5_I32:
      return native ? H5T_NATIVE_INT32 : H5T_STD_I32LE;
    case DM_H5_I64:
      return native ? H5T_NATIVE_INT64 : H5T_STD_I64LE;
    case DM_H5_F32:
      return native ? H5T_NATIVE_FLOAT : H5T_IEEE_F32LE;
    case DM_H5_F64:
      return native ? H5T_NATIVE_DOUBLE : H5T_IEEE_F64LE;
    case DM_H5_STR: {
      hid_t s = H5Tcopy(H5T_C_S1);
      H5Tset_size(s, (size_t)(str_len > 0 ? str_len : 1));
      H5Tset_strpad(s, H5T_STR_NULLTERM);
      return s;
    }
  }
  return -1;
}

static void close_type(dm_h5_type_t t, hid_t id) {
  if (t == DM_H5_STR && id >= 0) H5Tclose(id);
}

static size_t type_size(dm_h5_type_t t, int str_len) {
  static const size_t sizes[] = {1, 4, 8, 4, 8};
  return t == DM_H5_STR ? (size_t)str_len : sizes[t];
}

/* Elements per row of a field. */
static int64_t row_elems(const dm_h5_field_t *f) {
  int64_t n = 1;
  for (int d = 0; d < f->ndims; d++) n *= f->dims[d];
  return n;
}

static const char *skip_slash(const char *name) {
  while (*name == '/') name++;
  return name;
}

/* All ranks agree: 0 if every rank has ok == 0, else -1. Collective. */
static int agree(MPI_Comm comm, int rc) {
  int bad = rc < 0, any = 0;
  MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, comm);
  return any ? -1 : 0;
}

/* Object creation list without time stamps (reproducible files). */
static hid_t untimed_plist(hid_t cls) {
  hid_t pl = H5Pcreate(cls);
  H5Pset_obj_track_times(pl, 0);
  return pl;
}

static open_dset_t *find_dset(const dm_h5_t *h, const char *name) {
  name = skip_slash(name);
  for (int i = 0; i < h->n_dsets; i++)
    if (strcmp(h->dsets[i].name, name) == 0) return &h->dsets[i];
  return NULL;
}

static void keep_dset(dm_h5_t *h, const char *name, hid_t id) {
  h->dsets = dm_realloc("h5 datasets", h->dsets, (size_t)(h->n_dsets + 1) * sizeof *h->dsets);
  h->dsets[h->n_dsets].name = dm_strdup("h5 dataset name", skip_slash(name));
  h->dsets[h->n_dsets].id = id;
  h->n_dsets++;
}

/* Create the groups on the way to name (every '/'-separated prefix). */
static int make_groups(dm_h5_t *h, const char *name) {
  char *buf = dm_strdup("h5 path", skip_slash(name));
  int rc = 0;
  for (char *s = strchr(buf, '/'); s && rc == 0; s = strchr(s + 1, '/')) {
    *s = '\0';
    if (H5Lexists(h->file, buf, H5P_DEFAULT) <= 0) {
      hid_t gcpl = untimed_plist(H5P_GROUP_CREATE);
      hid_t g = H5Gcreate2(h->file, buf, H5P_DEFAULT, gcpl, H5P_DEFAULT);
      H5Pclose(gcpl);
      if (g < 0) {
        dm_log_error("%s: cannot create group /%s", h->path, buf);
        rc = -1;
      } else {
        H5Gclose(g);
      }
    }
    *s = '/';
  }
  free(buf);
  return rc;
}

/* MPI-IO access; metadata is flushed by one collective write, not by every rank. */
static hid_t file_access(MPI_Comm comm) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
  H5Pset_coll_metadata_write(fapl, 1);
  return fapl;
}

// --- errors

void dm_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* First record of an upward walk: the innermost error. */
static herr_t innermost(unsigned n, const H5E_error2_t *e, void *data) {
  char **out = data;
  if (n == 0 && e->desc) snprintf(out[0], (size_t)(out[1] - out[0]), "%s", e->desc);
  return 0;
}

const char *dm_h5_error_detail(char *buf, size_t n) {
  char *range[2] = {buf, buf + n};
  buf[0] = '\0';
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, range);
  return buf;
}

/* Did the last call fail for want of space, is the file system of path
 * (nearly) full, or is the file as large as the file size limit? */
static int disk_full(const char *path) {
  if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG) return 1;
  struct rlimit lim;
  struct stat st;
  if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY && stat(path, &st) == 0 &&
      (double)st.st_size >= (double)lim.rlim_cur)
    return 1;
  char *dir = dm_strdup("h5 dir", path);
  struct statvfs fs;
  int full = statvfs(dirname(dir), &fs) == 0 && (double)fs.f_bavail * (double)fs.f_frsize < (1 << 20);
  free(dir);
  return full;
}

/* The innermost HDF5 message, after a hint when writing failed and the disk of path is full. */
static const char *error_detail(const char *path, int writing, char *buf, size_t n) {
  char d[300];
  dm_h5_error_detail(d, sizeof d);
  int full = writing && disk_full(path);
  snprintf(buf, n, "%s%s%s", full ? "the disk is full or a file size limit was reached; " : "",
           d[0] ? "HDF5: " : "", d[0] ? d : "no detail from HDF5");
  return buf;
}

int dm_h5_check_room(const char *path, const dm_h5_field_t *fields, int n_fields, int64_t n_rows) {
  double bytes = 1 << 18; /* metadata */
  for (int i = 0; i < n_fields; i++)
    bytes +=
        (double)type_size(fields[i].type, fields[i].str_len) * (double)row_elems(&fields[i]) * (double)n_rows;
  char *dir = dm_strdup("h5 dir", path);
  struct statvfs fs;
  struct rlimit lim;
  double avail = statvfs(dirname(dir), &fs) == 0 ? (double)fs.f_bavail * (double)fs.f_frsize : INFINITY;
  double limit =
      getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY ? (double)lim.rlim_cur : INFINITY;
  int rc = 0;
  if (bytes > avail) {
    dm_log_error("%s: the disk is full: the file needs about %.3g MB, %s has %.3g MB free", path, bytes / 1e6,
                 dir, avail / 1e6);
    rc = -1;
  } else if (bytes > limit) {
    dm_log_error(
        "%s: the disk is full for this process: the file needs about %.3g MB, the file size limit "
        "(ulimit -f) is %.3g MB",
        path, bytes / 1e6, limit / 1e6);
    rc = -1;
  }
  free(dir);
  return rc;
}

static dm_h5_t *new_handle(const dm_mpi_t *ctx, const char *path, int writable) {
  dm_h5_t *h = dm_calloc("h5 handle", 1, sizeof *h);
  h->path = dm_strdup("h5 path", path);
  h->comm = ctx->comm;
  h->writable = writable;
  h->max_transfer = DM_H5_DEFAULT_MAX_TRANSFER;
  h->file = -1;
  return h;
}

// --- attributes (local helpers)

/* Create or replace attribute name of object obj; every rank calls. */
static int write_attr(dm_h5_t *h, const char *obj, const char *name, hid_t ftype, hid_t mtype,
                      const void *value) {
  hid_t space = H5Screate(H5S_SCALAR), a = -1;
  H5E_BEGIN_TRY {
    if (H5Aexists_by_name(h->file, obj, name, H5P_DEFAULT) > 0)
      H5Adelete_by_name(h->file, obj, name, H5P_DEFAULT);
    a = H5Acreate_by_name(h->file, obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  }
  H5E_END_TRY;
  int rc = a >= 0 && H5Awrite(a, mtype, value) >= 0 ? 0 : -1;
  if (rc < 0) dm_log_error("%s: cannot write attribute %s of %s", h->path, name, obj);
  if (a >= 0) H5Aclose(a);
  H5Sclose(space);
  return rc;
}

static int set_description(dm_h5_t *h, const dm_h5_field_t *f) {
  if (!f->desc) return 0;
  hid_t t = h5_type(DM_H5_STR, (int)strlen(f->desc) + 1, 0);
  int rc = write_attr(h, f->name, "description", t, t, f->desc);
  H5Tclose(t);
  return rc;
}

// --- create / open / close

/* Create one dataset and keep it open; not collective-checked. */
static int create_field(dm_h5_t *h, const dm_h5_field_t *f, int64_t n_rows, int64_t chunk_rows) {
  if (f->ndims < 0 || f->ndims > DM_H5_MAX_DIMS || (f->type == DM_H5_STR && f->str_len < 1)) {
    dm_log_error("%s: dataset %s: bad field description", h->path, f->name);
    return -1;
  }
  if (find_dset(h, f->name)) {
    dm_log_error("%s: dataset %s already exists", h->path, f->name);
    return -1;
  }
  hsize_t dims[DM_H5_MAX_DIMS + 1], maxdims[DM_H5_MAX_DIMS + 1], chunk[DM_H5_MAX_DIMS + 1];
  int64_t crow = chunk_rows < n_rows ? chunk_rows : (n_rows > 0 ? n_rows : 1);
  if ((int64_t)type_size(f->type, f->str_len) * row_elems(f) * crow > DM_H5_MAX_CHUNK_BYTES) {
    dm_log_error("%s: dataset %s: a chunk of %ld rows exceeds 4 GiB; lower the chunk rows", h->path, f->name,
                 (long)crow);
    return -1;
  }
  dims[0] = (hsize_t)n_rows;
  maxdims[0] = n_rows > 0 ? (hsize_t)n_rows : H5S_UNLIMITED;
  chunk[0] = (hsize_t)crow;
  for (int d = 0; d < f->ndims; d++) dims[d + 1] = maxdims[d + 1] = chunk[d + 1] = (hsize_t)f->dims[d];
  if (make_groups(h, f->name) < 0) return -1;
  hid_t space = H5Screate_simple(f->ndims + 1, dims, maxdims);
  hid_t dcpl = untimed_plist(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, f->ndims + 1, chunk);
  H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
  H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
  hid_t ftype = h5_type(f->type, f->str_len, 0);
  hid_t d = H5Dcreate2(h->file, f->name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  close_type(f->type, ftype);
  H5Pclose(dcpl);
  H5Sclose(space);
  if (d < 0) {
    dm_log_error("%s: cannot create dataset %s", h->path, f->name);
    return -1;
  }
  keep_dset(h, f->name, d);
  return set_description(h, f);
}

int dm_h5_add_fields(dm_h5_t *h, const dm_h5_field_t *fields, int n_fields, int64_t n_rows,
                     int64_t chunk_rows) {
  int rc = 0;
  if (!h->writable) {
    dm_log_error("%s: opened read-only, cannot add datasets", h->path);
    rc = -1;
  } else if (n_rows < 0 || chunk_rows < 1) {
    dm_log_error("%s: bad row count %ld or chunk rows %ld", h->path, (long)n_rows, (long)chunk_rows);
    rc = -1;
  }
  for (int i = 0; i < n_fields && rc == 0; i++) rc = create_field(h, &fields[i], n_rows, chunk_rows);
  return agree(h->comm, rc);
}

dm_h5_t *dm_h5_create(const dm_mpi_t *ctx, const char *path, const dm_h5_field_t *fields, int n_fields,
                      int64_t n_rows, int64_t chunk_rows) {
  dm_h5_t *h = new_handle(ctx, path, 1);
  hid_t fapl = file_access(ctx->comm);
  hid_t fcpl = untimed_plist(H5P_FILE_CREATE);
  char why[400] = "";
  H5E_BEGIN_TRY {
    h->file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
    if (h->file < 0) error_detail(path, 1, why, sizeof why);
  }
  H5E_END_TRY;
  H5Pclose(fcpl);
  H5Pclose(fapl);
  if (agree(ctx->comm, h->file < 0 ? -1 : 0) < 0) {
    if (h->file < 0 && ctx->rank == 0) dm_log_error("%s: cannot create HDF5 file (%s)", path, why);
    dm_h5_close(h);
    return NULL;
  }
  if (dm_h5_add_fields(h, fields, n_fields, n_rows, chunk_rows) < 0) {
    dm_h5_close(h);
    return NULL;
  }
  return h;
}

static herr_t visit_dset(hid_t obj, const char *name, const H5O_info_t *info, void *data) {
  dm_h5_t *h = data;
  if (info->type != H5O_TYPE_DATASET) return 0;
  hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
  if (d < 0) return -1;
  keep_dset(h, name, d);
  return 0;
}

dm_h5_t *dm_h5_open(const dm_mpi_t *ctx, const char *path, int writable) {
  dm_h5_t *h = new_handle(ctx, path, writable);
  hid_t fapl = file_access(ctx->comm);
  char why[400] = "";
  H5E_BEGIN_TRY {
    h->file = H5Fopen(path, writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl);
    if (h->file < 0) error_detail(path, writable, why, sizeof why);
  }
  H5E_END_TRY;
  H5Pclose(fapl);
  int rc = h->file < 0 ? -1 : 0;
  if (rc < 0 && ctx->rank == 0)
    dm_log_error("%s: cannot open HDF5 file %s (%s)", path, writable ? "read-write" : "read-only", why);
  if (rc == 0 && H5Ovisit(h->file, H5_INDEX_NAME, H5_ITER_INC, visit_dset, h) < 0) {
    dm_log_error("%s: cannot open its datasets (%s)", path, error_detail(path, 0, why, sizeof why));
    rc = -1;
  }
  if (agree(ctx->comm, rc) < 0) {
    dm_h5_close(h);
    return NULL;
  }
  return h;
}

int dm_h5_close(dm_h5_t *h) {
  if (!h) return 0;
  int rc = 0;
  for (int i = 0; i < h->n_dsets; i++) {
    if (H5Dclose(h->dsets[i].id) < 0) rc = -1;
    free(h->dsets[i].name);
  }
  free(h->dsets);
  char why[400] = "";
  if (rc < 0) error_detail(h->path, h->writable, why, sizeof why);
  if (h->file >= 0 && H5Fclose(h->file) < 0) rc = -1, error_detail(h->path, h->writable, why, sizeof why);
  if (rc < 0) dm_log_error("%s: error on close (%s)", h->path, why);
  free(h->path);
  free(h);
  return rc;
}


void dm_h5_set_max_transfer(dm_h5_t *h, int64_t bytes) { h->max_transfer = bytes > 0 ? bytes : 1; }

int dm_h5_exists(dm_h5_t *h, const char *name) {
  if (find_dset(h, name)) return 1;
  name = skip_slash(name);
  if (!*name) return 1;
  char *buf = dm_strdup("h5 path", name);
  int ok = 1;
  for (char *s = strchr(buf, '/');; s = strchr(s + 1, '/')) { /* parents first */
    if (s) *s = '\0';
    ok = H5Lexists(h->file, buf, H5P_DEFAULT) > 0;
    if (s) *s = '/';
    if (!ok || !s) break;
  }
  free(buf);
  return ok;
}

// --- dataset description

int dm_h5_field_info(dm_h5_t *h, const char *name, dm_h5_field_t *field, int64_t *n_rows,
                     int64_t *chunk_rows) {
  open_dset_t *od = find_dset(h, name);
  if (!od) {
    dm_log_error("%s: no dataset %s", h->path, name);
    return -1;
  }
  memset(field, 0, sizeof *field);
  field->name = name;
  hid_t t = H5Dget_type(od->id), space = H5Dget_space(od->id), dcpl = H5Dget_create_plist(od->id);
  H5T_class_t cls = H5Tget_class(t);
  size_t size = H5Tget_size(t);
  int rc = 0;
  if (cls == H5T_STRING && !H5Tis_variable_str(t)) {
    field->type = DM_H5_STR;
    field->str_len = (int)size;
  } else if (cls == H5T_INTEGER && size == 1) {
    field->type = DM_H5_U8;
  } else if (cls == H5T_INTEGER && size <= 4) {
    field->type = DM_H5_I32;
  } else if (cls == H5T_INTEGER) {
    field->type = DM_H5_I64;
  } else if (cls == H5T_FLOAT) {
    field->type = size <= 4 ? DM_H5_F32 : DM_H5_F64;
  } else {
    dm_log_error("%s: dataset %s has an unsupported type", h->path, name);
    rc = -1;
  }
  int nd = H5Sget_simple_extent_ndims(space);
  hsize_t dims[DM_H5_MAX_DIMS + 1], chunk[DM_H5_MAX_DIMS + 1];
  if (rc == 0 && (nd < 1 || nd > DM_H5_MAX_DIMS + 1)) {
    dm_log_error("%s: dataset %s has %d dimensions (1..%d supported)", h->path, name, nd, DM_H5_MAX_DIMS + 1);
    rc = -1;
  }
  if (rc == 0) {
    H5Sget_simple_extent_dims(space, dims, NULL);
    field->ndims = nd - 1;
    for (int d = 1; d < nd; d++) field->dims[d - 1] = (int64_t)dims[d];
    if (n_rows) *n_rows = (int64_t)dims[0];
    if (chunk_rows)
      *chunk_rows = H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, nd, chunk) == nd
                        ? (int64_t)chunk[0]
                        : (int64_t)dims[0];
  }
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Tclose(t);
  return rc;
}

// --- row I/O

/* Check f against the dataset; give its id and row count. */
static int check_field(dm_h5_t *h, const dm_h5_field_t *f, int64_t a, int64_t b, hid_t *id) {
  dm_h5_field_t info;
  int64_t n = 0;
  open_dset_t *od = find_dset(h, f->name);
  if (!od) {
    dm_log_error("%s: no dataset %s", h->path, f->name);
    return -1;
  }
  if (dm_h5_field_info(h, f->name, &info, &n, NULL) < 0) return -1;
  int same = info.ndims == f->ndims && (info.type == DM_H5_STR) == (f->type == DM_H5_STR);
  for (int d = 0; same && d < f->ndims; d++) same = info.dims[d] == f->dims[d];
  if (!same) {
    dm_log_error("%s: dataset %s: shape or type class in the file differs from the one expected", h->path,
                 f->name);
    return -1;
  }
  if (a < 0 || b < a || b > n) {
    dm_log_error("%s: dataset %s: rows [%ld, %ld) outside [0, %ld)", h->path, f->name, (long)a, (long)b,
                 (long)n);
    return -1;
  }
  *id = od->id;
  return 0;
}

/* One transfer of rows [a, a+cnt) (cnt may be 0: empty selection). */
static herr_t transfer(hid_t d, hid_t mtype, const dm_h5_field_t *f, int64_t a, int64_t cnt, void *buf,
                       hid_t dxpl, int write, const char *path, char *why, size_t n_why) {
  hsize_t start[DM_H5_MAX_DIMS + 1] = {0}, count[DM_H5_MAX_DIMS + 1], mdims[DM_H5_MAX_DIMS + 1];
  start[0] = (hsize_t)a;
  count[0] = (hsize_t)cnt;
  mdims[0] = (hsize_t)(cnt > 0 ? cnt : 1);
  for (int k = 0; k < f->ndims; k++) count[k + 1] = mdims[k + 1] = (hsize_t)f->dims[k];
  hid_t fspace = H5Dget_space(d), mspace = H5Screate_simple(f->ndims + 1, mdims, NULL);
  if (cnt > 0) {
    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
  } else {
    H5Sselect_none(fspace);
    H5Sselect_none(mspace);
  }
  errno = 0;
  herr_t e =
      write ? H5Dwrite(d, mtype, mspace, fspace, dxpl, buf) : H5Dread(d, mtype, mspace, fspace, dxpl, buf);
  if (e < 0) error_detail(path, write, why, n_why);
  H5Sclose(mspace);
  H5Sclose(fspace);
  return e;
}

static int rows_io(dm_h5_t *h, const dm_h5_field_t *f, int64_t a, int64_t b, void *buf, dm_h5_mode_t mode,
                   int write) {
  hid_t d = -1;
  int rc = check_field(h, f, a, b, &d);
  if (rc == 0 && write && !h->writable) {
    dm_log_error("%s: opened read-only, cannot write %s", h->path, f->name);
    rc = -1;
  }
  if (mode == DM_H5_COLLECTIVE) rc = agree(h->comm, rc);
  if (rc < 0) return rc;
  size_t row_bytes = type_size(f->type, f->str_len) * (size_t)row_elems(f);
  int64_t per = row_bytes ? h->max_transfer / (int64_t)row_bytes : b - a;
  if (per < 1) per = 1;
  long n_pieces = b > a ? (long)((b - a + per - 1) / per) : 0;
  if (mode == DM_H5_COLLECTIVE) MPI_Allreduce(MPI_IN_PLACE, &n_pieces, 1, MPI_LONG, MPI_MAX, h->comm);
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(dxpl, mode == DM_H5_COLLECTIVE ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT);
  hid_t mtype = h5_type(f->type, f->str_len, 1);
  for (long k = 0; k < n_pieces; k++) { /* every rank makes n_pieces calls */
    int64_t lo = a + k * per < b ? a + k * per : b, cnt = b - lo < per ? b - lo : per;
    char why[400];
    if (transfer(d, mtype, f, lo, cnt, (char *)buf + (size_t)(lo - a) * row_bytes, dxpl, write, h->path, why,
                 sizeof why) < 0) {
      dm_log_error("%s: cannot %s rows [%ld, %ld) of %s (%s)", h->path, write ? "write" : "read", (long)lo,
                   (long)(lo + cnt), f->name, why);
      rc = -1;
    }
  }
  close_type(f->type, mtype);
  H5Pclose(dxpl);
  return rc;
}

int dm_h5_write_rows(dm_h5_t *h, const dm_h5_field_t *f, int64_t a, int64_t b, const void *buf,
                     dm_h5_mode_t mode) {
  return rows_io(h, f, a, b, (void *)buf, mode, 1);
}

int dm_h5_read_rows(dm_h5_t *h, const dm_h5_field_t *f, int64_t a, int64_t b, void *buf, dm_h5_mode_t mode) {
  return rows_io(h, f, a, b, buf, mode, 0);
}

// --- attributes

/* Open attribute name of object obj, or log and return -1. */
static hid_t open_attr(dm_h5_t *h, const char *obj, const char *name) {
  hid_t a = -1;
  H5E_BEGIN_TRY { a = H5Aopen_by_name(h->file, obj, name, H5P_DEFAULT, H5P_DEFAULT); }
  H5E_END_TRY;
  if (a < 0) dm_log_error("%s: no attribute %s on %s", h->path, name, obj);
  return a;
}

int dm_h5_attr_set_string(dm_h5_t *h, const char *obj, const char *name, const char *value) {
  size_t n = strlen(value);
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, n ? n : 1);
  H5Tset_strpad(t, H5T_STR_NULLPAD);
  int rc = write_attr(h, obj, name, t, t, n ? value : "");
  H5Tclose(t);
  return agree(h->comm, rc);
}

int dm_h5_attr_get_string(dm_h5_t *h, const char *obj, const char *name, char **value) {
  *value = NULL;
  hid_t a = open_attr(h, obj, name);
  int rc = -1;
  if (a >= 0) {
    hid_t t = H5Aget_type(a);
    if (H5Tget_class(t) != H5T_STRING) {
      dm_log_error("%s: attribute %s of %s is not a string", h->path, name, obj);
    } else if (H5Tis_variable_str(t) > 0) {
      hid_t mt = H5Tcopy(H5T_C_S1);
      H5Tset_size(mt, H5T_VARIABLE);
      char *s = NULL;
      if (H5Aread(a, mt, &s) >= 0 && s) {
        *value = dm_strdup("h5 attribute", s);
        rc = 0;
      }
      H5free_memory(s);
      H5Tclose(mt);
    } else {
      size_t n = H5Tget_size(t);
      hid_t mt = H5Tcopy(H5T_C_S1);
      H5Tset_size(mt, n + 1);
      H5Tset_strpad(mt, H5T_STR_NULLTERM);
      *value = dm_calloc("h5 attribute", n + 2, 1);
      rc = H5Aread(a, mt, *value) < 0 ? -1 : 0;
      H5Tclose(mt);
    }
    if (rc < 0) {
      free(*value);
      *value = NULL;
      dm_log_error("%s: cannot read attribute %s of %s", h->path, name, obj);
    }
    H5Tclose(t);
    H5Aclose(a);
  }
  return rc;
}

int dm_h5_attr_set_scalar(dm_h5_t *h, const char *obj, const char *name, dm_h5_type_t type,
                          const void *value) {
  int rc = -1;
  if (type == DM_H5_STR) {
    dm_log_error("%s: attribute %s: use dm_h5_attr_set_string for strings", h->path, name);
  } else {
    rc = write_attr(h, obj, name, h5_type(type, 0, 0), h5_type(type, 0, 1), value);
  }
  return agree(h->comm, rc);
}

int dm_h5_attr_get_scalar(dm_h5_t *h, const char *obj, const char *name, dm_h5_type_t type, void *value) {
  if (type == DM_H5_STR) {
    dm_log_error("%s: attribute %s: use dm_h5_attr_get_string for strings", h->path, name);
    return -1;
  }
  hid_t a = open_attr(h, obj, name);
  int rc = -1;
  if (a >= 0) {
    hid_t space = H5Aget_space(a);
    if (H5Sget_simple_extent_npoints(space) != 1) {
      dm_log_error("%s: attribute %s of %s is not a scalar", h->path, name, obj);
    } else if (H5Aread(a, h5_type(type, 0, 1), value) < 0) {
      dm_log_error("%s: cannot read attribute %s of %s as a number", h->path, name, obj);
    } else {
      rc = 0;
    }
    H5Sclose(space);
    H5Aclose(a);
  }
  return rc;
}
