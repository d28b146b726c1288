/* This object's header. */
#include "dm_log.h"

/* Standard headers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* MPI, to abort every rank. */
#include <mpi.h>

static int log_rank = 0;
static int log_level = DM_LOG_INFO;
static double log_t0 = -1.0;
static int log_collective = 0; /* 1: errors and warnings from rank 0 only */

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void dm_log_init(int rank, int level) {
  log_rank = rank;
  log_level = level;
  log_t0 = now();
}

int dm_log_level(void) { return log_level; }

int dm_log_collective(int on) {
  int prev = log_collective;
  log_collective = on;
  return prev;
}

double dm_log_elapsed(void) {
  if (log_t0 < 0) log_t0 = now();
  return now() - log_t0;
}

static void vlog(int level, const char *func, const char *fmt, va_list ap) {
  static const char *tag[] = {"error: ", "warning: ", "", ""};
  char buf[4096];
  vsnprintf(buf, sizeof buf, fmt, ap);
  /* one fprintf per line, so lines from different ranks do not interleave */
  fprintf(stderr, "[%04d] %9.3f %s: %s%s\n", log_rank, dm_log_elapsed(), func, tag[level], buf);
  fflush(stderr);
}

void dm_log_msg(int level, const char *func, const char *fmt, ...) {
  if (level > log_level) return;
  if ((level >= DM_LOG_INFO || log_collective) && log_rank != 0) return;
  va_list ap;
  va_start(ap, fmt);
  vlog(level, func, fmt, ap);
  va_end(ap);
}

void dm_fatal_at(const char *file, const char *func, int line, const char *fmt, ...) {
  char where[512];
  snprintf(where, sizeof where, "%s (%s:%d)", func, file, line);
  va_list ap;
  va_start(ap, fmt);
  vlog(DM_LOG_ERROR, where, fmt, ap);
  va_end(ap);
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (init && !fin) MPI_Abort(MPI_COMM_WORLD, 1);
  exit(1);
}
