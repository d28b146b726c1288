/* test_cluster: planted partitions recovered exactly (graph and whole
 * density + clustering pipeline), modularity against igraph_modularity on the
 * graph built as tfmodisco-lite builds it, canonical labels, seed
 * determinism and best-of-seeds independent of how the seeds are split. */
#include <igraph.h>
#include <stdlib.h>
#include <string.h>

#include "dm_cluster.h"
#include "dm_density.h"
#include "dm_test.h"

/* dense symmetric (n, n) matrix -> CSR of its nonzeros */
static dm_sparse_t *from_dense(int n, const float *a) {
  int64_t nnz = 0;
  for (int i = 0; i < n * n; i++) nnz += a[i] != 0;
  dm_sparse_t *m = dm_sparse_init(n, nnz);
  int64_t out = 0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++)
      if (a[(size_t)i * n + j] != 0) {
        m->col[out] = j;
        m->val[out++] = a[(size_t)i * n + j];
      }
    m->rowptr[i + 1] = out;
  }
  return m;
}

static double urand(void) { return rand() / (double)RAND_MAX; }

/* planted partition: blocks of the given sizes over a random permutation of
 * the vertices; block[v] (n,) gets each vertex's block */
static float *planted(int n, int nb, const int *sizes, double p_in, double p_out, int *block) {
  int *perm = malloc(n * sizeof(int));
  for (int v = 0; v < n; v++) perm[v] = v;
  for (int v = n - 1; v > 0; v--) {
    int u = rand() % (v + 1), t = perm[u];
    perm[u] = perm[v];
    perm[v] = t;
  }
  for (int b = 0, v = 0; b < nb; b++)
    for (int s = 0; s < sizes[b]; s++) block[perm[v++]] = b;
  float *a = calloc((size_t)n * n, sizeof(float));
  for (int i = 0; i < n; i++) {
    a[(size_t)i * n + i] = 0.05f;
    for (int j = i + 1; j < n; j++) {
      int same = block[i] == block[j];
      if (urand() < (same ? p_in : p_out))
        a[(size_t)i * n + j] = a[(size_t)j * n + i] = (float)(same ? 0.5 + 0.5 * urand() : 0.1 * urand());
    }
  }
  free(perm);
  return a;
}

/* modularity by igraph on the graph as tfmodisco-lite builds it: every
 * stored entry an edge (pairs twice, diagonal once) */
static double lite_modularity(const dm_sparse_t *p, const int32_t *labels, double resolution) {
  igraph_vector_int_t edges, memb;
  igraph_vector_t w;
  igraph_t g;
  igraph_vector_int_init(&edges, 2 * p->rowptr[p->n]);
  igraph_vector_init(&w, p->rowptr[p->n]);
  igraph_vector_int_init(&memb, p->n);
  for (int64_t i = 0; i < p->n; i++) {
    VECTOR(memb)[i] = labels[i];
    for (int64_t k = p->rowptr[i]; k < p->rowptr[i + 1]; k++) {
      VECTOR(edges)[2 * k] = i;
      VECTOR(edges)[2 * k + 1] = p->col[k];
      VECTOR(w)[k] = p->val[k];
    }
  }
  igraph_create(&g, &edges, p->n, IGRAPH_UNDIRECTED);
  double q;
  igraph_modularity(&g, &memb, &w, resolution, 0, &q);
  igraph_destroy(&g);
  igraph_vector_int_destroy(&edges);
  igraph_vector_int_destroy(&memb);
  igraph_vector_destroy(&w);
  return q;
}

/* labels canonical: sizes non-increasing, equal sizes ordered by smallest member */
static int canonical(int64_t n, const int32_t *labels, int64_t k) {
  int64_t *size = calloc(k, sizeof(int64_t)), *first = malloc(k * sizeof(int64_t));
  for (int64_t c = 0; c < k; c++) first[c] = n;
  for (int64_t v = 0; v < n; v++) {
    if (labels[v] < 0 || labels[v] >= k) return 0;
    if (size[labels[v]]++ == 0) first[labels[v]] = v;
  }
  int ok = 1;
  for (int64_t c = 1; c < k; c++)
    ok &= size[c] > 0 && (size[c] < size[c - 1] || (size[c] == size[c - 1] && first[c] > first[c - 1]));
  free(size);
  free(first);
  return ok;
}

