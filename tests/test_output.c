/* test_output: the output policy (dm_output.h) in one process, on files made
 * here: existing outputs, overwrite and resume, outputs that are inputs (by
 * name, "./" path, symbolic and hard link, temporary name), two outputs that
 * are one file, unusable paths; tmpname and commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dm_output.h"
#include "dm_test.h"

static char dir[64];

/* dir/name (static buffer, one of 8 in turn) */
static const char *at(const char *name) {
  static char buf[8][256];
  static int k = 0;
  k = (k + 1) % 8;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

static void touch(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  CHECK(f != NULL, "cannot create %s", path);
  if (f) fputs(text, f), fclose(f);
}

/* dm_output_check of one input and one output (serial) */
static int check1(const dm_output_policy_t *pol, const char *in, const char *out) {
  dm_output_path_t i[] = {{"Input:x", in}, {NULL, NULL}}, o[] = {{"Output:file", out}, {NULL, NULL}};
  return dm_output_check(NULL, pol, i, o);
}

int main(void) {
  dm_log_init(0, DM_LOG_ERROR);
  snprintf(dir, sizeof dir, "/tmp/dm_test_output.XXXXXX");
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  char in[256], old[256];
  snprintf(in, sizeof in, "%s", at("in.txt"));
  snprintf(old, sizeof old, "%s", at("old.h5"));
  touch(in, "input\n");
  touch(old, "old\n");
  dm_output_policy_t none = {0}, over = {.overwrite = 1}, res = {.resumable = 1, .resume = 1};
  dm_output_policy_t nores = {.resumable = 1, .resume = 0};

  /* new outputs; existing ones need overwrite or resume */
  CHECK(check1(&none, in, at("new.h5")) == 0, "a new output refused");
  CHECK(check1(&none, NULL, at("new.h5")) == 0, "an unused input (NULL path) counted");
  CHECK(check1(&none, in, old) < 0, "an existing output accepted without overwrite");
  CHECK(check1(&nores, in, old) < 0, "an existing output accepted with resume=false");
  CHECK(check1(&over, in, old) == 0, "overwrite refused");
  CHECK(check1(&res, in, old) == 0, "resume refused");

  /* an output is never an input, whatever the policy */
  char dotted[300];
  snprintf(dotted, sizeof dotted, "%s/./sub/../in.txt", dir);
  mkdir(at("sub"), 0777);
  CHECK(check1(&over, in, in) < 0, "output = input accepted");
  CHECK(check1(&res, in, dotted) < 0, "output = input through ./ and .. accepted");
  CHECK(symlink(in, at("sym.txt")) == 0, "symlink");
  CHECK(check1(&over, in, at("sym.txt")) < 0, "output = symbolic link to the input accepted");
  CHECK(link(in, at("hard.txt")) == 0, "link");
  CHECK(check1(&over, in, at("hard.txt")) < 0, "output = hard link to the input accepted");
  CHECK(check1(&over, at("out.h5.tmp"), at("out.h5")) < 0,
        "output whose temporary file is the input accepted");
  CHECK(check1(&over, at("sym.txt"), in) < 0, "input = symbolic link to the output accepted");
  CHECK(check1(&over, in, at("x.h5")) == 0, "an unrelated output refused");

  /* two outputs of one run */
  dm_output_path_t two[] = {{"Output:a", at("a.npz")}, {"Output:b", at("a.npz")}, {NULL, NULL}};
  CHECK(dm_output_check(NULL, &none, NULL, two) < 0, "two outputs with one name accepted");
  two[1].path = at("b.npz");
  CHECK(dm_output_check(NULL, &none, NULL, two) == 0, "two distinct outputs refused");
  touch(at("a.npz"), "a\n");
  CHECK(symlink("a.npz", at("b.npz")) == 0, "symlink b -> a");
  CHECK(dm_output_check(NULL, &over, NULL, two) < 0, "two outputs, one a link to the other, accepted");
  remove(at("a.npz"));
  CHECK(dm_output_check(NULL, &over, NULL, two) < 0,
        "two outputs, one a dangling link to the other, accepted");

  /* unusable paths */
  CHECK(check1(&none, in, at("nodir/x.h5")) < 0, "an output in a missing directory accepted");
  CHECK(check1(&over, in, at("sub")) < 0, "a directory as output accepted");
  CHECK(check1(&over, in, "/dev/null/x.h5") < 0, "an output under a file accepted");

  /* temporary name and commit */
  char *tmp = dm_output_tmpname(at("c.h5"));
  CHECK(strcmp(tmp, at("c.h5.tmp")) == 0, "tmpname %s", tmp);
  touch(tmp, "done\n");
  CHECK(dm_output_commit(tmp, at("c.h5"), 1) == 0 && access(tmp, F_OK) != 0 && access(at("c.h5"), F_OK) == 0,
        "commit did not rename");
  touch(tmp, "half\n");
  CHECK(dm_output_commit(tmp, at("c.h5"), 0) < 0 && access(tmp, F_OK) != 0, "a failed output not removed");
  FILE *f = fopen(at("c.h5"), "r");
  char line[16] = "";
  CHECK(f && fgets(line, sizeof line, f) && strcmp(line, "done\n") == 0, "a failed output replaced the file");
  if (f) fclose(f);
  free(tmp);

  const char *names[] = {"in.txt", "old.h5", "sym.txt", "hard.txt", "a.npz", "b.npz", "c.h5", NULL};
  for (int i = 0; names[i]; i++) remove(at(names[i]));
  rmdir(at("sub"));
  rmdir(dir);
  return dm_test_summary("test_output");
}
