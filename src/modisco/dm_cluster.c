/* dm_cluster: Leiden / Louvain over seeds with igraph, canonical labels. */
#include "dm_cluster.h"

#include <igraph.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"

struct dm_cluster_graph_s {
  int64_t n;
  igraph_t graph;
  igraph_vector_t weight;   /* (n_edges,) */
  igraph_vector_t strength; /* (n,) weighted degree, self-loops counted twice */
  double two_m;             /* sum of strengths = 2 * total weight */
};

// --- options

void dm_cluster_opt_init(dm_cluster_opt_t *o) {
  o->method = DM_CLUSTER_LEIDEN;
  o->n_seeds = 2;
  o->seed = 100;
  o->resolution = 1.0;
  o->n_iterations = -1;
  o->randomness = 0.01;
}

int dm_cluster_opt_check(const dm_cluster_opt_t *o) {
  if (o->method != DM_CLUSTER_LEIDEN && o->method != DM_CLUSTER_LOUVAIN) {
    dm_log_error("Cluster:method: unknown method %d", (int)o->method);
    return -1;
  }
  if (o->n_seeds < 1 || o->n_seeds > INT32_MAX) {
    dm_log_error("Cluster:n_seeds must be in [1, %d] (got %ld)", INT32_MAX, o->n_seeds);
    return -1;
  }
  if (o->seed < 1) {
    dm_log_error("Cluster:seed must be >= 1 (got %ld)", o->seed);
    return -1;
  }
  if (!(o->resolution > 0.0)) {
    dm_log_error("Cluster:resolution must be > 0 (got %g)", o->resolution);
    return -1;
  }
  if (o->n_iterations == 0) {
    dm_log_error("Cluster:n_iterations must not be 0 (negative: until stable)");
    return -1;
  }
  if (!(o->randomness > 0.0)) {
    dm_log_error("Cluster:randomness must be > 0 (got %g)", o->randomness);
    return -1;
  }
  return 0;
}

int dm_cluster_opt_from_params(dm_cluster_opt_t *o, const dm_params_t *p) {
  dm_cluster_opt_init(o);
  const char *m = dm_params_get_string(p, "Cluster:method");
  o->method = strcmp(m, "louvain") == 0 ? DM_CLUSTER_LOUVAIN : DM_CLUSTER_LEIDEN;
  o->n_seeds = dm_params_get_int(p, "Cluster:n_seeds");
  o->seed = dm_params_get_int(p, "Cluster:seed");
  o->resolution = dm_params_get_float(p, "Cluster:resolution");
  o->n_iterations = dm_params_get_int(p, "Cluster:n_iterations");
  o->randomness = dm_params_get_float(p, "Cluster:randomness");
  return dm_cluster_opt_check(o);
}

// --- graph

dm_cluster_graph_t *dm_cluster_graph_init(const dm_sparse_t *p) {
  const int64_t n = p->n;
  int64_t n_edges = 0;
  for (int64_t i = 0; i < n; i++) {
    for (int64_t k = p->rowptr[i]; k < p->rowptr[i + 1]; k++) {
      if (!(p->val[k] >= 0.0f) || !isfinite(p->val[k])) {
        dm_log_error("graph row %ld, column %d: weight %g is negative or not finite", (long)i, p->col[k],
                     p->val[k]);
        return NULL;
      }
      n_edges += p->col[k] >= i;
    }
  }
  dm_cluster_graph_t *g = dm_calloc("cluster graph", 1, sizeof(*g));
  g->n = n;
  igraph_error_handler_t *old = igraph_set_error_handler(igraph_error_handler_printignore);
  igraph_vector_int_t edges;
  int have = 0; /* how many of edges, weight, graph, strength exist */
  int rc = igraph_vector_int_init(&edges, 2 * n_edges);
  if (rc) goto fail;
  have = 1;
  if ((rc = igraph_vector_init(&g->weight, n_edges))) goto fail;
  have = 2;
  int64_t e = 0;
  for (int64_t i = 0; i < n; i++) {
    for (int64_t k = p->rowptr[i]; k < p->rowptr[i + 1]; k++) {
      if (p->col[k] < i) continue;
      VECTOR(edges)[2 * e] = i;
      VECTOR(edges)[2 * e + 1] = p->col[k];
      VECTOR(g->weight)[e++] = p->col[k] == i ? 0.5 * (double)p->val[k] : (double)p->val[k];
    }
  }
  if ((rc = igraph_create(&g->graph, &edges, n, IGRAPH_UNDIRECTED))) goto fail;
  have = 3;
  if ((rc = igraph_vector_init(&g->strength, n))) goto fail;
  have = 4;
  if ((rc = igraph_strength(&g->graph, &g->strength, igraph_vss_all(), IGRAPH_ALL, 1, &g->weight))) goto fail;
  igraph_vector_int_destroy(&edges);
  igraph_set_error_handler(old);
  g->two_m = igraph_vector_sum(&g->strength);
  return g;

fail:
  dm_log_error("igraph could not build the graph of %ld vertices, %ld edges (error %d)", (long)n,
               (long)n_edges, rc);
  if (have >= 1) igraph_vector_int_destroy(&edges);
  if (have >= 2) igraph_vector_destroy(&g->weight);
  if (have >= 3) igraph_destroy(&g->graph);
  if (have >= 4) igraph_vector_destroy(&g->strength);
  igraph_set_error_handler(old);
  free(g);
  return NULL;
}

