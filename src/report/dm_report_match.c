/* This object's header. */
#include "dm_report.h"

/* Standard headers. */
#include <stdlib.h>
#include <string.h>

/* Local headers. */
#include "dm_mem.h"

/* Queries of a task: trimmed PPMs (pointers into the patterns). */
static void task_queries(const dm_report_task_t *t, const double **m, int *len) {
  for (int i = 0; i < t->set->n; i++) {
    const dm_report_pattern_t *p = &t->pat[i];
    m[i] = p->m->ppm + 4 * p->q0;
    len[i] = p->q1 - p->q0;
  }
}

/* Database matches of every pattern of task t. */
static void match_db(dm_report_t *r, dm_tomtom_db_t *db, dm_report_task_t *t) {
  int n = dm_tomtom_db_size(db);
  dm_tomtom_hit_t *hits = dm_malloc("hits", (size_t)n * sizeof *hits);
  for (int i = 0; i < t->set->n; i++) {
    dm_report_pattern_t *p = &t->pat[i];
    dm_tomtom_query(db, p->m->ppm + 4 * p->q0, p->q1 - p->q0, &r->tomtom, hits);
    p->n_hits = dm_tomtom_top(hits, n, r->top);
    p->hits = dm_malloc("top hits", (size_t)(p->n_hits ? p->n_hits : 1) * sizeof *p->hits);
    memcpy(p->hits, hits, (size_t)p->n_hits * sizeof *hits);
  }
  free(hits);
}

/* Patterns of task u similar to those of task t (q <= recur_q). */
static void match_across(dm_report_t *r, int t, int u) {
  dm_report_task_t *T = &r->tasks[t], *U = &r->tasks[u];
  int n = U->set->n;
  if (!n || !T->set->n) return;
  const double **m = dm_malloc("queries", (size_t)n * sizeof *m);
  int *len = dm_malloc("query lens", (size_t)n * sizeof *len);
  task_queries(U, m, len);
  dm_tomtom_db_t *db = dm_tomtom_db_new(m, len, n);
  dm_tomtom_hit_t *hits = dm_malloc("hits", (size_t)n * sizeof *hits);
  for (int i = 0; i < T->set->n; i++) {
    dm_report_pattern_t *p = &T->pat[i];
    dm_tomtom_query(db, p->m->ppm + 4 * p->q0, p->q1 - p->q0, &r->tomtom, hits);
    int k = dm_tomtom_top(hits, n, n);
    for (int j = 0; j < k && hits[j].q <= r->recur_q; j++) {
      if (U->pat[hits[j].target].m->sign != p->m->sign) continue;
      p->recur = dm_realloc("recurrences", p->recur, (size_t)(p->n_recur + 1) * sizeof *p->recur);
      p->recur[p->n_recur++] = (dm_report_recur_t){.task = u, .pattern = hits[j].target, .hit = hits[j]};
    }
  }
  free(hits);
  dm_tomtom_db_free(db);
  free(len);
  free(m);
}

void dm_report_match(dm_report_t *r) {
  double t0 = dm_wall_time();
  for (int t = 0; t < r->n_tasks; t++) {
    dm_report_task_t *T = &r->tasks[t];
    T->pat = dm_calloc("report patterns", (size_t)(T->set->n ? T->set->n : 1), sizeof *T->pat);
    for (int i = 0; i < T->set->n; i++) {
      dm_report_pattern_t *p = &T->pat[i];
      p->m = &T->set->m[i];
      snprintf(p->name, sizeof p->name, "%s", p->m->name);
      for (char *c = p->name; *c; c++)
        if (*c == '/') *c = '.';
      dm_motif_trim(p->m->cwm, p->m->len, r->trim, 0, &p->q0, &p->q1);
    }
  }
  if (r->db) {
    const double **m = dm_malloc("db motifs", (size_t)r->db->n * sizeof *m);
    int *len = dm_malloc("db lens", (size_t)r->db->n * sizeof *len);
    for (int i = 0; i < r->db->n; i++) m[i] = r->db->m[i].p, len[i] = r->db->m[i].len;
    dm_tomtom_db_t *db = dm_tomtom_db_new(m, len, r->db->n);
    for (int t = 0; t < r->n_tasks; t++) match_db(r, db, &r->tasks[t]);
    dm_tomtom_db_free(db);
    free(len);
    free(m);
  }
  for (int t = 0; t < r->n_tasks; t++)
    for (int u = 0; u < r->n_tasks; u++)
      if (u != t) match_across(r, t, u);
  r->match_seconds = dm_wall_time() - t0;
}

void dm_report_free(dm_report_t *r) {
  for (int t = 0; t < r->n_tasks; t++) {
    dm_report_task_t *T = &r->tasks[t];
    for (int i = 0; T->pat && i < T->set->n; i++) {
      free(T->pat[i].hits);
      free(T->pat[i].recur);
    }
    free(T->pat);
    dm_modisco_read_free(T->set);
  }
}
