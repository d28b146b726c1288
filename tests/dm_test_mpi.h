/* dm_test_mpi: the end of an MPI test driver.
 *
 * "return dm_test_finish_mpi(name);" sums the checks and failed checks of
 * every rank, prints the summary on rank 0, finalises MPI and returns
 * rank 0's verdict (dm_test_summary) on every rank.
 */
#ifndef DM_TEST_MPI_H
#define DM_TEST_MPI_H

#include <mpi.h>

#include "dm_test.h"

static inline int dm_test_finish_mpi(const char *name) {
  int mine[3] = {dm_test_fails, dm_test_checks, dm_test_skipped}, all[3] = {0, 0, 0}, rank = 0, rc = 0;
  MPI_Allreduce(mine, all, 3, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  dm_test_fails = all[0];
  dm_test_checks = all[1];
  dm_test_skipped = all[2] > 0;
  if (rank == 0) rc = dm_test_summary(name);
  MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return rc;
}

#endif
