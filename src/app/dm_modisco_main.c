/* dmotif modisco: stage 2, attributions -> modisco.h5 (see dm_modisco_run.h). */
#include <stdlib.h>

#include "dm_cmd.h"
#include "dm_log.h"
#include "dm_modisco_run.h"

static const dm_param_spec_t modisco_spec[] = {
    DM_MODISCO_PARAMS, DM_SEQLET_PARAM_SPECS, DM_DENSITY_PARAMS, DM_CLUSTER_PARAMS, DM_PATTERN_PARAMS,
    DM_MERGE_PARAMS,
};

static int modisco_main(const dm_mpi_t *ctx, const dm_params_t *p) {
  dm_modisco_job_t job;
  int prev = dm_log_collective(1); /* every rank checks the same options: one message */
  int bad = dm_modisco_job_from_params(&job, p) < 0;
  dm_log_collective(prev);
  if (bad) return 2;
  char *yaml = dm_params_to_yaml(p, 0);
  job.params_yaml = yaml;
  int rc = dm_modisco_run_job(ctx, &job);
  free(yaml);
  return rc;
}

const dm_cmd_t dm_cmd_modisco = {
    .name = "modisco",
    .summary = "stage 2: TF-MoDISco motif discovery on attributions -> modisco.h5",
    .usage = "Reads one task of an attr.h5 (Input:attr, Input:task) or tfmodisco-lite arrays (Input:onehot,\n"
             "Input:hyp: .npy/.npz, (N, 4, L)), calls seqlets, clusters them per metacluster in two rounds\n"
             "(gapped k-mer and continuous-Jaccard affinities, density adaptation, Leiden), builds, merges,\n"
             "filters and subclusters patterns, and writes Output:file in the tfmodisco-lite schema plus\n"
             "the seqlets' genomic coordinates. Rows and affinity rows are split over the ranks; the\n"
             "result does not depend on the number of ranks.",
    .spec = modisco_spec,
    .n_spec = (int)(sizeof modisco_spec / sizeof modisco_spec[0]),
    .run = modisco_main,
};
