/* dm_report: what `dmotif report` shows, and the page and files it writes.
 *
 * A report covers one or more modisco.h5 files (one per task). For every
 * pattern: lite's trimmed window (positions whose sum |CWM| >= trim times
 * the largest, no padding) is the query matched against the motif database
 * (dm_tomtom, top matches kept) and against the patterns of the other tasks
 * (recurrence: the same matching, with the other tasks' trimmed PPMs as the
 * database; kept when q <= recur_q).
 *
 *   dm_report_t r = {...tasks, db...};
 *   dm_report_match(&r);                 // fills every pattern's hits
 *   dm_report_html(fp, &r);              // index.html
 *   dm_report_free(&r);
 */
#ifndef DM_REPORT_H
#define DM_REPORT_H

#include <stdio.h>

#include "dm_meme.h"
#include "dm_modisco_read.h"
#include "dm_tomtom.h"

/** A pattern of another task found similar to this one. */
typedef struct {
  int task, pattern;   /* indices in dm_report_t */
  dm_tomtom_hit_t hit; /* target = pattern index within that task */
} dm_report_recur_t;

/** What the report knows about one pattern. */
typedef struct {
  const dm_motif_t *m;
  char name[96];         /* "pos_patterns.pattern_0" (lite's MEME/report name) */
  int q0, q1;            /* query window [q0, q1) of the pattern (lite's trim, no padding) */
  int n_hits;            /* top database matches (0 without a database) */
  dm_tomtom_hit_t *hits; /* (n_hits,) best first */
  int n_recur;
  dm_report_recur_t *recur; /* (n_recur,) most similar first */
} dm_report_pattern_t;

/** One input file. */
typedef struct {
  const char *path;
  char label[64];  /* short name shown (file name without directory and .h5) */
  char sha256[65]; /* digest of the file */
  long long bytes;
  dm_motif_set_t *set;
  dm_report_pattern_t *pat; /* (set->n,) */
} dm_report_task_t;

typedef struct {
  int n_tasks;
  dm_report_task_t *tasks;
  const dm_meme_t *db; /* motif database, or NULL */
  char db_sha256[65];
  const char *params_yaml; /* parameters of this run (page foot) */
  const char *command;     /* command line shown at the foot */
  dm_tomtom_opt_t tomtom;
  int top;              /* database matches kept per pattern */
  double trim;          /* lite's trim threshold (0.3) */
  int pad;              /* logo padding (4, lite's report) */
  double recur_q;       /* q-value threshold of a cross-task recurrence */
  double match_seconds; /* time spent matching (filled by dm_report_match) */
} dm_report_t;

/** @brief Set every pattern's name and query window, match against the
 *         database (if any) and across tasks. */
void dm_report_match(dm_report_t *r);

/** @brief Write the self-contained index.html. @return 0 or -1 (write error) */
DM_RESULT_USED int dm_report_html(FILE *fp, const dm_report_t *r);

/** @brief Free what dm_report_match allocated and the tasks' sets. */
void dm_report_free(dm_report_t *r);

/** Matrix kinds of a MEME export. */
typedef enum { DM_MEME_PFM, DM_MEME_CWM, DM_MEME_HCWM } dm_meme_kind_t;

/**
 * @brief Write a task's patterns as one MEME file (tfmodisco-lite's
 *        `modisco meme` layout; PFM rows normalised to sum 1).
 * @param trimmed 1: each pattern cut to lite's logo window (trim, pad)
 * @param comment header comment (parameters), or NULL
 * @return 0 or -1 (logged)
 */
DM_RESULT_USED int dm_report_meme(const char *path, const dm_report_task_t *t, dm_meme_kind_t kind,
                                  int trimmed, double trim, int pad, const char *comment);

#endif