static void test_planted(dm_cluster_method_t method) {
  const int sizes[4] = {40, 30, 30, 20}, n = 120;
  int block[120];
  srand(3);
  float *a = planted(n, 4, sizes, 0.5, 0.02, block);
  dm_sparse_t *p = from_dense(n, a);
  dm_cluster_graph_t *g = dm_cluster_graph_init(p);
  CHECK(g != NULL, "graph failed");
  dm_cluster_opt_t o;
  dm_cluster_opt_init(&o);
  o.method = method;
  o.n_seeds = 5;
  int32_t labels[120];
  dm_cluster_result_t r = {.labels = labels};
  CHECK(dm_cluster_run(g, &o, 0, o.n_seeds, &r) == 0, "run failed");
  CHECK(r.n_clusters == 4, "method %d: %ld clusters", method, (long)r.n_clusters);
  /* canonical labels: block 0 (40) -> 0, blocks 1 and 2 (30) by smallest member, block 3 -> 3 */
  int first1 = n, first2 = n;
  for (int v = n - 1; v >= 0; v--) {
    if (block[v] == 1) first1 = v;
    if (block[v] == 2) first2 = v;
  }
  int want[4] = {0, first1 < first2 ? 1 : 2, first1 < first2 ? 2 : 1, 3};
  int wrong = 0;
  for (int v = 0; v < n; v++) wrong += labels[v] != want[block[v]];
  CHECK(wrong == 0, "method %d: %d vertices off their planted block", method, wrong);
  CLOSE(r.modularity, lite_modularity(p, labels, 1.0), 1e-12);
  CHECK(r.modularity > 0.6, "modularity %g", r.modularity);
  dm_cluster_graph_destroy(g);
  dm_sparse_destroy(p);
  free(a);
}

/* A complete graph with equal weights (a degenerate round of 5 seqlets):
 * igraph's "Leiden until stable" cycled forever on it; every seed must end. */
static void test_degenerate(void) {
  enum { N = 5 };
  float a[N * N];
  for (int i = 0; i < N * N; i++) a[i] = 0.2f; /* with self-loops, as density gives */
  dm_sparse_t *p = from_dense(N, a);
  dm_cluster_graph_t *g = dm_cluster_graph_init(p);
  dm_cluster_opt_t o;
  dm_cluster_opt_init(&o);
  int32_t labels[N];
  dm_cluster_result_t r = {.labels = labels};
  CHECK(dm_cluster_run(g, &o, 0, o.n_seeds, &r) == 0, "degenerate graph: run failed");
  CHECK(r.n_clusters >= 1 && r.n_clusters <= N, "degenerate graph: %ld clusters", (long)r.n_clusters);
  dm_cluster_graph_destroy(g);
  dm_sparse_destroy(p);
}

