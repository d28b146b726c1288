/* dm_regions: the region datasets <-> dm_region_t records. */
#include "dm_regions.h"

#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"

/* Order of the fields in dm_regions_fields. */
enum { F_CHROM, F_START, F_END, F_NAME, F_STRAND };

void dm_regions_fields(dm_h5_field_t *fields) {
  const dm_h5_field_t f[DM_REGIONS_NFIELDS] = {
      {"/regions/chrom", DM_H5_STR, 0, {0}, DM_SEQ_NAME_LEN, "chromosome (or sequence name)"},
      {"/regions/start", DM_H5_I64, 0, {0}, 0, "0-based start of the row's sequence"},
      {"/regions/end", DM_H5_I64, 0, {0}, 0, "0-based end (exclusive)"},
      {"/regions/name", DM_H5_STR, 0, {0}, DM_SEQ_NAME_LEN, "BED name or sequence name"},
      {"/regions/strand", DM_H5_STR, 0, {0}, 2, "+, - or ."},
  };
  memcpy(fields, f, sizeof f);
}

/* Column buffers of n records. */
typedef struct {
  char *chrom, *name, *strand; /* (n, 64), (n, 64), (n, 2) */
  int64_t *start, *end;        /* (n,) */
} columns_t;

static void columns_init(columns_t *c, int64_t n) {
  size_t m = (size_t)(n > 0 ? n : 1);
  c->chrom = dm_calloc("region chrom", m, DM_SEQ_NAME_LEN);
  c->name = dm_calloc("region name", m, DM_SEQ_NAME_LEN);
  c->strand = dm_calloc("region strand", m, 2);
  c->start = dm_calloc("region start", m, sizeof *c->start);
  c->end = dm_calloc("region end", m, sizeof *c->end);
}

static void columns_free(columns_t *c) {
  free(c->chrom);
  free(c->name);
  free(c->strand);
  free(c->start);
  free(c->end);
}

/* Read or write the 5 columns; every call is made even after an error. */
static int columns_io(dm_h5_t *h, int64_t a, int64_t b, columns_t *c, dm_h5_mode_t mode, int write) {
  dm_h5_field_t f[DM_REGIONS_NFIELDS];
  dm_regions_fields(f);
  void *buf[DM_REGIONS_NFIELDS] = {c->chrom, c->start, c->end, c->name, c->strand};
  int rc = 0;
  for (int k = 0; k < DM_REGIONS_NFIELDS; k++) {
    int e = write ? dm_h5_write_rows(h, &f[k], a, b, buf[k], mode)
                  : dm_h5_read_rows(h, &f[k], a, b, buf[k], mode);
    if (e < 0) rc = e;
  }
  return rc;
}

int dm_regions_write(dm_h5_t *h, int64_t a, int64_t b, const dm_region_t *reg, dm_h5_mode_t mode) {
  columns_t c;
  columns_init(&c, b - a);
  for (int64_t i = 0; i < b - a; i++) {
    memcpy(c.chrom + i * DM_SEQ_NAME_LEN, reg[i].chrom, DM_SEQ_NAME_LEN);
    memcpy(c.name + i * DM_SEQ_NAME_LEN, reg[i].name, DM_SEQ_NAME_LEN);
    c.chrom[(i + 1) * DM_SEQ_NAME_LEN - 1] = c.name[(i + 1) * DM_SEQ_NAME_LEN - 1] = '\0';
    c.strand[2 * i] = reg[i].strand;
    c.start[i] = reg[i].start;
    c.end[i] = reg[i].end;
  }
  int rc = columns_io(h, a, b, &c, mode, 1);
  columns_free(&c);
  return rc;
}

int dm_regions_read(dm_h5_t *h, int64_t a, int64_t b, dm_region_t *reg, dm_h5_mode_t mode) {
  columns_t c;
  columns_init(&c, b - a);
  int rc = columns_io(h, a, b, &c, mode, 0);
  for (int64_t i = 0; rc == 0 && i < b - a; i++) {
    memcpy(reg[i].chrom, c.chrom + i * DM_SEQ_NAME_LEN, DM_SEQ_NAME_LEN);
    memcpy(reg[i].name, c.name + i * DM_SEQ_NAME_LEN, DM_SEQ_NAME_LEN);
    reg[i].strand = c.strand[2 * i];
    reg[i].start = c.start[i];
    reg[i].end = c.end[i];
  }
  columns_free(&c);
  return rc;
}
