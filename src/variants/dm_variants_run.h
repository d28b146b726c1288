/* dm_variants_run: score the alleles of a VCF with a model, on any number of
 * ranks, into variants.h5 and a TSV.
 *
 * Every rank reads the VCF (dm_vcf) and loads the model and the genome index.
 * Rank 0 creates (or, to resume, reopens) variants.h5 and hands out chunks
 * of allele rows (dm_sched). For each allele the worker builds the ref and
 * alt windows (dm_variant), runs both through the model in batches aligned
 * to global rows (so every product has the same shape whatever the
 * chunking) and writes the chunk's rows itself; rank 0 marks the chunk in
 * /done. When every chunk is done, rank 0 writes the TSV from the file.
 *
 * variants.h5 (N allele rows):
 *   /variants/{chrom,id,ref,alt}   (N,) fixed strings
 *   /variants/pos, /record         (N,) int64: VCF POS (1-based), record number
 *   /variants/flags                (N,) uint8 DM_VAR_* bits; 0 = scored
 *   /tasks/<t>/{logit_ref,logit_alt,pred_ref,pred_alt,logit_diff,logfc}  (N,) float32
 *                                  for a unit target (NaN where the row is not scored)
 *   /tasks/<t>/jsd                 (N,) float32 for a profile target: Jensen-Shannon
 *                                  distance of the two windows' softmax profiles
 *   <t> is a unit of output 0, or the name of a target (dm_target.h): the default
 *   targets of a profile + counts model are its profile head (jsd) and its counts
 *   head (logit_diff = the log-counts difference).
 *   /tasks/<t>/hyp_ref, hyp_alt    (N, 2W+1, 4) float32, with explain_window W > 0:
 *                                  hypothetical contributions of the two windows at
 *                                  window positions floor(L/2) - W .. floor(L/2) + W
 *                                  (zeros where the row is not scored)
 *   /tasks/<t>/null_<score>        (N, K) float32, with null_shuffles K > 0: logit_diff (jsd) of
 *                                  the allele in K dinucleotide shuffles of its genome span
 *                                  (REF kept at its place), NaN where not scored
 *   /tasks/<t>/pvalue              (N,) float32: two-sided empirical p-value of logit_diff
 *                                  against the null of every scored allele (dm_variant_pvalues)
 *   /motif_hits/{pattern,start,end,strand,cwm_ref,cwm_alt}  (N,) with a hits.h5
 *                                  (dm_varhits.h): the hit the REF overlaps (pattern -1:
 *                                  none; names in the root attribute hit_patterns), and its
 *                                  CWM score on the ref and alt windows at the hit's place
 *   /done                          (n_chunks,) uint8
 *   attributes of "/": tool, version, status, tasks, length, vcf, vcf_sha256,
 *   genome, model_file, model_sha256, weights_file, weights_sha256,
 *   parameters, result_parameters, created.
 */
#ifndef DM_VARIANTS_RUN_H
#define DM_VARIANTS_RUN_H

#include <stdint.h>

#include "dm_methods.h"
#include "dm_mpi.h"
#include "dm_ref.h"

/** Everything a run needs; strings are borrowed. */
typedef struct {
  const char *vcf;         /* VCF/BCF */
  const char *genome;      /* indexed FASTA (.fai built if missing) */
  const char *hits;        /* hits.h5 of dmotif hits, or NULL */
  const char *model;       /* model file */
  const char *weights;     /* weights-only HDF5 for a JSON model, or NULL */
  const long *tasks;       /* (n_tasks,) units of output 0 to score; NULL: all (or targets) */
  int n_tasks;
  const char *targets;     /* Variants:targets specs (dm_target.h), or NULL */
  int batch;               /* alleles per compute batch; divides chunk_rows */
  int explain_window;      /* W > 0: store hyp of both windows at centre +- W; 0: off */
  dm_methods_opt_t attr;   /* attribution method of the explanation */
  dm_ref_opt_t ref;        /* its references; reference r of allele i's ref (alt) window is
                              seeded from (seed, 2i (2i+1), r) */
  int null_shuffles;       /* K > 0: K null variants per allele in dinucleotide-shuffled contexts */
  uint64_t null_seed;      /* shuffle j of allele i is seeded from (null_seed, i, j) */
  const char *output;      /* variants.h5 */
  const char *tsv;         /* TSV written when complete */
  int64_t chunk_rows;      /* alleles per chunk (unit of work and of resume) */
  int resume, overwrite;
  double progress_seconds;
  const char *params_yaml; /* all parameters */
  const char *result_yaml; /* those that define the numbers (resume check) */
} dm_variants_job_t;

/**
 * @brief Run. Collective over ctx.
 * @return 0 on every rank on success, else nonzero on every rank (logged)
 */
int dm_variants_run_job(const dm_mpi_t *ctx, const dm_variants_job_t *job);

#endif
