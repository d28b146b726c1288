/* Parameter files: parsing, types, errors naming file:line:key, -P
 * overrides, broadcast to every rank, and the YAML written back. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
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
    {"Model:file", DM_PARAM_PATH, "none", NULL, "model"},
    {"Model:weights", DM_PARAM_PATH, "none", NULL, "weights"},
};
#define N_SPEC ((int)(sizeof spec / sizeof spec[0]))

static char tmpdir[] = "/tmp/dm_test_params_XXXXXX";

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

/* rm -r dir. @return 0 or -1 */
static int remove_tree(const char *dir) { return nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS); }

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
    expect(
        "# header\nInput:\n  file: \"a b.tsv\"  # comment\r\n\n  length: 1000\nAttr:\n"
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
    expect("Input:\n  file: x\n  file: y\n", -1, "p.yml:3: 'Input:file' given twice (first at line 2)");
    expect("Input:\n  file: x\nAttr:\n  fdr: 1\nInput:\n  length: 3\n", -1, "p.yml:5: 'Input' given twice");
    expect("  file: x\n", -1, "p.yml:1: 'file' at top level must be a section name");
    expect("- a\n- b\n", -1, "p.yml:1: expected sections");
    expect("Input:\n\tfile: x\n", -1, "p.yml:2: not valid YAML");
    expect("Input:\n  file\n", -1, "p.yml:1: 'Input' at top level must be a section name followed by its keys, not a value");
    expect("Input:\n  file:\n", -1, "p.yml:2: parameter 'Input:file' has no value");
    expect("Input:\n  file: [a, b]\n", -1, "p.yml:2: parameter 'Input:file' takes one value, not a list");
    expect("Input:\n  file: {a: b}\n", -1, "parameter 'Input:file' takes one value, not a mapping");
    expect("Input:\n  file: x\nAttr:\n  tasks:\n    - 0\n    - [1]\n", -1, "item 2 is a list");
    expect("Input:\n  file: &a x\n  fdr: *a\n", -1, "aliases (*name) are not supported");
    expect("Input:\n  file: x\n---\nInput:\n  file: y\n", -1, "p.yml:3: more than one YAML document");
    expect("Input:\n  file: 'x\n", -1, "p.yml:");
    expect("Input:\n  file: x\nAttr: 5\n", -1, "p.yml:3: 'Attr' at top level must be a section name");
    expect("Input:\n  file: x\nAttr:\n  lenght: 5\n", -1, "p.yml:4: unknown parameter 'Attr:lenght'");
    /* what YAML writers produce: block lists, flow mappings, a UTF-8 byte-order mark, an empty section */
    expect("Input:\n  file: x\nAttr:\n  tasks:\n  - 0\n  - 2\n", 0, NULL);
    expect("Input: {file: m.json, length: 7}\nAttr: {tasks: [1, 2], method: grad}\n", 0, NULL);
    expect("\xEF\xBB\xBFInput:\n  file: x\n", 0, NULL);
    expect("Attr:\nInput:\n  file: x\n", 0, NULL);
    expect("", -1, "required parameter 'Input:file' is missing");
    expect("input:\n  file: x\n", -1, "holds blocks of commands (input:) but none for 'this command'");
    {
      dm_params_t *b = dm_params_init(spec, N_SPEC);
      long *t;
      CHECK(dm_params_read_file(b, write_file("block.yml", "Input:\n  file: x\nAttr:\n  tasks:\n    - 0\n    - 2\n"
                                                             "Model: {file: m.json, weights: 'w w.h5'}\n")) == 0,
            "block list");
      CHECK(dm_params_get_intlist(b, "Attr:tasks", &t) == 2 && t[0] == 0 && t[1] == 2, "block list values");
      free(t);
      CHECK(strcmp(dm_params_get_string(b, "Input:file"), "x") == 0, "a string is not a path");
      char want[300];
      snprintf(want, sizeof want, "%s/w w.h5", tmpdir);
      CHECK(strcmp(dm_params_get_string(b, "Model:weights"), want) == 0, "relative path from the file's directory: %s",
            dm_params_get_string(b, "Model:weights"));
      /* a file in the working directory: its relative paths are stored absolute too */
      char cwd[300];
      CHECK(getcwd(cwd, sizeof cwd) != NULL && chdir(tmpdir) == 0, "chdir");
      write_file("cwd.yml", "Model:\n  file: m.json\n");
      CHECK(dm_params_read_file(b, "cwd.yml") == 0, "read from the working directory");
      snprintf(want, sizeof want, "%s/m.json", tmpdir);
      CHECK(strcmp(dm_params_get_string(b, "Model:file"), want) == 0, "path from the working directory: %s",
            dm_params_get_string(b, "Model:file"));
      CHECK(chdir(cwd) == 0, "chdir back");
      /* -P: relative to the working directory; absolute and none as they are */
      CHECK(dm_params_set(b, "Model:weights=rel.h5") == 0 && strcmp(dm_params_get_string(b, "Model:weights"), "rel.h5") == 0,
            "-P path");
      CHECK(dm_params_read_file(b, write_file("abs.yml", "Model:\n  file: /abs/m.json\n  weights: none\n")) == 0 &&
                strcmp(dm_params_get_string(b, "Model:file"), "/abs/m.json") == 0 &&
                dm_params_get_optional(b, "Model:weights") == NULL,
            "absolute path or none");
      /* values that need quotes survive the round trip */
      CHECK(dm_params_set(b, "Input:file=a: b #c") == 0, "-P with ': '");
      char *y = dm_params_to_yaml(b, 1);
      dm_params_t *c = dm_params_init(spec, N_SPEC);
      CHECK(dm_params_read_file(c, write_file("quoted.yml", y)) == 0 &&
                strcmp(dm_params_get_string(c, "Input:file"), "a: b #c") == 0,
            "quoted round trip:\n%s", y);
      free(y);
      dm_params_destroy(c);
      dm_params_destroy(b);
    }

    /* values and defaults */
    dm_params_t *p = dm_params_init(spec, N_SPEC);
    CHECK(dm_params_read_file(
              p, write_file("q.yml", "Input:\n  file: 'seqs.tsv'\nAttr:\n  tasks: 1,2,3\n")) == 0,
          "read");
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

  MPI_Barrier(ctx.comm); /* every rank has read the files */
  if (ctx.rank == 0) CHECK(remove_tree(tmpdir) == 0, "remove %s", tmpdir);
  return dm_test_finish_mpi("test_params");
}
