/* dmotif status: every run and stage, done / running / failed / to do, read
 * from the outputs themselves and from Slurm's queue (see dm_runs.h). */
#include "dm_cmd.h"
#include "dm_runs.h"

static int status_main(const dm_mpi_t *ctx, int argc, char **argv) {
  const char *path = NULL;
  int got =
      dm_runs_arg(ctx, argc, argv,
                  "usage: dmotif status <manifest.yml | run directory | directory of runs>\n\n"
                  "For each run and stage: done (attr.h5 complete, modisco_task<t>.h5 present), running\n"
                  "(its Slurm job is queued or running), failed (output incomplete, or its job ended\n"
                  "without it) or to do. Exit code 0 when every stage is done, 1 otherwise.\n",
                  &path);
  if (got <= 0) return got < 0 ? 2 : 0;
  int rc = 0;
  if (ctx->rank == 0) {
    dm_runs_t runs;
    rc = dm_runs_load(path, &runs) < 0 ? 2 : dm_runs_print(&runs, 0) ? 1 : 0;
    dm_runs_free(&runs);
  }
  return rc;
}

const dm_cmd_t dm_cmd_status = {
    .name = "status",
    .summary = "state of every run and stage of a manifest or directory",
    .run_args = status_main,
};
