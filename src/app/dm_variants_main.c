/* dmotif variants: score the alleles of a VCF with a model (see dm_variants_run.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_cmd.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_output.h"
#include "dm_progress.h"
#include "dm_seq.h"
#include "dm_variants_run.h"

static const dm_param_spec_t variants_spec[] = {
    {"Input:vcf", DM_PARAM_PATH, NULL, NULL, "variants: VCF (plain or bgzipped) or BCF; multi-allelic records are split"},
    {"Input:genome", DM_PARAM_PATH, NULL, NULL, "FASTA genome the VCF refers to (.fai built if missing)"},
    {"Input:hits", DM_PARAM_PATH, "none", NULL,
     "hits.h5 of dmotif hits: report the motif instance each variant falls in and its CWM score change"},
    {"Model:file", DM_PARAM_PATH, NULL, NULL,
     "Keras 2 model: full-model HDF5, or architecture JSON (then set Model:weights)"},
    {"Model:weights", DM_PARAM_PATH, "none", NULL, "weights-only HDF5 for a JSON architecture"},
    {"Variants:tasks", DM_PARAM_INTLIST, "[]", NULL,
     "units of output 0 to score, e.g. [0, 2]; [] for all (or the targets)"},
    {"Variants:targets", DM_PARAM_STRING, "none", NULL,
     "targets as for attr, comma-separated [name=]output[:unit|:profile]: a unit gets logit/pred scores, "
     "a profile head the Jensen-Shannon distance; none: units of Variants:tasks, or both heads of a "
     "profile + counts model"},
    {"Variants:batch", DM_PARAM_INT, "64", NULL,
     "alleles per compute batch (x2 windows); Output:chunk_rows must be a multiple"},
    {"Variants:explain_window", DM_PARAM_INT, "0", NULL,
     "W > 0: store hypothetical contributions (Attr:method) of both windows at the centre +- W bp; 0: off"},
    {"Variants:null_shuffles", DM_PARAM_INT, "0", NULL,
     "K > 0: also score each allele in K dinucleotide shuffles of its context and give p-values "
     "against that pooled null; 0: off"},
    {"Variants:null_seed", DM_PARAM_INT, "0", NULL, "shuffle j of allele i depends only on (null_seed, i, j)"},
    {"Attr:method", DM_PARAM_STRING, "deeplift", "grad|grad_x_input|ism|ig|deeplift",
     "attribution method of the explanation (Variants:explain_window)"},
    {"Attr:rules", DM_PARAM_STRING, "genomics_default", "rescale|revealcancel|genomics_default",
     "DeepLIFT rules of the explanation"},
    {"Attr:ig_steps", DM_PARAM_INT, "50", NULL, "integrated gradients: Riemann midpoint steps"},
    {"References:kind", DM_PARAM_STRING, "dinuc_shuffle", DM_REF_KIND_CHOICES, "references of the explanation"},
    {"References:n", DM_PARAM_INT, "10", NULL, "references per window (dinuc_shuffle, gc_matched)"},
    {"References:seed", DM_PARAM_INT, "0", NULL,
     "global seed; reference r of allele i's ref (alt) window depends only on (seed, 2i (2i+1), r)"},
    {"Output:file", DM_PARAM_PATH, NULL, NULL, "variants.h5 to write"},
    {"Output:tsv", DM_PARAM_PATH, "none", NULL, "TSV of the scores; none: Output:file with .tsv for .h5"},
    {"Output:chunk_rows", DM_PARAM_INT, "4096", NULL, "alleles per HDF5 chunk, unit of work and of resume"},
    {"Output:resume", DM_PARAM_BOOL, "true", NULL,
     "continue an existing Output:file made with the same parameters, keeping finished chunks"},
    DM_OUTPUT_OVERWRITE_PARAM,
    DM_PROGRESS_PARAM,
};

/* Keys that do not change the numbers in the file. */
static const char *const not_result[] = {"Output:file", "Output:tsv", "Output:resume", "Output:overwrite", "Log:", NULL};

