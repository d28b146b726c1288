/* dmotif hits: every instance of the discovered motifs in every region (see dm_hits_run.h). */

/* Standard headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Local headers. */
#include "dm_cmd.h"
#include "dm_hits_merge.h"
#include "dm_hits_run.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_output.h"
#include "dm_progress.h"

static const dm_param_spec_t hits_spec[] = {
    {"Input:attr", DM_PARAM_PATH, NULL, NULL, "attr.h5 from dmotif attr (status complete)"},
    {"Input:task", DM_PARAM_STRING, "0", NULL, "task of Input:attr whose contributions are searched"},
    {"Input:center_hyp", DM_PARAM_BOOL, "true", NULL,
     "centre hyp to zero mean over the 4 bases at each position (as dmotif modisco does by default)"},
    {"Input:block_rows", DM_PARAM_INT, "256", NULL, "rows of Input:attr read at a time (bounds memory)"},
    {"Input:modisco", DM_PARAM_STRING, NULL, NULL,
     "modisco.h5 file(s) (dmotif or tfmodisco-lite), comma-separated; all their patterns are used together"},
    {"Hits:method", DM_PARAM_STRING, "finemo", "finemo|scan",
     "finemo: sparse non-negative fit of the CWMs (Fi-NeMo); scan: CWM scan with seqlet-based thresholds"},
    {"Hits:trim", DM_PARAM_FLOAT, "0.3", NULL,
     "keep the CWM positions whose sum of |CWM| is at least this fraction of the largest"},
    {"Hits:lambda", DM_PARAM_FLOAT, "0.7", NULL,
     "finemo: L1 penalty, and the similarity a hit needs (post-filter)"},
    {"Hits:post_filter", DM_PARAM_BOOL, "true", NULL,
     "finemo: drop hits whose similarity is below Hits:lambda"},
    {"Hits:step_max", DM_PARAM_FLOAT, "3.0", NULL, "finemo: first step size of the optimiser"},
    {"Hits:step_min", DM_PARAM_FLOAT, "0.08", NULL,
     "finemo: a region fails when the step size falls below this"},
    {"Hits:step_adjust", DM_PARAM_FLOAT, "0.7", NULL, "finemo: step size factor after a divergence"},
    {"Hits:tol", DM_PARAM_FLOAT, "0.0005", NULL, "finemo: convergence when duality gap / L is at most this"},
    {"Hits:max_steps", DM_PARAM_INT, "10000", NULL, "finemo: optimiser steps per region at most"},
    {"Hits:eps", DM_PARAM_FLOAT, "1.0", NULL,
     "finemo: added to the window sum of squares in the importance scale"},
    {"Hits:scan_quantile", DM_PARAM_FLOAT, "0.1", NULL,
     "scan: a hit's similarity and importance must reach this quantile of the pattern's seqlets'"},
    {"Hits:scan_compete", DM_PARAM_BOOL, "true", NULL,
     "scan: overlapping hits of different patterns exclude each other (the most similar stays), not only of "
     "one"},
    {"Output:dir", DM_PARAM_PATH, NULL, NULL, "directory of hits.tsv, hits.h5, counts.tsv, summary.tsv"},
    {"Output:chunk_rows", DM_PARAM_INT, "256", NULL, "rows per unit of work and of resume"},
    {"Output:resume", DM_PARAM_BOOL, "true", NULL, "continue an interrupted run with the same parameters"},
    DM_OUTPUT_OVERWRITE_PARAM,
    DM_PROGRESS_PARAM,
};

/* Keys that do not change the hits: a run may resume with other values. */
static const char *const not_result[] = {"Input:block_rows", "Output:dir", "Output:resume",
                                         "Output:overwrite", "Log:",       NULL};

static int check_job(const dm_hits_job_t *j) {
  const dm_hits_fit_opt_t *f = &j->fit;
  if (j->n_modisco < 1) return dm_log_error("Input:modisco: no file given"), -1;
  if (!(j->trim >= 0 && j->trim <= 1)) return dm_log_error("Hits:trim must be in [0, 1]"), -1;
  if (!(f->lambda > 0)) return dm_log_error("Hits:lambda must be > 0"), -1;
  if (!(f->step_max > 0 && f->step_min > 0 && f->step_min <= f->step_max))
    return dm_log_error("Hits:step_min and Hits:step_max must be > 0 with step_min <= step_max"), -1;
  if (!(f->step_adjust > 0 && f->step_adjust < 1))
    return dm_log_error("Hits:step_adjust must be in (0, 1)"), -1;
  if (!(f->tol > 0) || f->max_steps < 1 || !(f->eps > 0))
    return dm_log_error("Hits:tol and Hits:eps must be > 0, Hits:max_steps >= 1"), -1;
  if (!(j->scan_quantile >= 0 && j->scan_quantile <= 1))
    return dm_log_error("Hits:scan_quantile must be in [0, 1]"), -1;
  if (j->chunk_rows < 1 || j->block_rows < 1)
    return dm_log_error("Output:chunk_rows and Input:block_rows must be >= 1"), -1;
  return 0;
}