/* noisy graph where seeds disagree: best of seeds, split in groups */
static void test_seeds(dm_cluster_method_t method) {
  const int n = 300;
  srand(9);
  float *a = calloc((size_t)n * n, sizeof(float));
  for (int i = 0; i < n; i++)
    for (int e = 0; e < 4; e++) {
      int j = rand() % n;
      if (j != i) a[(size_t)i * n + j] = a[(size_t)j * n + i] = (float)urand();
    }
  dm_sparse_t *p = from_dense(n, a);
  dm_cluster_graph_t *g = dm_cluster_graph_init(p);
  dm_cluster_opt_t o;
  dm_cluster_opt_init(&o);
  o.method = method;
  o.n_seeds = 12;
  int32_t *best = malloc(n * sizeof(int32_t)), *again = malloc(n * sizeof(int32_t));
  int32_t *one = malloc(n * sizeof(int32_t)), *acc = malloc(n * sizeof(int32_t));
  dm_cluster_result_t rb = {.labels = best}, ra = {.labels = again};
  CHECK(dm_cluster_run(g, &o, 0, o.n_seeds, &rb) == 0, "run failed");
  CHECK(dm_cluster_run(g, &o, 0, o.n_seeds, &ra) == 0, "run failed");
  CHECK(ra.run == rb.run && ra.modularity == rb.modularity && memcmp(best, again, n * sizeof(int32_t)) == 0,
        "method %d: same seeds, different result", method);
  CHECK(canonical(n, best, rb.n_clusters), "labels not canonical");
  CLOSE(rb.modularity, lite_modularity(p, best, 1.0), 1e-12);
  /* independent best: each seed alone, keep the max, lowest run on ties */
  double qmax = -1, qmin = 2;
  long rmax = -1;
  for (long s = 0; s < o.n_seeds; s++) {
    dm_cluster_result_t r1 = {.labels = one};
    CHECK(dm_cluster_run(g, &o, s, s + 1, &r1) == 0 && r1.run == s, "single run failed");
    if (r1.modularity > qmax) qmax = r1.modularity, rmax = s;
    if (r1.modularity < qmin) qmin = r1.modularity;
  }
  CHECK(qmin < qmax, "method %d: all seeds agree, the test cannot tell seeds apart", method);
  CHECK(rb.run == rmax && rb.modularity == qmax, "best run %ld (%g), want %ld (%g)", rb.run, rb.modularity,
        rmax, qmax);
  /* split into 1, 2, 4 groups and merge the group winners */
  for (int groups = 1; groups <= 4; groups *= 2) {
    dm_cluster_result_t merged = {.run = -1, .labels = acc};
    for (int k = 0; k < groups; k++) {
      long s0 = o.n_seeds * k / groups, s1 = o.n_seeds * (k + 1) / groups;
      dm_cluster_result_t r = {.labels = one};
      CHECK(dm_cluster_run(g, &o, s0, s1, &r) == 0, "group run failed");
      if (dm_cluster_better(&r, &merged)) {
        memcpy(acc, one, n * sizeof(int32_t));
        merged.modularity = r.modularity;
        merged.run = r.run;
        merged.n_clusters = r.n_clusters;
      }
    }
    CHECK(merged.run == rb.run && merged.modularity == rb.modularity &&
              memcmp(acc, best, n * sizeof(int32_t)) == 0,
          "%d groups: run %ld, want %ld", groups, merged.run, rb.run);
  }
  /* ties go to the lower run; nothing run never wins */
  dm_cluster_result_t x = {0.5, 3, 1, NULL}, y = {0.5, 7, 1, NULL}, none = {-INFINITY, -1, 0, NULL};
  CHECK(dm_cluster_better(&x, &y) && !dm_cluster_better(&y, &x), "tie not to the lower run");
  CHECK(dm_cluster_better(&x, &none) && !dm_cluster_better(&none, &x), "empty result wins");
  dm_cluster_result_t empty = {.labels = one};
  CHECK(dm_cluster_run(g, &o, 4, 4, &empty) == 0 && empty.run == -1, "empty run range");
  free(best);
  free(again);
  free(one);
  free(acc);
  dm_cluster_graph_destroy(g);
  dm_sparse_destroy(p);
  free(a);
}

/* the whole of steps 4-5 on affinities with 3 planted groups of seqlets,
 * each seqlet's top-k neighbours as an affinity step would give them */
