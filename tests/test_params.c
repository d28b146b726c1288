/* Parameter files: parsing, types, errors naming file:line:key, -P
 * overrides, broadcast to every rank, and the YAML written back. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm_log.h"
#include "dm_mpi.h"
#include "dm_params.h"
#include "dm_test_mpi.h"

static const dm_param_spec_t spec[] = {
    {"Input:file", DM_PARAM_STRING, NULL, NULL, "input sequences"},
    {"Input:length", DM_PARAM_INT, "200", NULL, "sequence length"},
    {"Attr:method", DM_PARAM_STRING, "deeplift", "deeplift|grad|ism", "method"},
    {"Attr:tasks", DM_PARAM_INTLIST, "[0]", NULL, "tasks"},
    {"Attr:fdr", DM_PARAM_FLOAT, "0.2", NULL, "false discovery rate"},
    {"Attr:resume", DM_PARAM_BOOL, "true", NULL, "resume"},
};
#define N_SPEC ((int)(sizeof spec / sizeof spec[0]))

static char tmpdir[] = "/tmp/dm_test_params_XXXXXX";

static const char *write_file(const char *name, const char *text) {
  static char path[256];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  FILE *fp = fopen(path, "w");
  fputs(text, fp);
  fclose(fp);
  return path;
}

/* Run read_file on text with stderr captured; check rc and the message. */
static void expect(const char *text, int want_rc, const char *want_msg) {
  char errpath[300];
  snprintf(errpath, sizeof errpath, "%s/stderr.txt", tmpdir);
  dm_params_t *p = dm_params_init(spec, N_SPEC);
  const char *path = write_file("p.yml", text);
  fflush(stderr);
  int saved = dup(2);
  FILE *err = freopen(errpath, "w", stderr);
  int rc = dm_params_read_file(p, path);
  if (rc == 0) rc = dm_params_check(p);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  (void)err;
  char msg[4096] = "";
  FILE *fp = fopen(errpath, "r");
  size_t n = fread(msg, 1, sizeof msg - 1, fp);
  msg[n] = '\0';
  fclose(fp);
  CHECK(rc == want_rc, "rc %d for:\n%s", rc, text);
  if (want_msg) CHECK(strstr(msg, want_msg) != NULL, "message '%s' lacks '%s'", msg, want_msg);
  dm_params_destroy(p);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_WORLD);
  dm_log_init(ctx.rank, DM_LOG_INFO);

  if (ctx.rank == 0) {
    CHECK(mkdtemp(tmpdir) != NULL, "mkdtemp");
    /* good file: comments, quotes, CRLF, blank lines, lists */
    expect("# header\nInput:\n  file: \"a b.tsv\"  # comment\r\n\n  length: 1000\nAttr:\n"
           "  method: grad\n  tasks: [0, 2]\n  fdr: 1e-2\n  resume: no\n",
           0, NULL);
    char where[300];
    snprintf(where, sizeof where, "%s/p.yml:3: unknown parameter 'Input:lenght'", tmpdir);
    expect("Input:\n  file: x\n  lenght: 5\n", -1, where);
    snprintf(where, sizeof where, "%s/p.yml:2: parameter 'Input:length' = 'ten' is not an integer", tmpdir);
    expect("Input:\n  length: ten\n  file: x\n", -1, where);
    expect("Input:\n  file: x\nAttr:\n  method: magic\n", -1, "is not deeplift|grad|ism");
    expect("Input:\n  file: x\nAttr:\n  fdr: nan\n", -1, "'Attr:fdr' = 'nan' is not a finite number");
    expect("Input:\n  file: x\nAttr:\n  resume: maybe\n", -1, "is not true or false");
    expect("Input:\n  file: x\nAttr:\n  tasks: [0, x]\n", -1, "is not a list of integers");
    expect("Input:\n  length: 5\n", -1, "required parameter 'Input:file' is missing");
    expect("Input:\n  file: x\n  file: y\n", -1, "p.yml:3: parameter 'Input:file' given twice");
    expect("  file: x\n", -1, "p.yml:1: indented key 'file' outside any section");
    expect("Input:\n\tfile: x\n", -1, "tab in indentation");
    expect("Input:\n  file\n", -1, "p.yml:2: expected 'Section:' or 'key: value'");
    expect("Input:\n  file:\n", -1, "p.yml:2: parameter 'Input:file' has no value");

    /* values and defaults */
    dm_params_t *p = dm_params_init(spec, N_SPEC);
    CHECK(dm_params_read_file(p, write_file("q.yml", "Input:\n  file: 'seqs.tsv'\nAttr:\n  tasks: 1,2,3\n")) == 0, "read");
    CHECK(dm_params_set(p, "Attr:fdr=0.05") == 0, "-P");
    CHECK(dm_params_set(p, "Attr:fdr") < 0, "-P without =");
    CHECK(dm_params_set(p, "Attr:nokey=1") < 0, "-P unknown key");
    CHECK(strcmp(dm_params_get_string(p, "Input:file"), "seqs.tsv") == 0, "string");
    CHECK(strcmp(dm_params_get_optional(p, "Input:file"), "seqs.tsv") == 0, "optional string");
    CHECK(dm_params_get_int(p, "Input:length") == 200, "default int");
    CLOSE(dm_params_get_float(p, "Attr:fdr"), 0.05, 0);
    CHECK(dm_params_get_bool(p, "Attr:resume") == 1, "default bool");
    long *tasks;
    int nt = dm_params_get_intlist(p, "Attr:tasks", &tasks);
    CHECK(nt == 3 && tasks[0] == 1 && tasks[2] == 3, "intlist n=%d", nt);
    free(tasks);
    CHECK(dm_params_is_set(p, "Attr:fdr") && !dm_params_is_set(p, "Attr:method"), "is_set");
    char **names;
    int nn = dm_params_get_strlist(p, "Input:file", &names);
    CHECK(nn == 1 && strcmp(names[0], "seqs.tsv") == 0, "string list of one, n=%d", nn);
    dm_params_strlist_free(names, nn);
    CHECK(dm_params_set(p, "Input:file=[a.h5, b.h5,c.h5  d.h5]") == 0, "-P list");
    nn = dm_params_get_strlist(p, "Input:file", &names);
    CHECK(nn == 4 && strcmp(names[0], "a.h5") == 0 && strcmp(names[2], "c.h5") == 0 && strcmp(names[3], "d.h5") == 0,
          "string list n=%d", nn);
    dm_params_strlist_free(names, nn);
    CHECK(dm_params_set(p, "Input:file=seqs.tsv") == 0, "-P back");
    /* round trip: the YAML written back reads to the same values */
    char *yaml = dm_params_to_yaml(p, 1);
    dm_params_t *q = dm_params_init(spec, N_SPEC);
    CHECK(dm_params_read_file(q, write_file("r.yml", yaml)) == 0, "round trip:\n%s", yaml);
    CLOSE(dm_params_get_float(q, "Attr:fdr"), 0.05, 0);
    CHECK(strcmp(dm_params_get_string(q, "Input:file"), "seqs.tsv") == 0, "round trip string");
    free(yaml);
    CHECK(dm_params_set(p, "Input:file=none") == 0 && dm_params_get_optional(p, "Input:file") == NULL,
          "'none' is not absent");
    dm_params_destroy(q);
    dm_params_destroy(p);
  }

  /* broadcast: every rank sees rank 0's values; errors fail on every rank */
  char path[300] = "", bad[300] = "";
  if (ctx.rank == 0) {
    snprintf(path, sizeof path, "%s", write_file("b.yml", "Input:\n  file: bcast.tsv\n  length: 77\n"));
    snprintf(bad, sizeof bad, "%s", write_file("c.yml", "Input:\n  length: 77\n"));
  }
  char *files[1] = {path}, *sets[1] = {"Attr:tasks=[4,5]"}, *bads[1] = {bad};
  dm_params_t *p = dm_params_init(spec, N_SPEC);
  CHECK(dm_params_load(&ctx, p, files, 1, sets, 1) == 0, "load");
  CHECK(strcmp(dm_params_get_string(p, "Input:file"), "bcast.tsv") == 0, "bcast string on rank %d", ctx.rank);
  CHECK(dm_params_get_int(p, "Input:length") == 77, "bcast int on rank %d", ctx.rank);
  long *tasks;
  CHECK(dm_params_get_intlist(p, "Attr:tasks", &tasks) == 2 && tasks[1] == 5, "bcast list");
  free(tasks);
  dm_params_destroy(p);
  p = dm_params_init(spec, N_SPEC);
  CHECK(dm_params_load(&ctx, p, bads, 1, NULL, 0) == -1, "missing key fails on rank %d", ctx.rank);
  dm_params_destroy(p);

  return dm_test_finish_mpi("test_params");
}
