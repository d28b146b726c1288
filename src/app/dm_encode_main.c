/* dmotif encode: sequences or BED regions -> HDF5 with /onehot and /regions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_cmd.h"
#include "dm_h5.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_onehot.h"
#include "dm_output.h"
#include "dm_regions.h"
#include "dm_seq.h"
#include "dm_version.h"

static const dm_param_spec_t encode_spec[] = {
    DM_SEQ_PARAM_SPEC,
    {"Output:file", DM_PARAM_PATH, NULL, NULL, "HDF5 file to write (/onehot, /regions/*)"},
    {"Output:chunk_rows", DM_PARAM_INT, "256", NULL, "rows per HDF5 chunk"},
    DM_OUTPUT_OVERWRITE_PARAM,
};

/* Rows fetched and written per collective step (bounds memory per rank). */
#define ENCODE_BATCH_CHUNKS 16

/* Write this rank's rows [a, a+cnt) in batches; every rank makes the same calls. */
static int write_rows(const dm_mpi_t *ctx, dm_h5_t *h, dm_seqsrc_t *src, const dm_h5_field_t *onehot,
                      int64_t a, int64_t cnt, int64_t batch) {
  int64_t L = dm_seqsrc_length(src), s0, c0;
  dm_mpi_block_range(dm_seqsrc_rows(src), ctx->size, 0, &s0, &c0); /* rank 0 has the most */
  int64_t n_batches = (c0 + batch - 1) / batch;
  char *seq = dm_malloc("encode bases", (size_t)(batch * L));                  /* (batch, L) */
  uint8_t *oh = dm_malloc("encode onehot", (size_t)(batch * L * 4));           /* (batch, L, 4) */
  dm_region_t *reg = dm_malloc("encode regions", (size_t)batch * sizeof *reg); /* (batch,) */
  int rc = 0;
  for (int64_t k = 0; k < n_batches && rc == 0; k++) {
    int64_t lo = a + (k * batch < cnt ? k * batch : cnt);
    int64_t hi = a + ((k + 1) * batch < cnt ? (k + 1) * batch : cnt);
    int bad = dm_seqsrc_fetch(src, lo, hi, seq, reg) < 0;
    DM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, ctx->comm));
    if (bad) {
      rc = -1;
      break;
    }
    dm_onehot_u8(seq, hi - lo, L, oh);
    if (dm_h5_write_rows(h, onehot, lo, hi, oh, DM_H5_COLLECTIVE) < 0 ||
        dm_regions_write(h, lo, hi, reg, DM_H5_COLLECTIVE) < 0)
      rc = -1;
  }
  free(seq);
  free(oh);
  free(reg);
  return rc;
}

/* Provenance attributes on "/". Collective. */
static int write_attrs(dm_h5_t *h, const dm_params_t *p, const dm_seqsrc_opt_t *opt, int64_t L) {
  char sources[4200];
  if (opt->bed)
    snprintf(sources, sizeof sources, "bed: %s; genome: %s", opt->bed, opt->genome);
  else
    snprintf(sources, sizeof sources, "sequences: %s", opt->sequences);
  char *yaml = dm_params_to_yaml(p, 0);
  int rc = 0;
  if (dm_h5_attr_set_string(h, "/", "tool", "dmotif encode") < 0 ||
      dm_h5_attr_set_string(h, "/", "version", DM_VERSION) < 0 ||
      dm_h5_attr_set_string(h, "/", "sources", sources) < 0 ||
      dm_h5_attr_set_string(h, "/", "parameters", yaml) < 0 ||
      dm_h5_attr_set_scalar(h, "/", "length", DM_H5_I64, &L) < 0)
    rc = -1;
  free(yaml);
  return rc;
}

static int encode_run(const dm_mpi_t *ctx, const dm_params_t *p) {
  dm_seqsrc_opt_t opt;
  int prev = dm_log_collective(1); /* every rank checks the same options: one message */
  int bad = dm_seqsrc_opt_from_params(p, &opt) < 0;
  dm_log_collective(prev);
  if (bad) return 2;
  const char *out = dm_params_get_string(p, "Output:file");
  int64_t chunk = dm_params_get_int(p, "Output:chunk_rows");
  if (chunk < 1) {
    if (ctx->rank == 0) dm_log_error("Output:chunk_rows = %ld must be >= 1", (long)chunk);
    return 2;
  }
  dm_seqsrc_files_t sf;
  dm_seqsrc_files(&opt, &sf);
  dm_output_path_t in[] = {sf.files[0], sf.files[1], sf.files[2], sf.files[3], sf.files[4], {NULL, NULL}};
  dm_output_path_t outs[] = {{"Output:file", out}, {NULL, NULL}};
  dm_output_policy_t pol = dm_output_policy_from_params(p, 0);
  if (dm_output_check(ctx, &pol, in, outs) < 0) return 2;
  dm_seqsrc_t *src = dm_seqsrc_open_all(ctx, &opt);
  if (!src) return 1;
  int64_t n = dm_seqsrc_rows(src), L = dm_seqsrc_length(src), a, cnt;
  dm_mpi_block_range(n, ctx->size, ctx->rank, &a, &cnt);

  char *tmp = dm_output_tmpname(out);
  dm_h5_field_t fields[1 + DM_REGIONS_NFIELDS] = {
      {"/onehot", DM_H5_U8, 2, {L, 4}, 0, "one-hot sequence (N, L, 4), channels A, C, G, T"},
  };
  dm_regions_fields(fields + 1);
  dm_h5_t *h = dm_h5_create(ctx, tmp, fields, 1 + DM_REGIONS_NFIELDS, n, chunk);
  int rc = h ? 0 : -1;
  if (h) {
    rc = write_rows(ctx, h, src, &fields[0], a, cnt, chunk * ENCODE_BATCH_CHUNKS);
    if (rc == 0) rc = write_attrs(h, p, &opt, L);
    if (dm_h5_close(h) < 0) rc = -1;
    DM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &rc, 1, MPI_INT, MPI_MIN, ctx->comm));
  }
  if (ctx->rank == 0) {
    rc = dm_output_commit(tmp, out, rc == 0);
    if (rc == 0) dm_log_info("%s: %ld rows of %ld bp", out, (long)n, (long)L);
  }
  DM_MPI_CHECK(MPI_Bcast(&rc, 1, MPI_INT, 0, ctx->comm));
  free(tmp);
  dm_seqsrc_close(src);
  return rc < 0 ? 1 : 0;
}

const dm_cmd_t dm_cmd_encode = {
    .name = "encode",
    .summary = "sequences (FASTA/TSV) or BED regions + genome -> one-hot HDF5",
    .usage =
        "Reads Input:sequences (FASTA or TSV) or Input:bed + Input:genome, and writes\n"
        "Output:file (HDF5): /onehot (N, L, 4) uint8 and /regions/{chrom,start,end,name,strand}.\n"
        "The file appears only when complete (written as <file>.tmp, then renamed).",
    .spec = encode_spec,
    .n_spec = (int)(sizeof encode_spec / sizeof encode_spec[0]),
    .run = encode_run,
};
