/* dm_runs: the runs of a manifest (or of one parameter file), their
 * directories and the state of each stage, for `dmotif plan` and
 * `dmotif status`.
 *
 * A manifest lists runs that share defaults:
 *
 *   output: runs               # one directory per run: runs/<name>/
 *   defaults:                  # for every run
 *     attr:    {Model: {file: model.h5}, References: {n: 10}}
 *     modisco: {Seqlets: {window: 20}}
 *     tasks: [0, 1]            # modisco tasks (default: Attr:tasks, else every task of the model)
 *   runs:
 *     - name: exp01            # letters, digits, '.', '_', '-'
 *       attr: {Input: {bed: exp01.bed, genome: hg38.fa, length: 1000}}
 *     - name: exp02
 *       attr: {Input: {sequences: exp02.tsv}}
 *       tasks: [2]
 *
 * A run's attr (modisco) parameters are the defaults' attr (modisco) block
 * with the run's block applied over it; relative paths name files relative
 * to the manifest's directory. The plan writes each run's directory:
 *   used_parameters.yml  every parameter of both stages, as blocks attr: and
 *                        modisco: (dmotif attr -p used_parameters.yml reads
 *                        its own block), and tasks:
 *   provenance.yml       versions (dmotif, MPI, HDF5, libyaml), manifest, time,
 *                        SHA-256 of every input file
 * Outputs: attr.h5, modisco_task<t>.h5. The job scripts append the Slurm
 * job of each stage they submit to slurm_jobs.tsv (stage, task, job id).
 *
 * A parameter file (attr's parameters, or blocks attr: and modisco:) is a
 * manifest of one run whose directory is that of its Output:file.
 *
 * The state of a stage is read from its output and from Slurm: done (attr.h5
 * complete; modisco_task<t>.h5 present), running (its last job is in squeue),
 * failed (its output is incomplete, or its last job ended without it), or
 * to do.
 */
#ifndef DM_RUNS_H
#define DM_RUNS_H

#include "dm_mpi.h"

typedef enum { DM_RUN_TODO, DM_RUN_RUNNING, DM_RUN_DONE, DM_RUN_FAILED } dm_run_state_t;

/** One run. */
typedef struct {
  char *name;
  char *dir;       /* its directory */
  char *attr_file; /* attr.h5 of the run, or NULL if not planned yet */
  long *tasks;     /* (n_tasks,) modisco tasks */
  int n_tasks;
} dm_run_t;

typedef struct {
  dm_run_t *runs;
  int n;
} dm_runs_t;

/**
 * @brief Read a manifest or a parameter file, check every run's parameters,
 *        and write each run's directory (used_parameters.yml, provenance.yml).
 * @return 0, or -1 after logging each problem (file, line, key)
 */
int dm_runs_plan(const char *path, dm_runs_t *runs);

/**
 * @brief The runs of a manifest, of a run directory, or of a directory of
 *        run directories (those holding used_parameters.yml); writes nothing.
 * @return 0, or -1 after logging
 */
int dm_runs_load(const char *path, dm_runs_t *runs);

/** @brief Free what dm_runs_plan / dm_runs_load filled. */
void dm_runs_free(dm_runs_t *runs);

/**
 * @brief Print every stage of every run with its state: a table for
 *        people, or "run dir stage task state" lines (tab-separated) for scripts.
 * @return the number of stages not done
 */
int dm_runs_print(const dm_runs_t *runs, int tsv);

/**
 * @brief The one argument of dmotif plan / status: argv[1], or -1 after
 *        printing usage to stderr (a wrong call), or 0 after printing it to
 *        stdout (--help). Prints on rank 0.
 * @return 1 with the argument in *arg, 0 for --help, -1 for a wrong call
 */
int dm_runs_arg(const dm_mpi_t *ctx, int argc, char **argv, const char *usage, const char **arg);

#endif
