/* bench_graph: attribution throughput on a ChromBPNet-size graph model.
 *
 * The model (random weights, fixed seed), built with the dm_graph API as
 * ChromBPNet's BPNet part is laid out:
 *   sequence (2114, 4)
 *   h = relu(conv(64 filters, kernel 21, valid))                       (2094, 64)
 *   8 x: h = crop(h, d) + relu(conv(64, kernel 3, dilation d = 2..256, valid))  (1074, 64)
 *   profile = flatten(conv(1 filter, kernel 75, valid))                (1000,)
 *   counts  = dense(1)(global_average_pool(h))                         (1,)
 * and reports, one thread (OPENBLAS_NUM_THREADS=1):
 *   - DeepLIFT (genomics default = Rescale here) with R references, targets
 *     profile (weighted mean-normalised logits) and counts: sequences/s;
 *   - integrated gradients (S steps, 1 reference), same targets: sequences/s;
 *   - the gradient of the counts head (forward + backward over a batch of B
 *     sequences; what bench/torch_grad.py times in PyTorch): sequences/s;
 *   - for each, the GFLOP/s of its GEMMs and of plain cblas_sgemm calls of
 *     the same shapes timed in the same run, and their ratio.
 *
 *   bench_graph [deeplift_seqs=2] [refs=10] [ig_steps=50] [grad_batch=8] [repeats=3]
 * deeplift_seqs 0: the gradient only.
 * The last line is "grad_seqs_per_s <value>" for bench/bench_graph.sh.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_gemm.h"
#include "dm_methods.h"

#define LIN 2114
#define FILT 64

static unsigned long long rng_state = 88172645463325252ULL;

static float urand(void) { /* xorshift64, uniform in [-1, 1) */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (float)((rng_state >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0);
}

static float *rand_weights(size_t n, float scale) {
  float *w = dm_malloc("bench weights", sizeof(float) * n);
  for (size_t i = 0; i < n; i++) w[i] = scale * urand();
  return w;
}

static int conv(dm_model_t *g, const char *name, int in, int cin, int filters, int kernel, int dil,
                int relu) {
  dm_node_spec_t s = {.op = DM_OP_CONV1D,
                      .name = name,
                      .n_in = 1,
                      .in = {in},
                      .units = filters,
                      .kernel = kernel,
                      .dilation = dil,
                      .w = rand_weights((size_t)kernel * cin * filters, 1.0f / sqrtf(kernel * cin)),
                      .b = rand_weights(filters, 0.1f)};
  int t = dm_graph_add_node(g, &s);
  if (!relu || t < 0) return t;
  char an[80];
  snprintf(an, sizeof an, "%s/relu", name);
  dm_node_spec_t r = {.op = DM_OP_RELU, .name = an, .n_in = 1, .in = {t}};
  return dm_graph_add_node(g, &r);
}

static dm_model_t *chrombpnet_size(void) {
  dm_model_t *g = dm_graph_new("chrombpnet-size (random weights)");
  int h = conv(g, "conv1", dm_graph_add_input(g, "sequence", LIN, 4), 4, FILT, 21, 1, 1);
  for (int i = 1; i <= 8; i++) {
    char n[32], cn[32], an[32];
    snprintf(n, sizeof n, "dil%d", i);
    snprintf(cn, sizeof cn, "crop%d", i);
    snprintf(an, sizeof an, "add%d", i);
    int c = conv(g, n, h, FILT, FILT, 3, 1 << i, 1);
    dm_node_spec_t cr = {.op = DM_OP_SLICE,
                         .name = cn,
                         .n_in = 1,
                         .in = {h},
                         .axis = DM_AXIS_LEN,
                         .start = 1 << i,
                         .stop = -(1 << i)};
    dm_node_spec_t ad = {.op = DM_OP_ADD, .name = an, .n_in = 2};
    ad.in[0] = dm_graph_add_node(g, &cr);
    ad.in[1] = c;
    h = dm_graph_add_node(g, &ad);
  }
  int p = conv(g, "profile_conv", h, FILT, 1, 75, 1, 0);
  dm_node_spec_t fl = {.op = DM_OP_RESHAPE, .name = "profile", .n_in = 1, .in = {p}, .len = 1, .ch = 1000};
  dm_node_spec_t gp = {.op = DM_OP_AVGPOOL1D, .name = "gap", .n_in = 1, .in = {h}};
  int prof = dm_graph_add_node(g, &fl), gap = dm_graph_add_node(g, &gp);
  dm_node_spec_t de = {.op = DM_OP_DENSE,
                       .name = "counts",
                       .n_in = 1,
                       .in = {gap},
                       .units = 1,
                       .w = rand_weights(FILT, 0.1f),
                       .b = rand_weights(1, 0.1f)};
  int cnt = dm_graph_add_node(g, &de);
  if (prof < 0 || cnt < 0 || dm_graph_add_output(g, prof, "profile", DM_OUT_LINEAR, DM_AXIS_CH) ||
      dm_graph_add_output(g, cnt, "counts", DM_OUT_LINEAR, DM_AXIS_CH) || dm_graph_finalize(g)) {
    dm_graph_destroy(g);
    return NULL;
  }
  return g;
}

