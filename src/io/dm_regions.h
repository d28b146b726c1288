/* dm_regions: the /regions/{chrom,start,end,name,strand} datasets that map
 * every row of an output file (encode, attr) back to the genome.
 *   chrom, name  (N,) fixed strings of DM_SEQ_NAME_LEN bytes
 *   start, end   (N,) int64, 0-based half-open
 *   strand       (N,) fixed strings of 2 bytes ("+", "-" or ".")
 */
#ifndef DM_REGIONS_H
#define DM_REGIONS_H

#include "dm_h5.h"
#include "dm_seq.h"

/** Number of region datasets. */
#define DM_REGIONS_NFIELDS 5

/**
 * @brief The region datasets, for dm_h5_create / dm_h5_add_fields.
 * @param fields (DM_REGIONS_NFIELDS,) filled
 */
void dm_regions_fields(dm_h5_field_t *fields);

/**
 * @brief Write the region records of rows [a, b) (datasets from dm_regions_fields).
 * @param h    handle opened writable
 * @param a    first row
 * @param b    one past the last row
 * @param reg  (b-a,) records
 * @param mode DM_H5_COLLECTIVE (every rank calls, a == b for none) or independent
 * @return 0, or negative after logging
 */
DM_RESULT_USED int dm_regions_write(dm_h5_t *h, int64_t a, int64_t b, const dm_region_t *reg,
                                    dm_h5_mode_t mode);

/**
 * @brief Read the region records of rows [a, b).
 * @param h    handle
 * @param a    first row
 * @param b    one past the last row
 * @param reg  (b-a,) records (out)
 * @param mode DM_H5_COLLECTIVE or DM_H5_INDEPENDENT
 * @return 0, or negative after logging
 */
DM_RESULT_USED int dm_regions_read(dm_h5_t *h, int64_t a, int64_t b, dm_region_t *reg, dm_h5_mode_t mode);

#endif
