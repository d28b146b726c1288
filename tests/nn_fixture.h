/* nn_fixture: writes small Keras-2 style full-model HDF5 files for tests
 * (root attribute model_config = JSON, weights under model_weights/<layer>/
 * <layer>/<name> with the layer group's weight_names attribute), the layout
 * model.save() produces. Header-only; include in one test driver each. */
#ifndef NN_FIXTURE_H
#define NN_FIXTURE_H

#include <hdf5.h>
#include <stdio.h>
#include <string.h>

/** One weight array of a layer. */
typedef struct {
  const char *layer; /* layer name, e.g. "dense_1" */
  const char *name;  /* "kernel:0", "bias:0", "gamma:0", ... */
  int rank;
  hsize_t dims[3];
  const float *data;
} nnfx_weight_t;

static void nnfx_str_attr(hid_t obj, const char *name, const char *value) {
  hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR);
  H5Tset_size(t, H5T_VARIABLE);
  hid_t a = H5Acreate(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, t, &value);
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
}

/* Writes the model; returns 0 or -1. Weights of one layer must be adjacent in w. */
static int nnfx_write(const char *path, const char *json, const nnfx_weight_t *w, int n_w) {
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) return -1;
  nnfx_str_attr(f, "model_config", json);
  hid_t mw = H5Gcreate(f, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  for (int i = 0; i < n_w;) {
    int j = i;
    while (j < n_w && !strcmp(w[j].layer, w[i].layer)) j++;
    hid_t g = H5Gcreate(mw, w[i].layer, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g2 = H5Gcreate(g, w[i].layer, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    char names[8][64];
    for (int k = i; k < j; k++) {
      snprintf(names[k - i], 64, "%s/%s", w[k].layer, w[k].name);
      hid_t sp = H5Screate_simple(w[k].rank, w[k].dims, NULL);
      hid_t d = H5Dcreate(g2, w[k].name, H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, w[k].data);
      H5Dclose(d);
      H5Sclose(sp);
    }
    /* fixed-length string array, as h5py writes weight_names */
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 64);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    hsize_t n = (hsize_t)(j - i);
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t a = H5Acreate(g, "weight_names", t, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, t, names);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    H5Gclose(g2);
    H5Gclose(g);
    i = j;
  }
  H5Gclose(mw);
  H5Fclose(f);
  return 0;
}

#endif
