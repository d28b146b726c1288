/* dm_test_mpi: the end of an MPI test driver.
 *
 * "return dm_test_finish_mpi(name);" sums the failed checks of every rank,
 * prints the summary on rank 0, finalises MPI and returns nonzero on every
 * rank if any check failed anywhere.
 */
#ifndef DM_TEST_MPI_H
#define DM_TEST_MPI_H

#include <mpi.h>

#include "dm_test.h"

static inline int dm_test_finish_mpi(const char *name) {
  int all = 0, rank = 0;
  MPI_Allreduce(&dm_test_fails, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  dm_test_fails = all;
  int rc = rank == 0 ? dm_test_summary(name) : (all != 0);
  MPI_Finalize();
  return rc;
}

#endif
