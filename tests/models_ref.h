/* models_ref: the model fixtures of tests/data/models (written by
 * tools/gen_model_fixtures.py, see PROVENANCE.txt there) and a reader of
 * their float datasets. Header-only; include in one test driver each. */
#ifndef MODELS_REF_H
#define MODELS_REF_H

#include <hdf5.h>
#include <stdlib.h>

#define MODELS DM_TEST_DATA "/models/"
#define MREF_BPNET MODELS "bpnet_ref.h5"
#define MREF_ZOO MODELS "zoo_ref.h5"

/* Dataset dset of an HDF5 file as n floats (malloc'ed), or NULL if absent or of another size. */
static float *mref_read(const char *path, const char *dset, long n) {
  float *out = NULL;
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t d = f >= 0 ? H5Dopen(f, dset, H5P_DEFAULT) : -1;
  if (d >= 0) {
    hid_t sp = H5Dget_space(d);
    if (H5Sget_simple_extent_npoints(sp) == n) {
      out = malloc(sizeof(float) * (size_t)n);
      if (H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) {
        free(out);
        out = NULL;
      }
    }
    H5Sclose(sp);
    H5Dclose(d);
  }
  if (f >= 0) H5Fclose(f);
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  return out;
}

#endif
