/* This object's header. */
#include "dm_modisco_h5.h"

/* Standard headers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library headers. */
#include <hdf5.h>

/* Local headers. */
#include "dm_mem.h"
#include "dm_output.h"

// --- dataset helpers

/* Objects carry no modification times, so equal results give equal bytes. */
static hid_t no_times(hid_t cls) {
  hid_t pl = H5Pcreate(cls);
  H5Pset_obj_track_times(pl, 0);
  return pl;
}

/* Create a group (no times). @return the group or a negative id (logged) */
static hid_t mkgroup(hid_t loc, const char *name) {
  hid_t pl = no_times(H5P_GROUP_CREATE), g = H5Gcreate2(loc, name, H5P_DEFAULT, pl, H5P_DEFAULT);
  H5Pclose(pl);
  if (g < 0) dm_log_error("modisco.h5: cannot create group %s", name);
  return g;
}

/* Write one dataset; dims may hold zeros. @return 0 or -1 (logged) */
static int put(hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank, const hsize_t *dims,
               const void *data) {
  hid_t space = H5Screate_simple(rank, dims, NULL), ds = -1;
  int rc = -1;
  if (space < 0) goto fail;
  hid_t pl = no_times(H5P_DATASET_CREATE);
  ds = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, pl, H5P_DEFAULT);
  H5Pclose(pl);
  if (ds < 0) goto fail;
  hsize_t n = 1;
  for (int i = 0; i < rank; i++) n *= dims[i];
  if (n > 0 && H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) goto fail;
  rc = 0;
fail:
  if (rc) dm_log_error("modisco.h5: cannot write dataset %s", name);
  if (ds >= 0) H5Dclose(ds);
  if (space >= 0) H5Sclose(space);
  return rc;
}

/* h5py's bool: enum of int8 {FALSE = 0, TRUE = 1}. */
static hid_t bool_type(void) {
  hid_t t = H5Tenum_create(H5T_NATIVE_INT8);
  int8_t v = 0;
  H5Tenum_insert(t, "FALSE", &v);
  v = 1;
  H5Tenum_insert(t, "TRUE", &v);
  return t;
}

// --- one pattern

static int put_seqlets(hid_t grp, const dm_pattern_t *p, const dm_tracks_t *t,
                       const dm_modisco_regions_t *g) {
  int n = p->n_seqlets, ls = 0, rc = -1;
  for (int i = 0; i < n; i++)
    if (p->seqlets[i].end - p->seqlets[i].start > ls) ls = p->seqlets[i].end - p->seqlets[i].start;
  size_t nn = n > 0 ? (size_t)n : 1, blk = (size_t)ls * 4;
  int64_t *iv = dm_malloc("seqlet ints", 3 * nn * sizeof *iv), n64 = n;
  int8_t *rcv = dm_malloc("seqlet strands", nn);
  float *data = dm_calloc("seqlet data", 3 * nn * (blk ? blk : 1), sizeof *data);
  const char **chrom = NULL;
  char *strand = NULL;
  hid_t sg = mkgroup(grp, "seqlets"), bt = bool_type();
  hid_t str = H5Tcopy(H5T_C_S1), str1 = H5Tcopy(H5T_C_S1);
  H5Tset_size(str, H5T_VARIABLE);
  H5Tset_cset(str, H5T_CSET_UTF8);
  H5Tset_size(str1, 1);
  if (sg < 0) goto fail;
  for (int i = 0; i < n; i++) {
    const dm_seqlet_t *s = &p->seqlets[i];
    iv[i] = s->start;
    iv[nn + i] = s->end;
    iv[2 * nn + i] = s->example;
    rcv[i] = (int8_t)(s->is_revcomp != 0);
    float *d = data + (size_t)i * blk;
    if (dm_pattern_fetch(t, s, d, d + nn * blk, d + 2 * nn * blk) < 0) {
      dm_log_error("modisco.h5: seqlet %ld:[%d,%d) lies outside the tracks", s->example, s->start, s->end);
      goto fail;
    }
  }
  hsize_t d1 = 1, dn = (hsize_t)n, d3[3] = {(hsize_t)n, (hsize_t)ls, 4};
  if (put(sg, "n_seqlets", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &d1, &n64) ||
      put(sg, "start", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dn, iv) ||
      put(sg, "end", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dn, iv + nn) ||
      put(sg, "example_idx", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dn, iv + 2 * nn) ||
      put(sg, "is_revcomp", bt, bt, 1, &dn, rcv) ||
      put(sg, "sequence", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, d3, data) ||
      put(sg, "contrib_scores", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, d3, data + nn * blk) ||
      put(sg, "hypothetical_contribs", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, d3, data + 2 * nn * blk))
    goto fail;
  if (g) {
    chrom = dm_malloc("seqlet chroms", nn * sizeof *chrom);
    strand = dm_malloc("seqlet strands", nn);
    for (int i = 0; i < n; i++) {
      chrom[i] = g->chrom[p->seqlets[i].example];
      iv[i] = g->start[p->seqlets[i].example] + p->seqlets[i].start;
      iv[nn + i] = g->start[p->seqlets[i].example] + p->seqlets[i].end;
      strand[i] = p->seqlets[i].is_revcomp ? '-' : '+';
    }
    if (put(sg, "chrom", str, str, 1, &dn, chrom) ||
        put(sg, "genomic_start", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dn, iv) ||
        put(sg, "genomic_end", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dn, iv + nn) ||
        put(sg, "strand", str1, str1, 1, &dn, strand))
      goto fail;
  }
  rc = 0;
fail:
  H5Tclose(str);
  H5Tclose(str1);
  H5Tclose(bt);
  if (sg >= 0) H5Gclose(sg);
  free(chrom);
  free(strand);
  free(iv);
  free(rcv);
  free(data);
  return rc;
}

