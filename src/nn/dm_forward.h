/* dm_forward: run state of a model (buffers allocated once, llama2.c style),
 * batched forward pass over the graph keeping every tensor, and the backward
 * pass (gradient, or any per-node rule through a callback: DeepLIFT).
 *
 *   dm_run_t *r = dm_forward_init(model, cap, rep);
 *   memcpy(r->in, x, ...);  dm_forward_run(r, n);  logits = dm_forward_logits(r);
 *   dm_forward_backward(r, n, rep, dy, dx);           gradients w.r.t. r->in
 *
 * The backward pass visits the nodes in reverse topological order. A tensor
 * read by several nodes gets the sum of their multipliers, added in that
 * fixed order (so results do not depend on anything but the graph). Nodes
 * that no seeded output depends on are skipped. Multiplier buffers are
 * reused once a tensor's producer has been visited.
 *
 * Memory: after a forward pass only the tensors a backward pass reads are
 * kept (the inputs, the outputs, the inputs of ReLU / sigmoid / max-pool
 * nodes, and those the caller asks for); the others share buffers that are
 * reused as soon as their last reader has run.
 */
#ifndef DM_FORWARD_H
#define DM_FORWARD_H

#include "dm_model.h"

/** Buffers for up to cap forward rows and rep*cap backward rows. */
typedef struct {
  const dm_model_t *m;
  int cap;        /* forward rows */
  int rep;        /* backward blocks of rows (e.g. tasks) */
  float *in;      /* (cap, in_len, in_ch) input 0, filled by the caller (= act[inputs[0]]) */
  float **act;    /* act[t]: (cap, size of tensor t) of the last forward pass (if r->kept[t]) */
  char *kept;     /* (n_tensors) 1 if act[t] still holds tensor t after the forward pass */
  int n_pool;     /* buffers shared by the other tensors */
  float **pool;   /* (n_pool) each (cap, max size) */
  int n_slots;    /* backward buffers */
  float **slot;   /* (n_slots) each (rep * cap, max size), allocated by the first backward pass */
  int n_tmp;      /* buffers for the multipliers of a tensor's further consumers */
  float **tmp;    /* (n_tmp) each (rep * cap, max size) */
  float *scratch; /* dm_model_max_scratch floats */
} dm_run_t;

/**
 * @brief Backward rule of one node (see dm_forward_backward_graph).
 * @param ctx  caller's context
 * @param r    the run state
 * @param node node index
 * @param rows rep * n rows of dy / dx
 * @param dy   (rows, size of the node's output) multipliers of its output
 * @param dx   (n_in) multipliers of each input to write (overwrite), (rows, size of input k)
 */
typedef void (*dm_node_backward_fn)(void *ctx, dm_run_t *r, int node, int rows, const float *dy,
                                    float *const *dx);

/**
 * @brief Allocate the run state of a (finalized) model.
 * @param m   the model (must outlive the state)
 * @param cap largest number of rows of a forward pass
 * @param rep largest number of row blocks of a backward pass (>= 1)
 * @return the state; free with dm_forward_destroy
 */
dm_run_t *dm_forward_init(const dm_model_t *m, int cap, int rep);

/**
 * @brief dm_forward_init that also keeps the tensors t with keep[t] != 0 after a forward pass.
 * @param keep (n_tensors) or NULL
 */
dm_run_t *dm_forward_init_keep(const dm_model_t *m, int cap, int rep, const char *keep);

/** @brief Free a run state (NULL is fine). */
void dm_forward_destroy(dm_run_t *r);

/** @return input k of node i in the last forward pass: (cap, size) rows (valid after the
 *  pass only if that tensor is kept). */
float *dm_forward_node_input(const dm_run_t *r, int i, int k);

/** @return (n, size of output o) logits of output o in the last forward pass. */
const float *dm_forward_output(const dm_run_t *r, int o);

/** @return (n, n_tasks) logits of output 0 of the last forward pass. */
const float *dm_forward_logits(const dm_run_t *r);

/**
 * @brief Forward pass of n rows of r->in (further inputs are zeros); every tensor is kept in r->act.
 * @param r the run state
 * @param n rows, 0 <= n <= cap
 */
void dm_forward_run(dm_run_t *r, int n);

/**
 * @brief Backward pass from several outputs with a rule per node.
 * @param r   run state after dm_forward_run(r, n_fwd)
 * @param n   rows per block (the xdiv of DeepLIFT pairs is the callback's business)
 * @param rep blocks of rows (<= r->rep)
 * @param dy  (n_outputs) multipliers of each output, (rep, n, size of output o); NULL: zero
 * @param dx  (rep, n, in_len, in_ch) output: multipliers of input 0
 * @param fn  rule of each node, or NULL for the gradient (dm_ops_backward)
 * @param ctx passed to fn
 */
void dm_forward_backward_graph(dm_run_t *r, int n, int rep, const float *const *dy, float *dx,
                               dm_node_backward_fn fn, void *ctx);

/**
 * @brief Gradient of the logits of output 0 w.r.t. input 0 at the last forward pass.
 * @param r   run state after dm_forward_run(r, n)
 * @param n   rows of the forward pass
 * @param rep blocks of rows in dy and dx (<= r->rep)
 * @param dy  (rep, n, n_tasks) weights of the logits (e.g. one-hot per task)
 * @param dx  (rep, n, in_len, in_ch) output: dy . d logits / d input
 */
void dm_forward_backward(dm_run_t *r, int n, int rep, const float *dy, float *dx);

#endif
