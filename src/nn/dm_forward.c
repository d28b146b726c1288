/* dm_forward: run state, forward and backward over the graph (see dm_forward.h). */
#include "dm_forward.h"

#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"

/* Backward bookkeeping of one pass: which tensors hold multipliers where.
 * where[t]: -2 none yet, -1 the caller's dx (input 0), else a slot index. */
typedef struct {
  int *where;
  int *free_slots; /* stack of free slot indices */
  int n_free;
  int n_slots; /* slots handed out so far (init: the count needed) */
} bwd_state_t;

/* A free slot (growing the count during the init simulation). */
static int take_slot(bwd_state_t *s) { return s->n_free ? s->free_slots[--s->n_free] : s->n_slots++; }

/* Backward step of node i in the schedule: where its inputs' multipliers go
 * (direct[k] = 1: written in place, first contribution; 0: into a temporary,
 * then added), and its output's slot is released. Returns the temporaries needed. */
static int schedule_step(const dm_model_t *m, bwd_state_t *s, int i, int *direct) {
  const dm_node_t *nd = &m->nodes[i];
  int n_tmp = 0;
  for (int k = 0; k < nd->n_in; k++) {
    int t = nd->in[k];
    if (s->where[t] != -2) {
      direct[k] = 0;
      n_tmp++;
    } else {
      direct[k] = 1;
      s->where[t] = t == m->inputs[0] ? -1 : take_slot(s);
    }
  }
  if (s->where[nd->out] >= 0) s->free_slots[s->n_free++] = s->where[nd->out];
  s->where[nd->out] = -2;
  return n_tmp;
}

static void state_init(const dm_model_t *m, bwd_state_t *s, int n_slots) {
  s->where = dm_malloc("bwd state", sizeof(int) * m->n_tensors);
  s->free_slots = dm_malloc("bwd state", sizeof(int) * (m->n_tensors + 1));
  for (int t = 0; t < m->n_tensors; t++) s->where[t] = -2;
  s->n_free = 0;
  s->n_slots = n_slots;
  for (int k = n_slots - 1; k >= 0; k--) s->free_slots[s->n_free++] = k;
}

static void state_free(bwd_state_t *s) {
  free(s->where);
  free(s->free_slots);
}

/* Forward buffers: own ones for the kept tensors, shared ones (by liveness) for the rest. */
static void forward_buffers(dm_run_t *r, const char *keep) {
  const dm_model_t *m = r->m;
  int nt = m->n_tensors;
  r->kept = dm_calloc("run kept", nt, 1);
  r->act = dm_calloc("run act", nt, sizeof *r->act);
  int *last = dm_malloc("run liveness", sizeof(int) * nt),
      *pool_of = dm_malloc("run liveness", sizeof(int) * nt);
  int *free_pool = dm_malloc("run liveness", sizeof(int) * (nt + 1)), n_free = 0;
  for (int t = 0; t < nt; t++) {
    last[t] = -1;
    pool_of[t] = -1;
    r->kept[t] = m->tensors[t].producer < 0 || (keep && keep[t]);
  }
  for (int o = 0; o < m->n_outputs; o++) r->kept[m->outputs[o].tensor] = 1;
  for (int i = 0; i < m->n_nodes; i++) {
    const dm_node_t *nd = &m->nodes[i];
    dm_rule_kind_t rule = dm_ops_rule(nd->op);
    for (int k = 0; k < nd->n_in; k++) {
      last[nd->in[k]] = i;
      if (rule == DM_RULE_NONLINEAR || rule == DM_RULE_MAXPOOL) r->kept[nd->in[k]] = 1;
    }
  }
  for (int t = 0; t < nt; t++)
    if (r->kept[t])
      r->act[t] = dm_calloc("run activation", (size_t)r->cap * dm_graph_size(m, t), sizeof(float));
  for (int i = 0; i < m->n_nodes; i++) {
    const dm_node_t *nd = &m->nodes[i];
    if (!r->kept[nd->out]) pool_of[nd->out] = n_free ? free_pool[--n_free] : r->n_pool++;
    for (int k = 0; k < nd->n_in; k++) { /* released after the output is placed: never aliases an input */
      int t = nd->in[k];
      if (pool_of[t] >= 0 && last[t] == i) {
        free_pool[n_free++] = pool_of[t];
        pool_of[t] = -1 - pool_of[t]; /* released once, even if read twice by this node */
      }
    }
  }
  r->pool = dm_calloc("run pool", r->n_pool + 1, sizeof *r->pool);
  size_t max = dm_model_max_size(m);
  for (int k = 0; k < r->n_pool; k++)
    r->pool[k] = dm_calloc("run activation", (size_t)r->cap * max, sizeof(float));
  for (int t = 0; t < nt; t++)
    if (!r->kept[t]) r->act[t] = r->pool[pool_of[t] >= 0 ? pool_of[t] : -1 - pool_of[t]];
  free(last);
  free(pool_of);
  free(free_pool);
}

dm_run_t *dm_forward_init(const dm_model_t *m, int cap, int rep) {
  return dm_forward_init_keep(m, cap, rep, NULL);
}