static float *onehot_rows(int n, int len) {
  float *x = dm_calloc("bench x", (size_t)n * len * 4, sizeof(float));
  for (size_t i = 0; i < (size_t)n * len; i++) x[i * 4 + (size_t)((urand() + 1.0f) * 2.0f) % 4] = 1.0f;
  return x;
}

/* Times `repeats` calls of a method on n sequences; returns sequences/s and prints one line.
 * One call does `passes` forward passes of fwd_rows and backward passes of bwd_rows. */
static double time_method(const dm_model_t *m, const char *label, dm_methods_opt_t o, const dm_target_t *tg,
                          int T, int n, int R, int repeats, int passes, int fwd_rows, int bwd_rows) {
  dm_methods_t *a = dm_methods_init(m, &o, tg, T, n, R);
  float *x = onehot_rows(n, LIN), *refs = onehot_rows(n * R, LIN);
  float *hyp = dm_malloc("bench hyp", sizeof(float) * T * (size_t)n * LIN * 4),
        *pred = dm_malloc("pred", sizeof(float) * n * T);
  if (!a || dm_methods_run(a, n, LIN, x, refs, hyp, pred)) return 0.0; /* warm-up */
  gemm_bufs_t g = gemm_alloc(m, bwd_rows);
  double flops, t = 0.0, ts = 0.0;
  sgemm_time(m, &g, fwd_rows, bwd_rows, &flops, dm_wall_time);
  for (int k = 0; k < repeats; k++) { /* interleaved, so both see the same machine load */
    double t0 = dm_wall_time();
    if (dm_methods_run(a, n, LIN, x, refs, hyp, pred)) return 0.0;
    t += dm_wall_time() - t0;
    for (int p = 0; p < passes; p++) ts += sgemm_time(m, &g, fwd_rows, bwd_rows, &flops, dm_wall_time);
  }
  flops *= passes;
  double rate = n * repeats / t;
  printf("%-34s %8.2f seq/s  %6.2f GFLOP/s (GEMM part); plain sgemm %6.2f GFLOP/s; ratio %3.0f%%\n", label,
         rate, flops * repeats / t * 1e-9, flops * repeats / ts * 1e-9, 100.0 * ts / t);
  dm_methods_destroy(a);
  free(x), free(refs), free(hyp), free(pred), free(g.A), free(g.C), free(g.W);
  return rate;
}

int main(int argc, char **argv) {
  dm_log_init(0, DM_LOG_WARN);
  int n = argc > 1 ? atoi(argv[1]) : 2, R = argc > 2 ? atoi(argv[2]) : 10, S = argc > 3 ? atoi(argv[3]) : 50,
      B = argc > 4 ? atoi(argv[4]) : 8, rep = argc > 5 ? atoi(argv[5]) : 3;
  dm_model_t *m = chrombpnet_size();
  dm_target_t *tg = NULL;
  if (!m || n < 0 || R < 1 || S < 1 || B < 1 || rep < 1 ||
      dm_target_parse_list(m, "profile:profile,counts", &tg) != 2) {
    fprintf(stderr, "bench_graph: cannot build the model or bad arguments\n");
    return 1;
  }
  double macs = 0.0;
  for (int i = 0; i < m->n_nodes; i++) macs += dm_ops_macs(&m->nodes[i]);
  printf("bench_graph: %s, %d nodes, input %d bp, profile %zu, %.2f GFLOP per sequence forward\n", m->source,
         m->n_nodes, m->in_len, dm_graph_size(m, m->outputs[0].tensor), 2e-9 * macs);
  dm_methods_opt_t o;
  dm_methods_opt_init(&o);
  char label[96];
  if (n > 0) {
    snprintf(label, sizeof label, "deeplift, %d refs, 2 targets:", R);
    time_method(m, label, o, tg, 2, n, R, rep, 1, n + n * R, 2 * n * R);
    o.method = DM_METHOD_IG;
    o.ig_steps = S;
    snprintf(label, sizeof label, "ig, %d steps, 1 ref, 2 targets:", S);
    time_method(m, label, o, tg, 2, n, 1, 1, S, n, 2 * n);
  }
  o.method = DM_METHOD_GRAD;
  snprintf(label, sizeof label, "gradient of counts, batch %d:", B);
  double g = time_method(m, label, o, tg + 1, 1, B, 1, rep, 1, B, B);
  printf("grad_seqs_per_s %.3f\n", g);
  free(tg);
  dm_graph_destroy(m);
  return 0;
}
