/* dmotif attr: stage 1, sequences or regions -> attr.h5 (see dm_attr_run.h). */
#include <stdlib.h>
#include <string.h>

#include "dm_attr_run.h"
#include "dm_cmd.h"
#include "dm_log.h"
#include "dm_output.h"
#include "dm_progress.h"

static const dm_param_spec_t attr_spec[] = {
    DM_SEQ_PARAM_SPEC,
    {"Model:file", DM_PARAM_PATH, NULL, NULL,
     "model: ONNX (.onnx), Keras 2 full-model HDF5, or Keras architecture JSON (then set Model:weights)"},
    {"Model:weights", DM_PARAM_PATH, "none", NULL, "weights-only HDF5 for a JSON architecture"},
    {"Attr:method", DM_PARAM_STRING, "deeplift", "grad|grad_x_input|ism|ig|deeplift",
     "attribution method (target: each task's pre-sigmoid/pre-softmax logit, or Attr:targets)"},
    {"Attr:rules", DM_PARAM_STRING, "genomics_default", "rescale|revealcancel|genomics_default",
     "DeepLIFT rules for nonlinearities; genomics_default: RevealCancel after Dense, Rescale after Conv"},
    {"Attr:ig_steps", DM_PARAM_INT, "50", NULL, "integrated gradients: Riemann midpoint steps"},
    {"Attr:tasks", DM_PARAM_INTLIST, "[]", NULL,
     "units of the first model output to attribute, e.g. [0, 2]; [] for all (unless Attr:targets)"},
    {"Attr:targets", DM_PARAM_STRING, "none", NULL,
     "targets, comma-separated [name=]output[:unit|:profile], e.g. "
     "'profile=logits_profile:profile,counts=logcounts': a single-unit output, one unit, or the weighted "
     "mean-normalised logits of a profile head; each is a task named by its name (default: the spec)"},
    {"Attr:batch", DM_PARAM_INT, "32", NULL,
     "sequences per compute batch (each with its references); Output:chunk_rows must be a multiple"},
    {"References:kind", DM_PARAM_STRING, "dinuc_shuffle", DM_REF_KIND_CHOICES,
     "references for deeplift and ig"},
    {"References:n", DM_PARAM_INT, "10", NULL, "references per sequence (dinuc_shuffle, gc_matched)"},
    {"References:seed", DM_PARAM_INT, "0", NULL,
     "global seed; reference r of row i depends only on (seed, i, r)"},
    {"Output:file", DM_PARAM_PATH, NULL, NULL, "attr.h5 to write"},
    {"Output:chunk_rows", DM_PARAM_INT, "256", NULL, "rows per HDF5 chunk, unit of work and of resume"},
    {"Output:contrib", DM_PARAM_BOOL, "true", NULL, "also write /tasks/<t>/contrib = hyp * onehot"},
    {"Output:resume", DM_PARAM_BOOL, "true", NULL,
     "continue an existing Output:file made with the same parameters, keeping finished chunks"},
    DM_OUTPUT_OVERWRITE_PARAM,
    DM_PROGRESS_PARAM,
};

/* Keys that do not change the numbers in the file: a run may resume with
 * other values of these. */
static const char *const not_result[] = {"Output:file", "Output:resume", "Output:overwrite", "Log:", NULL};

static int attr_main(const dm_mpi_t *ctx, const dm_params_t *p) {
  dm_attr_job_t job = {0};
  long *tasks = NULL;
  int rc = 2, prev = dm_log_collective(1); /* every rank checks the same options: one message */
  if (dm_seqsrc_opt_from_params(p, &job.input) < 0) goto out;
  job.model = dm_params_get_string(p, "Model:file");
  job.weights = dm_params_get_optional(p, "Model:weights");
  if (dm_methods_opt_from_params(p, &job.attr) < 0 || dm_ref_opt_from_params(p, &job.ref) < 0) goto out;
  job.n_tasks = dm_params_get_intlist(p, "Attr:tasks", &tasks);
  job.tasks = job.n_tasks ? tasks : NULL;
  job.targets = dm_params_get_optional(p, "Attr:targets");
  job.batch = (int)dm_params_get_int(p, "Attr:batch");
  job.output = dm_params_get_string(p, "Output:file");
  job.chunk_rows = dm_params_get_int(p, "Output:chunk_rows");
  job.contrib = dm_params_get_bool(p, "Output:contrib");
  job.resume = dm_params_get_bool(p, "Output:resume");
  job.overwrite = dm_params_get_bool(p, "Output:overwrite");
  job.progress_seconds = dm_params_get_float(p, "Log:progress_seconds");
  /* BLAS results depend on the shape of a product, so batches must be the
   * same rows whatever the chunking: aligned to multiples of Attr:batch. */
  if (job.batch < 1 || job.chunk_rows < 1 || job.chunk_rows % job.batch) {
    dm_log_error("Output:chunk_rows (%ld) must be a positive multiple of Attr:batch (%d), so that results "
                 "do not depend on the chunking",
                 (long)job.chunk_rows, job.batch);
    goto out;
  }
  /* Refuse an output that is an input or unusable, before any work; an
   * existing output is left to resume or overwrite (dm_attr_run). */
  dm_seqsrc_files_t sf;
  dm_seqsrc_files(&job.input, &sf);
  dm_output_path_t in[] = {sf.files[0], sf.files[1], sf.files[2], sf.files[3], sf.files[4],
                           {"Model:file", job.model}, {"Model:weights", job.weights}, {NULL, NULL}};
  dm_output_path_t out_files[] = {{"Output:file", job.output}, {NULL, NULL}};
  dm_output_policy_t pol = dm_output_policy_from_params(p, 1);
  if (dm_output_check(ctx, &pol, in, out_files) < 0) goto out;
  dm_log_collective(prev);
  char *all = dm_params_to_yaml(p, 0), *result = dm_params_to_yaml_except(p, 0, not_result);
  job.params_yaml = all;
  job.result_yaml = result;
  rc = dm_attr_run_job(ctx, &job);
  free(all);
  free(result);
out:
  dm_log_collective(prev);
  free(tasks);
  return rc;
}

const dm_cmd_t dm_cmd_attr = {
    .name = "attr",
    .summary = "stage 1: per-base attributions and hypothetical contributions -> attr.h5",
    .usage = "Runs a Keras CNN over sequences (Input:sequences) or regions (Input:bed + Input:genome)\n"
             "and writes, per task, hypothetical contributions, contributions and predictions to\n"
             "Output:file (HDF5; layout in README). Rank 0 hands out chunks of rows; every rank\n"
             "computes and writes its chunks. A killed run resumes when rerun with the same parameters.",
    .spec = attr_spec,
    .n_spec = (int)(sizeof attr_spec / sizeof attr_spec[0]),
    .run = attr_main,
};
