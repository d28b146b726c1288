/* dmotif plan: check a manifest (or a parameter file) and write each run's
 * directory, then list every stage with its state (see dm_runs.h). */
#include "dm_cmd.h"
#include "dm_runs.h"

static int plan_main(const dm_mpi_t *ctx, int argc, char **argv) {
  const char *path = NULL;
  int got =
      dm_runs_arg(ctx, argc, argv,
                  "usage: dmotif plan <manifest.yml | params.yml>\n\n"
                  "Checks every run's parameters and writes its directory (used_parameters.yml with the\n"
                  "parameters of attr and modisco, provenance.yml with the version and the SHA-256 of\n"
                  "every input), then prints one line per stage: run, directory, stage (attr or modisco),\n"
                  "task (-1 for attr), state (done, running, failed, to do), tab-separated. A parameter\n"
                  "file (attr's sections, or blocks attr: and modisco:) is one run in the directory of its\n"
                  "Output:file. jobs/pipeline.sh submits what this lists as to do or failed.\n",
                  &path);
  if (got <= 0) return got < 0 ? 2 : 0;
  int rc = 0;
  if (ctx->rank == 0) {
    dm_runs_t runs;
    rc = dm_runs_plan(path, &runs) < 0 ? 2 : 0;
    if (rc == 0) (void)dm_runs_print(&runs, 1);
    dm_runs_free(&runs);
  }
  return rc;
}

const dm_cmd_t dm_cmd_plan = {
    .name = "plan",
    .summary = "check a run manifest and write each run's directory; list the stages to do",
    .run_args = plan_main,
};
