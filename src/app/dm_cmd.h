/* dm_cmd: what a dmotif subcommand provides to the dispatcher.
 *
 * A command is a name, its parameter table and a run function. The
 * dispatcher (dmotif.c) initialises MPI and logging, handles --help and
 * --print-params, loads parameter files and -P overrides on rank 0 and
 * broadcasts them, calls run on every rank, writes the summary and
 * finalises MPI (a command with run_args gets its arguments as they are
 * instead). To add a command: one dm_<name>_main.c defining a
 * dm_cmd_t, and one line in the table of dmotif.c.
 */
#ifndef DM_CMD_H
#define DM_CMD_H

#include "dm_mpi.h"
#include "dm_params.h"

typedef struct {
  const char *name;            /* "attr", "modisco", ... */
  const char *summary;         /* one line for dmotif --help */
  const char *usage;           /* paragraph for dmotif <name> --help */
  const dm_param_spec_t *spec; /* (n_spec,) parameter table */
  int n_spec;
  /** @return process exit code (0 ok); called on every rank */
  int (*run)(const dm_mpi_t *ctx, const dm_params_t *p);
  /** For a command that takes plain arguments instead of parameters (spec
   *  and run unused): argv[0] is the command's name; called on every rank.
   *  @return process exit code */
  int (*run_args)(const dm_mpi_t *ctx, int argc, char **argv);
} dm_cmd_t;

#endif
