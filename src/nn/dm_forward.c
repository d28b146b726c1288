/* dm_forward: run state, forward and gradient backward (see dm_forward.h). */
#include "dm_forward.h"

#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"

dm_run_t *dm_forward_init(const dm_model_t *m, int cap, int rep) {
  DM_ASSERT(cap >= 1 && rep >= 1);
  dm_run_t *r = dm_calloc("run", 1, sizeof *r);
  r->m = m;
  r->cap = cap;
  r->rep = rep;
  size_t max = dm_model_max_size(m);
  r->in = dm_malloc("run input", sizeof(float) * cap * (size_t)m->in_len * m->in_ch);
  r->act = dm_calloc("run act", m->n_layers, sizeof *r->act);
  for (int i = 0; i < m->n_layers; i++)
    r->act[i] = dm_malloc("run activation", sizeof(float) * cap * dm_ops_out_size(&m->layers[i]));
  for (int k = 0; k < 2; k++) r->g[k] = dm_malloc("run backward", sizeof(float) * rep * (size_t)cap * max);
  r->scratch = dm_malloc("run scratch", sizeof(float) * (dm_model_max_scratch(m) + 1));
  return r;
}

void dm_forward_destroy(dm_run_t *r) {
  if (!r) return;
  for (int i = 0; i < r->m->n_layers; i++) free(r->act[i]);
  free(r->act);
  free(r->in);
  free(r->g[0]);
  free(r->g[1]);
  free(r->scratch);
  free(r);
}

float *dm_forward_layer_input(const dm_run_t *r, int i) { return i == 0 ? r->in : r->act[i - 1]; }

const float *dm_forward_logits(const dm_run_t *r) { return r->act[r->m->n_layers - 1]; }

void dm_forward_run(dm_run_t *r, int n) {
  DM_ASSERT(n >= 0 && n <= r->cap);
  for (int i = 0; i < r->m->n_layers; i++)
    dm_ops_forward(&r->m->layers[i], n, dm_forward_layer_input(r, i), r->act[i], r->scratch);
}

void dm_forward_backward(dm_run_t *r, int n, int rep, const float *dy, float *dx) {
  DM_ASSERT(n >= 0 && n <= r->cap && rep >= 1 && rep <= r->rep);
  const dm_model_t *m = r->m;
  const float *cur = dy;
  for (int i = m->n_layers - 1; i >= 0; i--) {
    float *out = i == 0 ? dx : r->g[i % 2];
    dm_bwd_ctx_t c = {
        .n = n, .rep = rep, .x = dm_forward_layer_input(r, i), .xdiv = 1, .scratch = r->scratch};
    dm_ops_backward(&m->layers[i], &c, cur, out);
    cur = out;
  }
}

void dm_forward_task_seeds(int n_tasks, int n, float *dy) {
  memset(dy, 0, sizeof(float) * n_tasks * (size_t)n * n_tasks);
  for (int t = 0; t < n_tasks; t++)
    for (int b = 0; b < n; b++) dy[((size_t)t * n + b) * n_tasks + t] = 1.0f;
}
