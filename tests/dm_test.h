/* dm_test: the few macros every test driver uses.
 *
 * CHECK(cond, fmt, ...) records a failure with file:line and goes on;
 * CLOSE(a, b, tol) checks |a-b| <= tol*(1+|b|). A driver ends with
 * "return dm_test_summary(name);" which prints the pass/fail counts and
 * returns 1 if any check failed or no check ran at all (a test that checks
 * nothing proves nothing), DM_TEST_SKIP_CODE if a part could not run here
 * (dm_test_skip: CTest reports the test as skipped, not passed), else 0.
 * MPI tests reduce over ranks first (dm_test_mpi.h).
 */
#ifndef DM_TEST_H
#define DM_TEST_H

#include <math.h>
#include <stdio.h>

static int dm_test_fails = 0, dm_test_checks = 0, dm_test_skipped = 0;

/** Exit code of a test with a part that could not run (CTest SKIP_RETURN_CODE). */
#define DM_TEST_SKIP_CODE 77

/** Record that a part of the test could not run on this machine, and why. */
static inline void dm_test_skip(const char *why) {
  printf("SKIPPED: %s\n", why);
  dm_test_skipped = 1;
}

#define CHECK(cond, ...)                                              \
  do {                                                                \
    dm_test_checks++;                                                 \
    if (!(cond)) {                                                    \
      dm_test_fails++;                                                \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                   \
      fputc('\n', stderr);                                            \
    }                                                                 \
  } while (0)

#define CLOSE(a, b, tol)                                                                                  \
  CHECK(fabs((double)(a) - (double)(b)) <= (tol) * (1.0 + fabs((double)(b))), "%s = %.9g, %s = %.9g", #a, \
        (double)(a), #b, (double)(b))

static inline int dm_test_summary(const char *name) {
  printf("%s: %d checks, %d failed%s\n", name, dm_test_checks, dm_test_fails,
         dm_test_skipped ? ", a part skipped" : "");
  if (dm_test_checks == 0) printf("FAIL %s: no check ran\n", name);
  if (dm_test_fails || dm_test_checks == 0) return 1;
  return dm_test_skipped ? DM_TEST_SKIP_CODE : 0;
}

#endif
