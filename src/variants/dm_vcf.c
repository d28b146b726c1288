/* This object's header. */
#include "dm_vcf.h"

/* Standard headers. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Library headers. */
#include <htslib/vcf.h>

/* Local headers. */
#include "dm_mem.h"
#include "dm_variant.h"

/* Append a string to the text storage; @return its offset. */
static size_t put(dm_vcf_t *v, const char *s) {
  size_t n = strlen(s) + 1, off = v->text_len;
  if (v->text_len + n > v->text_cap) {
    v->text_cap = (v->text_len + n) * 2;
    v->text = dm_realloc("VCF text", v->text, v->text_cap);
  }
  memcpy(v->text + off, s, n);
  v->text_len += n;
  return off;
}

/* 1 if s is a plain sequence of A, C, G, T, N (any case). */
static int is_bases(const char *s) {
  if (!*s) return 0;
  for (; *s; s++)
    if (!strchr("ACGTN", toupper((unsigned char)*s))) return 0;
  return 1;
}

dm_vcf_t *dm_vcf_read(const char *path, int quiet) {
  htsFile *fp = hts_open(path, "r");
  if (!fp) {
    dm_log_error("%s: cannot open as VCF/BCF", path);
    return NULL;
  }
  bcf_hdr_t *hdr = bcf_hdr_read(fp);
  if (!hdr) {
    dm_log_error("%s: no VCF header (is it a VCF or BCF file?)", path);
    hts_close(fp);
    return NULL;
  }
  dm_vcf_t *v = dm_calloc("VCF", 1, sizeof *v);
  bcf1_t *rec = bcf_init();
  /* offsets into text while it grows; turned into pointers at the end */
  size_t cap = 0, *off = NULL;
  int64_t nrec = 0;
  int rc = 0, ret;
  while ((ret = bcf_read(fp, hdr, rec)) == 0) {
    nrec++;
    if (rec->errcode || bcf_unpack(rec, BCF_UN_STR) < 0) {
      dm_log_error("%s: record %ld: malformed (htslib error code %d)", path, (long)nrec, rec->errcode);
      rc = -1;
      break;
    }
    const char *chrom = bcf_hdr_id2name(hdr, rec->rid);
    if (rec->n_allele < 1) {
      dm_log_error("%s: record %ld (%s:%ld): no REF allele", path, (long)nrec, chrom, (long)rec->pos + 1);
      rc = -1;
      break;
    }
    const char *ref = rec->d.allele[0];
    if (!is_bases(ref)) {
      dm_log_error("%s: record %ld (%s:%ld): REF '%s' is not a sequence of A, C, G, T, N", path, (long)nrec,
                   chrom, (long)rec->pos + 1, ref);
      rc = -1;
      break;
    }
    int n_alt = rec->n_allele > 1 ? rec->n_allele - 1 : 1; /* a missing ALT still gets its row */
    for (int k = 0; k < n_alt; k++) {
      const char *alt = rec->n_allele > 1 ? rec->d.allele[k + 1] : ".";
      int flags = is_bases(alt) ? 0 : DM_VAR_NOT_SEQUENCE;
      if (flags && !quiet)
        dm_log_warn("%s: record %ld (%s:%ld): ALT '%s' is not a sequence; not scored", path, (long)nrec, chrom,
                    (long)rec->pos + 1, alt);
      if ((size_t)v->n + 1 > cap) {
        cap = cap ? 2 * cap : 1024;
        v->a = dm_realloc("VCF alleles", v->a, cap * sizeof *v->a);
        off = dm_realloc("VCF offsets", off, cap * 4 * sizeof *off);
      }
      dm_vcf_allele_t *a = &v->a[v->n];
      size_t *o = off + 4 * v->n;
      o[0] = put(v, chrom);
      o[1] = put(v, rec->d.id ? rec->d.id : ".");
      o[2] = put(v, ref);
      o[3] = put(v, alt);
      a->pos = rec->pos + 1;
      a->record = nrec;
      a->len_ref = (int)strlen(ref);
      a->len_alt = flags ? 0 : (int)strlen(alt);
      a->flags = flags;
      if (a->len_ref > v->max_allele) v->max_allele = a->len_ref;
      if ((int)strlen(alt) > v->max_allele) v->max_allele = (int)strlen(alt);
      v->n++;
    }
  }
  if (rc == 0 && ret < -1) {
    dm_log_error("%s: record %ld: cannot be parsed (truncated or malformed file)", path, (long)nrec + 1);
    rc = -1;
  }
  for (int64_t i = 0; i < v->n && rc == 0; i++) {
    size_t *o = off + 4 * i;
    v->a[i].chrom = v->text + o[0];
    v->a[i].id = v->text + o[1];
    v->a[i].ref = v->text + o[2];
    v->a[i].alt = v->text + o[3];
  }
  free(off);
  bcf_destroy(rec);
  bcf_hdr_destroy(hdr);
  hts_close(fp);
  if (rc) {
    dm_vcf_free(v);
    return NULL;
  }
  return v;
}

void dm_vcf_free(dm_vcf_t *v) {
  if (!v) return;
  free(v->a);
  free(v->text);
  free(v);
}