void dm_cluster_graph_destroy(dm_cluster_graph_t *g) {
  if (!g) return;
  igraph_destroy(&g->graph);
  igraph_vector_destroy(&g->weight);
  igraph_vector_destroy(&g->strength);
  free(g);
}

// --- runs

typedef struct {
  int64_t size, first, raw; /* members, smallest member, label given by igraph */
} cluster_t;

static int cluster_cmp(const void *a, const void *b) {
  const cluster_t *x = a, *y = b;
  if (x->size != y->size) return x->size > y->size ? -1 : 1;
  return (x->first > y->first) - (x->first < y->first);
}

/* Canonical labels of membership into labels (n,); returns the cluster
 * count. cl (n,) and map (n,) are work space. */
static int64_t relabel(const igraph_vector_int_t *membership, int64_t n, cluster_t *cl, int64_t *map,
                       int32_t *labels) {
  int64_t k = 0;
  for (int64_t c = 0; c < n; c++) cl[c] = (cluster_t){0, n, c};
  for (int64_t v = 0; v < n; v++) {
    int64_t c = VECTOR(*membership)[v];
    DM_ASSERT(c >= 0 && c < n);
    if (cl[c].size++ == 0) cl[c].first = v;
    if (c + 1 > k) k = c + 1;
  }
  qsort(cl, (size_t)k, sizeof(*cl), cluster_cmp);
  int64_t n_clusters = 0;
  for (int64_t c = 0; c < k; c++) {
    map[cl[c].raw] = c;
    n_clusters += cl[c].size > 0;
  }
  for (int64_t v = 0; v < n; v++) labels[v] = (int32_t)map[VECTOR(*membership)[v]];
  return n_clusters;
}

int dm_cluster_better(const dm_cluster_result_t *a, const dm_cluster_result_t *b) {
  if (a->run < 0) return 0;
  if (b->run < 0) return 1;
  if (a->modularity != b->modularity) return a->modularity > b->modularity;
  return a->run < b->run;
}

/* Leiden on g into memb. A negative opt->n_iterations means, as in
 * leidenalg (what tfmodisco-lite runs), "until an iteration brings no
 * improvement of the quality": igraph's own "until the partition is stable"
 * can cycle forever on degenerate graphs (e.g. a complete graph with equal
 * weights), so single iterations are run from the previous partition. */
static int leiden(const dm_cluster_graph_t *g, const dm_cluster_opt_t *opt, igraph_vector_int_t *memb) {
  const igraph_real_t res = g->two_m > 0 ? opt->resolution / g->two_m : 0.0;
  igraph_integer_t nb;
  igraph_real_t quality = -INFINITY, prev;
  if (opt->n_iterations > 0)
    return igraph_community_leiden(&g->graph, &g->weight, &g->strength, res, opt->randomness, 0,
                                   opt->n_iterations, memb, &nb, &quality);
  int rc = 0, it = 0;
  double t0 = dm_wall_time();
  for (; it < DM_CLUSTER_MAX_ITERATIONS && !rc; it++) {
    prev = quality;
    rc = igraph_community_leiden(&g->graph, &g->weight, &g->strength, res, opt->randomness, it > 0, 1, memb,
                                 &nb, &quality);
    if (quality <= prev) break;
  }
  dm_log_debug("Leiden: %ld vertices, %ld edges: %d iterations, %.3f s", (long)g->n,
               (long)igraph_ecount(&g->graph), it + 1, dm_wall_time() - t0);
  return rc;
}

