/* dm_cluster: community detection on the density-adapted graph (TF-MoDISco
 * step 5) with igraph, best modularity over several seeds.
 *
 * The graph: every seqlet a vertex, every stored P_ij (i < j) an undirected
 * edge of weight P_ij, every P_ii a self-loop of weight P_ii / 2. tfmodisco-
 * lite adds each stored entry of P as an edge, so its graph has every pair
 * twice and the diagonal once: the same graph with all weights doubled, hence
 * the same modularity for every partition.
 *
 * Methods: "leiden" (default; tfmodisco-lite runs leidenalg's Leiden on
 * modularity, iterated until stable, n_leiden_runs = 50 seeds, keeping the
 * best quality) is igraph_community_leiden with node weights = strengths and
 * resolution / 2m, i.e. modularity; "louvain" is igraph_community_multilevel.
 * Run r (0-based) seeds igraph's default RNG with seed * (r + 1) (lite: 100 r,
 * r from 1). Every run's partition is renumbered canonically (clusters by
 * size descending, ties by their smallest member) and scored with
 * igraph_modularity; the best run wins, ties going to the lowest run index,
 * so the result does not depend on how runs are spread over ranks.
 */
#ifndef DM_CLUSTER_H
#define DM_CLUSTER_H

#include <stdint.h>

#include "dm_mpi.h"
#include "dm_params.h"
#include "dm_sparse.h"

typedef enum { DM_CLUSTER_LEIDEN, DM_CLUSTER_LOUVAIN } dm_cluster_method_t;

typedef struct {
  dm_cluster_method_t method; /* leiden (lite) or louvain */
  long n_seeds;               /* runs, best modularity kept (lite CLI n_leiden 2, library 50) */
  long seed;                  /* run r uses RNG seed seed * (r + 1) (100) */
  double resolution;          /* modularity resolution gamma (1) */
  long n_iterations;          /* Leiden iterations, < 0: until one brings no improvement (lite -1) */
  double randomness;          /* Leiden refinement randomness beta (0.01) */
} dm_cluster_opt_t;

/** Cap on Leiden iterations when Cluster:n_iterations is negative. */
#define DM_CLUSTER_MAX_ITERATIONS 1000

/* Parameter table entries for the "Cluster:" section, to put in a command's
 * dm_param_spec_t table; read them with dm_cluster_opt_from_params. */
#define DM_CLUSTER_PARAMS                                                                               \
  {"Cluster:method", DM_PARAM_STRING, "leiden", "leiden|louvain",                                       \
   "community detection: leiden (as tfmodisco-lite) or louvain (igraph multilevel)"},                   \
      {"Cluster:n_seeds", DM_PARAM_INT, "2", NULL,                                                      \
       "runs with different seeds; the best modularity is kept"},                                       \
      {"Cluster:seed", DM_PARAM_INT, "100", NULL, "run r (from 0) seeds igraph's RNG with seed*(r+1)"}, \
      {"Cluster:resolution", DM_PARAM_FLOAT, "1", NULL, "modularity resolution parameter"},             \
      {"Cluster:n_iterations", DM_PARAM_INT, "-1", NULL,                                                \
       "Leiden iterations; negative: until one does not improve the quality (at most 1000)"},           \
  {                                                                                                     \
    "Cluster:randomness", DM_PARAM_FLOAT, "0.01", NULL, "Leiden refinement randomness (beta)"           \
  }

/** Result of the best run. */
typedef struct {
  double modularity;  /* igraph_modularity of the labels */
  long run;           /* index r of the run that produced them, -1 if none ran */
  int64_t n_clusters; /* clusters, labelled 0 .. n_clusters-1 */
  int32_t *labels;    /* (n,) caller's buffer: cluster of each vertex */
} dm_cluster_result_t;

typedef struct dm_cluster_graph_s dm_cluster_graph_t;

/**
 * @brief Fill o with the defaults above (tfmodisco-lite's where it has them).
 * @param o options to fill
 */
void dm_cluster_opt_init(dm_cluster_opt_t *o);

/**
 * @brief Validate options.
 * @param o options
 * @return 0 if o is valid, else -1 after logging the offending key
 */
DM_RESULT_USED int dm_cluster_opt_check(const dm_cluster_opt_t *o);

/**
 * @brief Read the "Cluster:" keys of DM_CLUSTER_PARAMS into o, then check.
 * @param o options to fill
 * @param p parameters whose spec table holds DM_CLUSTER_PARAMS
 * @return 0, or -1 (logged)
 */
DM_RESULT_USED int dm_cluster_opt_from_params(dm_cluster_opt_t *o, const dm_params_t *p);

/**
 * @brief Weighted undirected igraph graph of a symmetric matrix (only the
 *        entries with j >= i are read).
 * @param p symmetric, non-negative, e.g. from dm_density_run
 * @return the graph, free with dm_cluster_graph_destroy(); NULL if p has a
 *         negative or non-finite value or igraph fails (logged)
 */
dm_cluster_graph_t *dm_cluster_graph_init(const dm_sparse_t *p);

/**
 * @brief Free a graph from dm_cluster_graph_init.
 * @param g the graph, or NULL
 */
void dm_cluster_graph_destroy(dm_cluster_graph_t *g);

/**
 * @brief Run runs [r0, r1) and keep the best in res (see the file comment).
 * @param g   the graph
 * @param opt options (method, seed, resolution, ...; n_seeds is not used)
 * @param r0  first run index
 * @param r1  one past the last run index
 * @param res out; res->labels must hold n entries. With r0 == r1 it gets
 *            run -1 and modularity -INFINITY.
 * @return 0, or -1 if igraph failed (logged)
 */
DM_RESULT_USED int dm_cluster_run(const dm_cluster_graph_t *g, const dm_cluster_opt_t *opt, long r0, long r1,
                                  dm_cluster_result_t *res);

/**
 * @brief Compare two results, e.g. the best of two groups of runs.
 * @param a result
 * @param b result
 * @return 1 if a beats b: higher modularity, or equal and a lower run index
 *         (a run of -1, nothing run, never wins); else 0
 */
int dm_cluster_better(const dm_cluster_result_t *a, const dm_cluster_result_t *b);

/**
 * @brief Whether this rank runs any of the opt->n_seeds runs that
 *        dm_cluster_run_mpi spreads over the ranks (the first n_seeds
 *        ranks, or all); only those need the graph. Pure.
 * @param ctx ranks
 * @param opt options
 * @return 1 or 0
 */
int dm_cluster_runs_here(const dm_mpi_t *ctx, const dm_cluster_opt_t *opt);

/**
 * @brief All opt->n_seeds runs spread over the ranks of ctx, best kept.
 *        Collective; every rank gets the same result, the same as
 *        dm_cluster_run over all runs on one rank.
 * @param ctx ranks
 * @param g   the same graph on every rank where dm_cluster_runs_here, or
 *            NULL there if building it failed (logged); ignored elsewhere
 *            (NULL: ranks that run nothing need not hold the graph)
 * @param n   vertices of the graph
 * @param opt options
 * @param res out, as dm_cluster_run
 * @return 0 on every rank, or -1 on every rank if a graph is missing or
 *         igraph failed on any
 */
DM_RESULT_USED int dm_cluster_run_mpi(const dm_mpi_t *ctx, const dm_cluster_graph_t *g, int64_t n,
                                      const dm_cluster_opt_t *opt, dm_cluster_result_t *res);

#endif
