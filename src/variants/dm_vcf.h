/* dm_vcf: the alleles of a VCF/BCF file (plain, bgzipped or BCF; read with
 * htslib), one row per ALT allele of each record (multi-allelic records are
 * split), in file order.
 *
 * An allele row keeps CHROM, POS (1-based), ID, REF, ALT and the 1-based
 * record number. An ALT that is not a sequence (symbolic <DEL>, the '*'
 * spanning deletion, a missing '.', or letters other than A/C/G/T/N) is kept
 * with the flag DM_VAR_NOT_SEQUENCE and a warning naming file and record, so
 * that every input allele has an output row. A record htslib cannot parse is
 * an error naming the file and record.
 */
#ifndef DM_VCF_H
#define DM_VCF_H

#include <stddef.h>
#include <stdint.h>

#include "dm_log.h"

/** One allele row. Strings point into the owning dm_vcf_t. */
typedef struct {
  const char *chrom, *id, *ref, *alt;
  int64_t pos;    /* 1-based VCF POS */
  int64_t record; /* 1-based record number in the file */
  int len_ref, len_alt;
  int flags;      /* DM_VAR_* flags known from the file alone */
} dm_vcf_allele_t;

/** The alleles of one file. */
typedef struct {
  int64_t n;              /* rows */
  dm_vcf_allele_t *a;     /* (n,) */
  int max_allele;         /* longest REF or ALT */
  char *text;             /* storage of the strings */
  size_t text_len, text_cap;
} dm_vcf_t;

/**
 * @brief Read every allele of a VCF/BCF file.
 * @param path  VCF (plain or .gz) or BCF
 * @param quiet 1: do not log per-record warnings (ranks other than 0)
 * @return the alleles (free with dm_vcf_free), or NULL after logging the
 *         error (file, record)
 */
DM_RESULT_USED dm_vcf_t *dm_vcf_read(const char *path, int quiet);

/** @brief Free alleles from dm_vcf_read (NULL is fine). */
void dm_vcf_free(dm_vcf_t *v);

#endif