dm_run_t *dm_forward_init_keep(const dm_model_t *m, int cap, int rep, const char *keep) {
  DM_ASSERT(cap >= 1 && rep >= 1 && m->final);
  dm_run_t *r = dm_calloc("run", 1, sizeof *r);
  r->m = m;
  r->cap = cap;
  r->rep = rep;
  forward_buffers(r, keep);
  r->in = r->act[m->inputs[0]];
  /* the backward schedule with every output seeded bounds the buffers of any pass */
  bwd_state_t s;
  state_init(m, &s, 0);
  for (int o = 0; o < m->n_outputs; o++)
    if (s.where[m->outputs[o].tensor] == -2) s.where[m->outputs[o].tensor] = take_slot(&s);
  int direct[DM_NODE_MAX_IN];
  for (int i = m->n_nodes - 1; i >= 0; i--) {
    if (s.where[m->nodes[i].out] == -2) continue;
    int k = schedule_step(m, &s, i, direct);
    if (k > r->n_tmp) r->n_tmp = k;
  }
  r->n_slots = s.n_slots;
  state_free(&s);
  r->slot = dm_calloc("run backward", r->n_slots + 1, sizeof *r->slot); /* buffers at the first backward */
  r->tmp = dm_calloc("run backward", r->n_tmp + 1, sizeof *r->tmp);
  r->scratch = dm_malloc("run scratch", sizeof(float) * (dm_model_max_scratch(m) + 1));
  return r;
}

void dm_forward_destroy(dm_run_t *r) {
  if (!r) return;
  for (int t = 0; t < r->m->n_tensors; t++)
    if (r->kept[t]) free(r->act[t]);
  for (int k = 0; k < r->n_pool; k++) free(r->pool[k]);
  free(r->pool);
  free(r->kept);
  for (int k = 0; k < r->n_slots; k++) free(r->slot[k]);
  for (int k = 0; k < r->n_tmp; k++) free(r->tmp[k]);
  free(r->act);
  free(r->slot);
  free(r->tmp);
  free(r->scratch);
  free(r);
}

float *dm_forward_node_input(const dm_run_t *r, int i, int k) { return r->act[r->m->nodes[i].in[k]]; }

const float *dm_forward_output(const dm_run_t *r, int o) { return r->act[r->m->outputs[o].tensor]; }

const float *dm_forward_logits(const dm_run_t *r) { return dm_forward_output(r, 0); }

void dm_forward_run(dm_run_t *r, int n) {
  DM_ASSERT(n >= 0 && n <= r->cap);
  const dm_model_t *m = r->m;
  for (int i = 0; i < m->n_nodes; i++) {
    const dm_node_t *nd = &m->nodes[i];
    const float *xs[DM_NODE_MAX_IN];
    for (int k = 0; k < nd->n_in; k++) xs[k] = r->act[nd->in[k]];
    dm_ops_forward(nd, n, xs, r->act[nd->out], r->scratch);
  }
}

void dm_forward_backward_graph(dm_run_t *r, int n, int rep, const float *const *dy, float *dx,
                               dm_node_backward_fn fn, void *ctx) {
  DM_ASSERT(n >= 0 && n <= r->cap && rep >= 1 && rep <= r->rep);
  const dm_model_t *m = r->m;
  size_t rows = (size_t)rep * n, buf = (size_t)r->rep * r->cap * dm_model_max_size(m);
  for (int k = 0; k < r->n_slots; k++)
    if (!r->slot[k]) r->slot[k] = dm_malloc("run backward", sizeof(float) * buf);
  for (int k = 0; k < r->n_tmp; k++)
    if (!r->tmp[k]) r->tmp[k] = dm_malloc("run backward", sizeof(float) * buf);
  bwd_state_t s;
  state_init(m, &s, r->n_slots);
  for (int o = 0; o < m->n_outputs; o++) {
    if (!dy[o]) continue;
    int t = m->outputs[o].tensor;
    size_t sz = rows * dm_graph_size(m, t);
    if (s.where[t] == -2) {
      s.where[t] = t == m->inputs[0] ? -1 : take_slot(&s);
      memcpy(s.where[t] < 0 ? dx : r->slot[s.where[t]], dy[o], sizeof(float) * sz);
    } else {
      float *g = s.where[t] < 0 ? dx : r->slot[s.where[t]];
      for (size_t e = 0; e < sz; e++) g[e] += dy[o][e];
    }
  }
  int direct[DM_NODE_MAX_IN];
  for (int i = m->n_nodes - 1; i >= 0; i--) {
    const dm_node_t *nd = &m->nodes[i];
    if (s.where[nd->out] == -2) continue;
    const float *g = r->slot[s.where[nd->out]];
    schedule_step(m, &s, i, direct); /* frees the output's slot only for later passes */
    float *dxs[DM_NODE_MAX_IN];
    for (int k = 0, j = 0; k < nd->n_in; k++) {
      int w = s.where[nd->in[k]];
      dxs[k] = !direct[k] ? r->tmp[j++] : w < 0 ? dx : r->slot[w];
    }
    if (fn) {
      fn(ctx, r, i, (int)rows, g, dxs);
    } else {
      const float *xs[DM_NODE_MAX_IN];
      for (int k = 0; k < nd->n_in; k++) xs[k] = r->act[nd->in[k]];
      dm_bwd_ctx_t c = {.n = n, .rep = rep, .x = xs, .xdiv = 1, .scratch = r->scratch};
      dm_ops_backward(nd, &c, g, dxs);
    }
    for (int k = 0; k < nd->n_in; k++) {
      if (direct[k]) continue;
      int w = s.where[nd->in[k]];
      float *acc = w < 0 ? dx : r->slot[w];
      size_t sz = rows * dm_graph_size(m, nd->in[k]);
      for (size_t e = 0; e < sz; e++) acc[e] += dxs[k][e];
    }
  }
  if (s.where[m->inputs[0]] == -2) memset(dx, 0, sizeof(float) * rows * dm_graph_size(m, m->inputs[0]));
  state_free(&s);
}

void dm_forward_backward(dm_run_t *r, int n, int rep, const float *dy, float *dx) {
  const float *dys[8] = {dy};
  DM_ASSERT(r->m->n_outputs <= 8);
  dm_forward_backward_graph(r, n, rep, dys, dx, NULL, NULL);
}