/* The output policy (dm_output.h) for the four outputs in Output:dir, which
 * rank 0 creates if needed. @return 0 or -1 (rank 0 logged) */
static int check_outputs(const dm_mpi_t *ctx, const dm_params_t *p, const dm_hits_job_t *j) {
  if (ctx->rank == 0 && mkdir(j->dir, 0777) == 0) dm_log_info("%s: created (Output:dir)", j->dir);
  dm_output_path_t *in = dm_calloc("inputs", (size_t)j->n_modisco + 2, sizeof *in),
                   out[DM_HITS_N_OUTPUTS + 1] = {{NULL, NULL}};
  char *paths[DM_HITS_N_OUTPUTS];
  in[0] = (dm_output_path_t){"Input:attr", j->attr};
  for (int i = 0; i < j->n_modisco; i++) in[i + 1] = (dm_output_path_t){"Input:modisco", j->modisco[i]};
  for (int i = 0; i < DM_HITS_N_OUTPUTS; i++) {
    size_t n = strlen(j->dir) + strlen(dm_hits_outputs[i]) + 2;
    paths[i] = dm_malloc("output path", n);
    snprintf(paths[i], n, "%s/%s", j->dir, dm_hits_outputs[i]);
    out[i] = (dm_output_path_t){"Output:dir", paths[i]};
  }
  dm_output_policy_t pol = dm_output_policy_from_params(p, 1);
  int rc = dm_output_check(ctx, &pol, in, out);
  for (int i = 0; i < DM_HITS_N_OUTPUTS; i++) free(paths[i]);
  free(in);
  return rc;
}

static int hits_main(const dm_mpi_t *ctx, const dm_params_t *p) {
  dm_hits_job_t job = {0};
  char **files = NULL;
  job.attr = dm_params_get_string(p, "Input:attr");
  job.task = dm_params_get_string(p, "Input:task");
  job.center_hyp = dm_params_get_bool(p, "Input:center_hyp");
  job.block_rows = dm_params_get_int(p, "Input:block_rows");
  job.n_modisco = dm_params_get_strlist(p, "Input:modisco", &files);
  job.modisco = (const char *const *)files;
  job.method = strcmp(dm_params_get_string(p, "Hits:method"), "scan") == 0 ? DM_HITS_SCAN : DM_HITS_FINEMO;
  job.trim = dm_params_get_float(p, "Hits:trim");
  dm_hits_fit_opt_init(&job.fit);
  job.fit.lambda = dm_params_get_float(p, "Hits:lambda");
  job.fit.post_filter = dm_params_get_bool(p, "Hits:post_filter");
  job.fit.step_max = dm_params_get_float(p, "Hits:step_max");
  job.fit.step_min = dm_params_get_float(p, "Hits:step_min");
  job.fit.step_adjust = dm_params_get_float(p, "Hits:step_adjust");
  job.fit.tol = dm_params_get_float(p, "Hits:tol");
  job.fit.max_steps = dm_params_get_int(p, "Hits:max_steps");
  job.fit.eps = dm_params_get_float(p, "Hits:eps");
  job.scan_quantile = dm_params_get_float(p, "Hits:scan_quantile");
  job.scan_compete = dm_params_get_bool(p, "Hits:scan_compete");
  job.dir = dm_params_get_string(p, "Output:dir");
  job.chunk_rows = dm_params_get_int(p, "Output:chunk_rows");
  job.resume = dm_params_get_bool(p, "Output:resume");
  job.overwrite = dm_params_get_bool(p, "Output:overwrite");
  job.progress_seconds = dm_params_get_float(p, "Log:progress_seconds");
  int prev = dm_log_collective(1); /* every rank checks the same options: one message */
  int rc = check_job(&job) < 0 ? 2 : 0;
  dm_log_collective(prev);
  if (rc == 0 && check_outputs(ctx, p, &job) < 0) rc = 2;
  if (rc == 0) {
    char *all = dm_params_to_yaml(p, 0), *result = dm_params_to_yaml_except(p, 0, not_result);
    job.params_yaml = all;
    job.result_yaml = result;
    rc = dm_hits_run_job(ctx, &job);
    free(all), free(result);
  }
  dm_params_strlist_free(files, job.n_modisco);
  return rc;
}

const dm_cmd_t dm_cmd_hits = {
    .name = "hits",
    .summary = "motif instances: every hit of the modisco.h5 patterns in every region of an attr.h5",
    .usage =
        "Calls the instances of the patterns of one or more modisco.h5 files (Input:modisco) in the\n"
        "contributions of one task of an attr.h5 (Input:attr, Input:task), by Fi-NeMo's sparse\n"
        "non-negative fit (Hits:method=finemo) or a CWM scan with thresholds from each pattern's\n"
        "seqlets (scan). Rank 0 hands out chunks of rows; a killed run resumes. Writes hits.tsv\n"
        "(genome coordinates), hits.h5, counts.tsv and summary.tsv into Output:dir.",
    .spec = hits_spec,
    .n_spec = (int)(sizeof hits_spec / sizeof hits_spec[0]),
    .run = hits_main,
};
