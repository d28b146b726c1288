/* dm_test: the few macros every test driver uses.
 *
 * CHECK(cond, fmt, ...) records a failure with file:line and goes on;
 * CLOSE(a, b, tol) checks |a-b| <= tol*(1+|b|). A driver ends with
 * "return dm_test_summary(name);" which prints the pass/fail counts and
 * returns nonzero if any check failed (MPI tests reduce over ranks first).
 */
#ifndef DM_TEST_H
#define DM_TEST_H

#include <math.h>
#include <stdio.h>

static int dm_test_fails = 0, dm_test_checks = 0;

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
  printf("%s: %d checks, %d failed\n", name, dm_test_checks, dm_test_fails);
  return dm_test_fails ? 1 : 0;
}

#endif