static void test_pipeline(void) {
  const int n = 150, k = 30;
  srand(21);
  int grp[150];
  for (int i = 0; i < n; i++) grp[i] = (i * 7) % 3;
  dm_sparse_t *aff = dm_sparse_init(n, (int64_t)n * k);
  float *row = malloc(n * sizeof(float));
  int *idx = malloc(n * sizeof(int));
  int64_t out = 0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) {
      row[j] = j == i ? 1.0f : (float)(grp[i] == grp[j] ? 0.6 + 0.35 * urand() : 0.05 + 0.5 * urand());
      idx[j] = j;
    }
    for (int s = 0; s < k; s++) /* partial selection sort: top k */
      for (int t = s + 1; t < n; t++)
        if (row[idx[t]] > row[idx[s]]) {
          int u = idx[s];
          idx[s] = idx[t];
          idx[t] = u;
        }
    for (int s = 0; s < k; s++) {
      aff->col[out] = idx[s];
      aff->val[out++] = row[idx[s]];
    }
    aff->rowptr[i + 1] = out;
  }
  dm_density_opt_t dop;
  dm_density_opt_init(&dop);
  dm_sparse_t *p = dm_density_run(aff, &dop);
  CHECK(p != NULL, "density failed");
  dm_cluster_graph_t *g = dm_cluster_graph_init(p);
  dm_cluster_opt_t o;
  dm_cluster_opt_init(&o);
  o.n_seeds = 4;
  int32_t labels[150];
  dm_cluster_result_t r = {.labels = labels};
  CHECK(dm_cluster_run(g, &o, 0, o.n_seeds, &r) == 0, "run failed");
  CHECK(r.n_clusters == 3, "%ld clusters", (long)r.n_clusters);
  int wrong = 0; /* groups have 50 members each: labels by smallest member: 0, 1, 2 */
  for (int i = 0; i < n; i++) wrong += labels[i] != grp[i];
  CHECK(wrong == 0, "%d seqlets off their group", wrong);
  free(row);
  free(idx);
  dm_cluster_graph_destroy(g);
  dm_sparse_destroy(p);
  dm_sparse_destroy(aff);
}

static const dm_param_spec_t spec[] = {DM_CLUSTER_PARAMS};

static void test_options(void) {
  dm_cluster_opt_t o;
  dm_cluster_opt_init(&o);
  CHECK(dm_cluster_opt_check(&o) == 0, "defaults invalid");
  CHECK(o.n_seeds == 2 && o.n_iterations == -1 && o.method == DM_CLUSTER_LEIDEN, "defaults differ from lite's CLI");
  dm_params_t *p = dm_params_init(spec, (int)(sizeof spec / sizeof spec[0]));
  CHECK(dm_params_set(p, "Cluster:method=louvain") == 0 && dm_params_set(p, "Cluster:n_seeds=8") == 0,
        "set failed");
  CHECK(dm_cluster_opt_from_params(&o, p) == 0, "from_params failed");
  CHECK(o.method == DM_CLUSTER_LOUVAIN && o.n_seeds == 8 && o.seed == 100 && o.resolution == 1.0,
        "params not read");
  CHECK(dm_params_set(p, "Cluster:n_seeds=0") == 0 && dm_cluster_opt_from_params(&o, p) == -1,
        "n_seeds 0 accepted");
  CHECK(dm_params_set(p, "Cluster:method=kmeans") == -1, "unknown method accepted");
  dm_params_destroy(p);
  dm_cluster_opt_init(&o);
  o.resolution = 0;
  CHECK(dm_cluster_opt_check(&o) == -1, "resolution 0 accepted");
  /* a negative weight is refused */
  float a[4] = {0, -1, -1, 0};
  dm_sparse_t *m = from_dense(2, a);
  CHECK(dm_cluster_graph_init(m) == NULL, "negative weight accepted");
  dm_sparse_destroy(m);
}

int main(void) {
  test_planted(DM_CLUSTER_LEIDEN);
  test_planted(DM_CLUSTER_LOUVAIN);
  test_seeds(DM_CLUSTER_LEIDEN);
  test_seeds(DM_CLUSTER_LOUVAIN);
  test_degenerate();
  test_pipeline();
  test_options();
  return dm_test_summary("test_cluster");
}
