/* dmotif: command-line entry point. Only this file calls MPI_Init/Finalize. */

/* Standard headers. */
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Third-party headers. */
#include <hdf5.h>

/* Local headers. */
#include "dm_cmd.h"
#include "dm_h5.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_mpi.h"
#include "dm_params.h"
#include "dm_version.h"

/* The commands, NULL-terminated; each is defined in its dm_<name>_main.c. */
extern const dm_cmd_t dm_cmd_attr;
extern const dm_cmd_t dm_cmd_encode;
extern const dm_cmd_t dm_cmd_export;
extern const dm_cmd_t dm_cmd_hits;
extern const dm_cmd_t dm_cmd_modisco;
extern const dm_cmd_t dm_cmd_plan;
extern const dm_cmd_t dm_cmd_status;
extern const dm_cmd_t dm_cmd_report;
extern const dm_cmd_t dm_cmd_variants;
static const dm_cmd_t *const commands[] = {
    &dm_cmd_attr,
    &dm_cmd_encode,
    &dm_cmd_export,
    &dm_cmd_hits,
    &dm_cmd_modisco,
    &dm_cmd_plan,
    &dm_cmd_status,
    &dm_cmd_report,
    &dm_cmd_variants,
    NULL,
};

static void usage_main(FILE *fp) {
  fprintf(fp,
          "dmotif %s: which DNA positions drive a genomics CNN, and which motifs they form\n\n"
          "usage: [mpirun -n N] dmotif <command> [options]\n"
          "       dmotif --version | --help\n\ncommands:\n",
          DM_VERSION);
  for (int i = 0; commands[i]; i++) fprintf(fp, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
  fprintf(fp, "\nRun 'dmotif <command> --help' for its options and parameters.\n");
}

static void usage_cmd(FILE *fp, const dm_cmd_t *cmd) {
  fprintf(fp,
          "usage: [mpirun -n N] dmotif %s [-p params.yml]... [-P Section:key=value]... [-v]...\n\n"
          "%s\n\n"
          "options:\n"
          "  -p, --params FILE     parameter file (YAML, Section:key); may repeat, later wins\n"
          "  -P, --set S:key=VAL   override one parameter; may repeat, applied after files\n"
          "  -v, --verbose         more log output (repeat for debug)\n"
          "  -q, --quiet           errors and warnings only\n"
          "      --print-params    print every parameter with its default and exit\n"
          "  -h, --help            this help\n",
          cmd->name, cmd->usage);
  if (cmd->n_spec) {
    dm_params_t *p = dm_params_init(cmd->spec, cmd->n_spec);
    char *yaml = dm_params_to_yaml(p, 1);
    fprintf(fp, "\nparameters:\n%s", yaml);
    free(yaml);
    dm_params_destroy(p);
  }
}

/* The parameters in use, every key with its value, into the log (rank 0). */
static void log_params(const dm_params_t *p) {
  char *yaml = dm_params_to_yaml(p, 0);
  for (char *line = strtok(yaml, "\n"); line; line = strtok(NULL, "\n")) dm_log_info("param %s", line);
  free(yaml);
}

/* Parse options, load parameters and run cmd on every rank. */
static int run_command(const dm_mpi_t *ctx, const dm_cmd_t *cmd, int argc, char **argv) {
  static const struct option longopts[] = {
      {"params", required_argument, 0, 'p'}, {"set", required_argument, 0, 'P'},
      {"verbose", no_argument, 0, 'v'},      {"quiet", no_argument, 0, 'q'},
      {"help", no_argument, 0, 'h'},         {"print-params", no_argument, 0, 1},
      {0, 0, 0, 0}};
  char **files = dm_calloc("argv files", (size_t)argc, sizeof *files);
  char **sets = dm_calloc("argv sets", (size_t)argc, sizeof *sets);
  int n_files = 0, n_sets = 0, level = DM_LOG_INFO, c, rc = 0, help = 0, print = 0;
  optind = 1;
  opterr = ctx->rank == 0;
  while ((c = getopt_long(argc, argv, "p:P:vqh", longopts, NULL)) != -1) {
    switch (c) {
    case 'p': files[n_files++] = optarg; break;
    case 'P': sets[n_sets++] = optarg; break;
    case 'v': level = level < DM_LOG_DEBUG ? level + 1 : level; break;
    case 'q': level = DM_LOG_WARN; break;
    case 'h': help = 1; break;
    case 1: print = 1; break;
    default: rc = 2;
    }
  }
  dm_log_init(ctx->rank, level);
  if (rc == 0 && optind < argc) {
    dm_log_error("dmotif %s: unexpected argument '%s' (inputs are parameters: see --help)", cmd->name,
                 argv[optind]);
    rc = 2;
  }
  dm_params_t *p = dm_params_init(cmd->spec, cmd->n_spec);
  dm_params_set_command(p, cmd->name);
  if (rc == 0 && (help || print)) {
    if (ctx->rank == 0) {
      if (help) usage_cmd(stdout, cmd);
      else {
        char *yaml = dm_params_to_yaml(p, 1);
        fputs(yaml, stdout);
        free(yaml);
      }
    }
  } else if (rc == 0) {
    if (dm_params_load(ctx, p, files, n_files, sets, n_sets) < 0) {
      rc = 2;
    } else {
      log_params(p);
      rc = cmd->run(ctx, p);
      dm_mpi_summary(ctx, argc, argv);
    }
  } else if (ctx->rank == 0) {
    fprintf(stderr, "Run 'dmotif %s --help' for usage.\n", cmd->name);
  }
  dm_params_destroy(p);
  free(files);
  free(sets);
  return rc;
}

int main(int argc, char **argv) {
#ifdef __GLIBC__
  /* Blocks of 1 MiB and more are mapped and go back to the system when
   * freed. glibc raises this threshold after each such free, and the large
   * buffers of one step, later freed, then stay in the heap (stage 2 on the
   * example: 204 instead of 181 MiB peak per rank). */
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_WORLD);
  dm_log_init(ctx.rank, DM_LOG_INFO);
  dm_h5_quiet();
  signal(SIGXFSZ, SIG_IGN); /* past a file size limit, writes fail (and are reported) instead of killing */
  int rc = 0;
  const char *name = argc > 1 ? argv[1] : NULL;
  if (!name || strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
    if (ctx.rank == 0) usage_main(name ? stdout : stderr);
    rc = name ? 0 : 2;
  } else if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
    if (ctx.rank == 0) printf("dmotif %s\n", DM_VERSION);
  } else {
    const dm_cmd_t *cmd = NULL;
    for (int i = 0; commands[i]; i++)
      if (strcmp(commands[i]->name, name) == 0) cmd = commands[i];
    if (cmd && cmd->run_args) {
      rc = cmd->run_args(&ctx, argc - 1, argv + 1);
    } else if (cmd) {
      rc = run_command(&ctx, cmd, argc - 1, argv + 1);
    } else {
      if (ctx.rank == 0) fprintf(stderr, "dmotif: unknown command '%s'\n\n", name), usage_main(stderr);
      rc = 2;
    }
  }
  H5close(); /* while MPI is up: HDF5 must not flush files from its exit handler after MPI_Finalize */
  MPI_Finalize();
  return rc;
}