static int variants_main(const dm_mpi_t *ctx, const dm_params_t *p) {
  dm_variants_job_t job = {0};
  long *tasks = NULL;
  char *tsv = NULL;
  const char *t;
  int rc = 2, prev = dm_log_collective(1);
  job.vcf = dm_params_get_string(p, "Input:vcf");
  job.genome = dm_params_get_string(p, "Input:genome");
  job.hits = dm_params_get_optional(p, "Input:hits");
  job.model = dm_params_get_string(p, "Model:file");
  job.weights = dm_params_get_optional(p, "Model:weights");
  job.n_tasks = dm_params_get_intlist(p, "Variants:tasks", &tasks);
  job.tasks = job.n_tasks ? tasks : NULL;
  job.targets = dm_params_get_optional(p, "Variants:targets");
  job.batch = (int)dm_params_get_int(p, "Variants:batch");
  job.explain_window = (int)dm_params_get_int(p, "Variants:explain_window");
  job.null_shuffles = (int)dm_params_get_int(p, "Variants:null_shuffles");
  job.null_seed = (uint64_t)dm_params_get_int(p, "Variants:null_seed");
  if (job.null_shuffles < 0 || job.null_shuffles > 1000) {
    dm_log_error("Variants:null_shuffles (%d) must be in 0..1000", job.null_shuffles);
    goto out;
  }
  if (dm_methods_opt_from_params(p, &job.attr) < 0 || dm_ref_opt_from_params(p, &job.ref) < 0) goto out;
  if (job.explain_window < 0) {
    dm_log_error("Variants:explain_window (%d) must be >= 0", job.explain_window);
    goto out;
  }
  job.output = dm_params_get_string(p, "Output:file");
  job.chunk_rows = dm_params_get_int(p, "Output:chunk_rows");
  job.resume = dm_params_get_bool(p, "Output:resume");
  job.overwrite = dm_params_get_bool(p, "Output:overwrite");
  job.progress_seconds = dm_params_get_float(p, "Log:progress_seconds");
  t = dm_params_get_optional(p, "Output:tsv");
  if (t) {
    tsv = dm_strdup("tsv path", t);
  } else {
    size_t n = strlen(job.output);
    tsv = dm_malloc("tsv path", n + 5);
    snprintf(tsv, n + 5, "%.*s.tsv", (int)(n > 3 && !strcmp(job.output + n - 3, ".h5") ? n - 3 : n), job.output);
  }
  job.tsv = tsv;
  if (job.batch < 1 || job.batch > 65536) {
    dm_log_error("Variants:batch (%d) must be in 1..65536", job.batch);
    goto out;
  }
  if (job.chunk_rows < 1 || job.chunk_rows > (1 << 24) || job.chunk_rows % job.batch) {
    dm_log_error("Output:chunk_rows (%ld) must be a positive multiple of Variants:batch (%d), at most 2^24, so "
                 "that results do not depend on the chunking",
                 (long)job.chunk_rows, job.batch);
    goto out;
  }
  /* the output policy (dm_output.h): outputs distinct from each other and
   * from every input, usable, and existing ones only resumed or overwritten */
  dm_seqsrc_files_t gf; /* the genome and its .fai and .gzi indexes */
  dm_seqsrc_files(&(dm_seqsrc_opt_t){.genome = job.genome}, &gf);
  dm_output_path_t in[] = {{"Input:vcf", job.vcf},   gf.files[2],      gf.files[3],          gf.files[4],
                           {"Model:file", job.model}, {"Model:weights", job.weights}, {"Input:hits", job.hits},
                           {NULL, NULL}};
  dm_output_path_t outs[] = {{"Output:file", job.output}, {"Output:tsv", job.tsv}, {NULL, NULL}};
  dm_output_policy_t pol = dm_output_policy_from_params(p, 1);
  if (dm_output_check(ctx, &pol, in, outs) < 0) goto out;
  dm_log_collective(prev);
  char *all = dm_params_to_yaml(p, 0), *result = dm_params_to_yaml_except(p, 0, not_result);
  job.params_yaml = all;
  job.result_yaml = result;
  rc = dm_variants_run_job(ctx, &job);
  free(all);
  free(result);
out:
  dm_log_collective(prev);
  free(tasks);
  free(tsv);
  return rc;
}

const dm_cmd_t dm_cmd_variants = {
    .name = "variants",
    .summary = "score the alleles of a VCF with a model (ref vs alt window) -> variants.h5 + TSV",
    .usage = "For every ALT allele of Input:vcf, builds the model-length window centred on the variant\n"
             "from Input:genome with the reference and with the alternate allele (indels as ChromBPNet's\n"
             "scorer: see README), runs both through the model and writes per task the logits, outputs,\n"
             "logit_alt - logit_ref and log2 fold change. REF mismatches, windows off a chromosome end,\n"
             "unknown contigs and symbolic ALTs are flagged and not scored. Resumable like attr.",
    .spec = variants_spec,
    .n_spec = (int)(sizeof variants_spec / sizeof variants_spec[0]),
    .run = variants_main,
};