int dm_cluster_run(const dm_cluster_graph_t *g, const dm_cluster_opt_t *opt, long r0, long r1,
                   dm_cluster_result_t *res) {
  const int64_t n = g->n;
  res->run = -1;
  res->modularity = -INFINITY;
  res->n_clusters = 0;
  cluster_t *cl = dm_malloc("cluster sizes", (size_t)n * sizeof(*cl));
  int64_t *map = dm_malloc("cluster map", (size_t)n * sizeof(*map));
  int32_t *labels = dm_malloc("cluster labels", (size_t)n * sizeof(*labels));
  igraph_error_handler_t *old = igraph_set_error_handler(igraph_error_handler_printignore);
  igraph_vector_int_t memb;
  int rc = igraph_vector_int_init(&memb, n);
  for (long r = r0; r < r1 && !rc; r++) {
    rc = igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)opt->seed * (igraph_uint_t)(r + 1));
    if (!rc && opt->method == DM_CLUSTER_LEIDEN) {
      rc = leiden(g, opt, &memb);
    } else if (!rc) {
      rc = igraph_community_multilevel(&g->graph, &g->weight, opt->resolution, &memb, NULL, NULL);
    }
    if (rc) break;
    dm_cluster_result_t cur = {0.0, r, relabel(&memb, n, cl, map, labels), labels};
    if (n > 0) {
      for (int64_t v = 0; v < n; v++) VECTOR(memb)[v] = labels[v];
      rc = igraph_modularity(&g->graph, &memb, &g->weight, opt->resolution, 0, &cur.modularity);
      if (isnan(cur.modularity)) cur.modularity = -INFINITY; /* no edge weight at all */
    }
    if (!rc && dm_cluster_better(&cur, res)) {
      memcpy(res->labels, labels, (size_t)n * sizeof(*labels));
      res->modularity = cur.modularity;
      res->run = r;
      res->n_clusters = cur.n_clusters;
    }
  }
  igraph_vector_int_destroy(&memb);
  igraph_set_error_handler(old);
  free(cl);
  free(map);
  free(labels);
  if (rc) {
    dm_log_error("igraph %s failed on a graph of %ld vertices (error %d)",
                 opt->method == DM_CLUSTER_LEIDEN ? "Leiden" : "multilevel", (long)n, rc);
    return -1;
  }
  return 0;
}

int dm_cluster_runs_here(const dm_mpi_t *ctx, const dm_cluster_opt_t *opt) {
  int64_t r0, nr;
  dm_mpi_block_range(opt->n_seeds, ctx->size, ctx->rank, &r0, &nr);
  return nr > 0;
}

int dm_cluster_run_mpi(const dm_mpi_t *ctx, const dm_cluster_graph_t *g, int64_t n,
                       const dm_cluster_opt_t *opt, dm_cluster_result_t *res) {
  int64_t r0, nr;
  dm_mpi_block_range(opt->n_seeds, ctx->size, ctx->rank, &r0, &nr);
  res->run = -1, res->modularity = -INFINITY, res->n_clusters = 0;
  int ok = nr == 0 || (g && dm_cluster_run(g, opt, (long)r0, (long)(r0 + nr), res) == 0), all_ok;
  DM_MPI_CHECK(MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, ctx->comm));
  if (!all_ok) return -1;
  /* best modularity, ties to the lowest run: MAXLOC keeps the lowest index */
  struct {
    double q;
    int r;
  } mine = {res->run >= 0 ? res->modularity : -INFINITY, res->run >= 0 ? (int)res->run : INT32_MAX}, best;
  DM_MPI_CHECK(MPI_Allreduce(&mine, &best, 1, MPI_DOUBLE_INT, MPI_MAXLOC, ctx->comm));
  int owner = 0;
  for (int k = 0; k < ctx->size; k++) {
    int64_t s, c;
    dm_mpi_block_range(opt->n_seeds, ctx->size, k, &s, &c);
    if (best.r >= s && best.r < s + c) owner = k;
  }
  int64_t nc = res->n_clusters;
  DM_MPI_CHECK(MPI_Bcast(&nc, 1, MPI_INT64_T, owner, ctx->comm));
  DM_MPI_CHECK(MPI_Bcast(res->labels, (int)n, MPI_INT32_T, owner, ctx->comm));
  res->modularity = best.q;
  res->run = best.r;
  res->n_clusters = nc;
  return 0;
}