static int put_pattern(hid_t loc, const char *name, const dm_pattern_t *p, const dm_tracks_t *t,
                       const dm_modisco_regions_t *g) {
  hid_t grp = mkgroup(loc, name);
  if (grp < 0) return -1;
  hsize_t d2[2] = {(hsize_t)p->len, 4};
  int rc = put(grp, "sequence", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, p->sequence) ||
           put(grp, "contrib_scores", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, p->contrib) ||
           put(grp, "hypothetical_contribs", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, p->hyp) ||
           put_seqlets(grp, p, t, g);
  for (int k = 0; !rc && k < p->n_sub; k++) {
    char sub[40];
    snprintf(sub, sizeof sub, "subpattern_%d", p->sub_id ? p->sub_id[k] : k);
    rc = put_pattern(grp, sub, p->sub[k], t, g);
  }
  H5Gclose(grp);
  return rc ? -1 : 0;
}

static int put_metacluster(hid_t file, const char *name, const dm_modisco_metacluster_t *m,
                           const dm_tracks_t *t, const dm_modisco_regions_t *g) {
  if (!m || !m->ran) return 0;
  hid_t grp = mkgroup(file, name);
  if (grp < 0) return -1;
  int rc = 0;
  for (int i = 0; !rc && i < m->n_patterns; i++) {
    char pn[40];
    snprintf(pn, sizeof pn, "pattern_%d", i);
    rc = put_pattern(grp, pn, m->patterns[i], t, g);
  }
  H5Gclose(grp);
  return rc;
}

// --- file

/* A variable-length UTF-8 string attribute of loc. @return 0 or -1 */
static int put_string_attr(hid_t loc, const char *name, const char *value) {
  hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR), a = -1;
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  int rc = -1;
  if (type >= 0 && space >= 0 && (a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
      H5Awrite(a, type, &value) >= 0)
    rc = 0;
  if (a >= 0) H5Aclose(a);
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  return rc;
}

int dm_modisco_h5_write(const char *path, const dm_tracks_t *t, const dm_modisco_metacluster_t *pos,
                        const dm_modisco_metacluster_t *neg, const dm_modisco_regions_t *regions,
                        const char *const (*attrs)[2]) {
  char *tmp = dm_output_tmpname(path);
  int rc = -1;
  hid_t fcpl = no_times(H5P_FILE_CREATE), space = -1, attr = -1;
  hid_t file = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  H5Pclose(fcpl);
  if (file < 0) {
    dm_log_error("%s: cannot create", tmp);
    goto fail;
  }
  int64_t ws = t->len;
  space = H5Screate(H5S_SCALAR);
  attr = H5Acreate2(file, "window_size", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0 || H5Awrite(attr, H5T_NATIVE_INT64, &ws) < 0) {
    dm_log_error("%s: cannot write attribute window_size", tmp);
    goto fail;
  }
  for (int i = 0; attrs && attrs[i][0]; i++)
    if (put_string_attr(file, attrs[i][0], attrs[i][1]) < 0) {
      dm_log_error("%s: cannot write attribute %s", tmp, attrs[i][0]);
      goto fail;
    }
  if (put_metacluster(file, "pos_patterns", pos, t, regions) ||
      put_metacluster(file, "neg_patterns", neg, t, regions))
    goto fail;
  rc = 0;
fail:
  if (attr >= 0) H5Aclose(attr);
  if (space >= 0) H5Sclose(space);
  if (file >= 0 && H5Fclose(file) < 0) {
    dm_log_error("%s: cannot close", tmp);
    rc = -1;
  }
  rc = dm_output_commit(tmp, path, rc == 0);
  free(tmp);
  return rc;
}
