/* dm_forward: run state of a model (buffers allocated once, llama2.c style),
 * batched forward pass keeping every activation, and the gradient backward.
 *
 *   dm_run_t *r = dm_forward_init(model, cap, rep);
 *   memcpy(r->in, x, ...);  dm_forward_run(r, n);  logits = dm_forward_logits(r);
 *   dm_forward_backward(r, n, rep, dy, dx);           gradients w.r.t. r->in
 */
#ifndef DM_FORWARD_H
#define DM_FORWARD_H

#include "dm_model.h"

/** Buffers for up to cap forward rows and rep*cap backward rows. */
typedef struct {
  const dm_model_t *m;
  int cap;        /* forward rows */
  int rep;        /* backward blocks of rows (e.g. tasks) */
  float *in;      /* (cap, in_len, in_ch) input, filled by the caller */
  float **act;    /* act[i]: (cap, out size of layer i), output of layer i */
  float *g[2];    /* (rep * cap, max size) backward ping-pong buffers */
  float *scratch; /* dm_model_max_scratch floats */
} dm_run_t;

/**
 * @brief Allocate the run state of a model.
 * @param m   the model (must outlive the state)
 * @param cap largest number of rows of a forward pass
 * @param rep largest number of row blocks of a backward pass (>= 1)
 * @return the state; free with dm_forward_destroy
 */
dm_run_t *dm_forward_init(const dm_model_t *m, int cap, int rep);

/** @brief Free a run state (NULL is fine). */
void dm_forward_destroy(dm_run_t *r);

/** @return the input of layer i: r->in for i = 0, else act[i-1]. */
float *dm_forward_layer_input(const dm_run_t *r, int i);

/** @return (n, n_tasks) logits of the last forward pass. */
const float *dm_forward_logits(const dm_run_t *r);

/**
 * @brief Forward pass of n rows of r->in; every layer output is kept in r->act.
 * @param r the run state
 * @param n rows, 0 <= n <= cap
 */
void dm_forward_run(dm_run_t *r, int n);

/**
 * @brief Gradient of the logits w.r.t. the input at the last forward pass.
 * @param r   run state after dm_forward_run(r, n)
 * @param n   rows of the forward pass
 * @param rep blocks of rows in dy and dx (<= r->rep)
 * @param dy  (rep, n, n_tasks) weights of the logits (e.g. one-hot per task)
 * @param dx  (rep, n, in_len, in_ch) output: dy . d logits / d input
 */
void dm_forward_backward(dm_run_t *r, int n, int rep, const float *dy, float *dx);

/**
 * @brief Fill one-hot task seeds: dy[t, b, u] = (t == u), for n rows.
 * @param n_tasks tasks (= blocks)
 * @param n       rows per block
 * @param dy      (n_tasks, n, n_tasks) output
 */
void dm_forward_task_seeds(int n_tasks, int n, float *dy);

#endif
