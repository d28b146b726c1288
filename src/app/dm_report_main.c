/* dmotif report: modisco.h5 files -> a directory with a self-contained
 * index.html (logos, database matches, seqlet figures), the patterns as MEME
 * files and, with Input:attr, the seqlets as BED6 and FASTA.
 *
 * Rank 0 does the work (other ranks wait for its verdict). Output:dir and
 * its motifs/ and seqlets/ are created when missing; every file follows the
 * output policy (dm_output.h): checked before the work, written as
 * <file>.tmp and renamed when complete; index.html is written last.
 */

/* Standard headers. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Local headers. */
#include "dm_cmd.h"
#include "dm_digest.h"
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_output.h"
#include "dm_report.h"
#include "dm_report_export.h"

static const dm_param_spec_t report_spec[] = {
    {"Input:modisco", DM_PARAM_STRING, NULL, NULL,
     "modisco.h5 files (dmotif or tfmodisco-lite), one per task, separated by commas"},
    {"Input:attr", DM_PARAM_PATH, "none", NULL,
     "attr.h5 of the run (its /regions place the seqlets in the genome); needed by Report:seqlets"},
    {"Input:genome", DM_PARAM_PATH, "none", NULL,
     "indexed FASTA genome for the seqlet FASTA (none: bases from /onehot of Input:attr)"},
    {"Report:motifs", DM_PARAM_STRING, "default", NULL,
     "MEME motif database (plain or .gz); default: the bundled MotifCompendium human database; none: logos "
     "only"},
    {"Report:top_matches", DM_PARAM_INT, "3", NULL, "database matches shown per pattern"},
    {"Report:min_overlap", DM_PARAM_INT, "5", NULL, "TOMTOM minimum overlap (columns) of pattern and motif"},
    {"Report:score_bins", DM_PARAM_INT, "50", NULL,
     "TOMTOM score grid: steps per unit of Pearson correlation"},
    {"Report:trim", DM_PARAM_FLOAT, "0.3", NULL,
     "keep positions with sum |CWM| >= trim x the maximum (tfmodisco-lite's report)"},
    {"Report:pad", DM_PARAM_INT, "4", NULL,
     "positions added on each side of the trimmed logos and MEME files"},
    {"Report:recur_q", DM_PARAM_FLOAT, "0.05", NULL,
     "a pattern recurs in another task when it matches one of its patterns with q <= recur_q"},
    {"Report:meme", DM_PARAM_BOOL, "true", NULL, "write motifs/<file>.{pfm,cwm,hcwm}[.trimmed].meme"},
    {"Report:seqlets", DM_PARAM_BOOL, "false", NULL, "write seqlets/<file>.bed (needs Input:attr)"},
    {"Report:fasta", DM_PARAM_BOOL, "false", NULL, "also write seqlets/<file>.fa"},
    {"Report:split", DM_PARAM_BOOL, "false", NULL, "also write one seqlet BED/FASTA per pattern"},
    {"Output:dir", DM_PARAM_PATH, NULL, NULL, "output directory (index.html, motifs/, seqlets/)"},
    DM_OUTPUT_OVERWRITE_PARAM,
};

typedef struct {
  char **inputs;
  int n_inputs;
  const char *attr, *genome, *motifs, *dir;
  int meme, seqlets, fasta, split, overwrite;
  long top, min_overlap, bins, pad;
  double trim, recur_q;
} report_opt_t;

// --- inputs, outputs

/* Create dir/sub when missing. @return 0 or -1 (logged) */
static int make_dir(const char *dir, const char *sub) {
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s%s%s", dir, sub ? "/" : "", sub ? sub : "");
  if (mkdir(path, 0777) == 0) {
    dm_log_info("%s: created", path);
    return 0;
  }
  struct stat st;
  if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
  dm_log_error("%s (Output:dir): cannot create directory: %s", path,
               strerror(errno == EEXIST ? ENOTDIR : errno));
  return -1;
}

/* Label of an input: its file name without directory and .h5; made unique. */
static void set_label(dm_report_t *r, int t) {
  const char *path = r->tasks[t].path, *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  char *lab = r->tasks[t].label;
  snprintf(lab, sizeof r->tasks[t].label, "%s", b);
  size_t n = strlen(lab);
  if (n > 3 && strcmp(lab + n - 3, ".h5") == 0) lab[n - 3] = '\0';
  for (int u = 0; u < t; u++)
    if (strcmp(r->tasks[u].label, lab) == 0) {
      char suffix[16];
      size_t m = strlen(lab);
      snprintf(suffix, sizeof suffix, "_%d", t % 100000);
      snprintf(lab + (m < 56 ? m : 56), 8, "%.7s", suffix);
    }
}

/* Growing list of output files (paths owned), NULL-key terminated. */
typedef struct {
  int n, cap;
  dm_output_path_t *v;
} outputs_t;

static void add_output(outputs_t *l, const char *path) {
  if (l->n + 2 > l->cap) {
    l->cap = l->cap ? 2 * l->cap : 32;
    l->v = dm_realloc("outputs", l->v, (size_t)l->cap * sizeof *l->v);
  }
  l->v[l->n++] = (dm_output_path_t){"Output:dir", dm_strdup("output", path)};
  l->v[l->n] = (dm_output_path_t){NULL, NULL};
}

static void free_outputs(outputs_t *l) {
  for (int i = 0; i < l->n; i++) free((char *)l->v[i].path);
  free(l->v);
  *l = (outputs_t){0};
}

/* Apply the output policy to the files of this report: before reading
 * (patterns unknown: split files left out) or after (split files only). */
static int check_outputs(const report_opt_t *o, const dm_report_t *r, int split_files) {
  outputs_t out = {0};
  char path[PATH_MAX + 256];
  if (!split_files) {
    snprintf(path, sizeof path, "%s/index.html", o->dir);
    add_output(&out, path);
    if (o->motifs) {
      snprintf(path, sizeof path, "%s/matches.tsv", o->dir);
      add_output(&out, path);
    }
  }
  for (int t = 0; t < r->n_tasks; t++) {
    const dm_report_task_t *T = &r->tasks[t];
    for (int k = 0; !split_files && o->meme && k < 6; k++) {
      dm_report_path_meme(path, sizeof path, o->dir, T->label, k / 2, k % 2);
      add_output(&out, path);
    }
    int n = split_files ? T->set->n : 1; /* split: pattern names set by dm_report_match */
    for (int i = 0; o->seqlets && i < n; i++)
      for (int fa = 0; fa <= o->fasta; fa++) {
        dm_report_path_seqlets(path, sizeof path, o->dir, T->label, split_files ? T->pat[i].name : NULL, fa);
        add_output(&out, path);
      }
  }
  dm_output_path_t *in = dm_malloc("inputs", (size_t)(o->n_inputs + 4) * sizeof *in);
  for (int i = 0; i < o->n_inputs; i++) in[i] = (dm_output_path_t){"Input:modisco", o->inputs[i]};
  in[o->n_inputs] = (dm_output_path_t){"Input:attr", o->attr};
  in[o->n_inputs + 1] = (dm_output_path_t){"Input:genome", o->genome};
  in[o->n_inputs + 2] = (dm_output_path_t){"Report:motifs", o->motifs};
  in[o->n_inputs + 3] = (dm_output_path_t){NULL, NULL};
  dm_output_policy_t pol = {.overwrite = o->overwrite};
  int rc = out.n ? dm_output_check(NULL, &pol, in, out.v) : 0;
  free(in);
  free_outputs(&out);
  return rc;
}

// --- the report

static int report_rank0(const report_opt_t *o, const char *yaml) {
  dm_report_t r = {.params_yaml = yaml,
                   .command = "dmotif report",
                   .tomtom = {.min_overlap = (int)o->min_overlap, .bins = (int)o->bins},
                   .top = (int)o->top,
                   .trim = o->trim,
                   .pad = (int)o->pad,
                   .recur_q = o->recur_q};
  dm_meme_t *db = NULL;
  dm_report_genome_t *g = NULL;
  r.tasks = dm_calloc("tasks", (size_t)o->n_inputs, sizeof *r.tasks);
  for (int t = 0; t < o->n_inputs; t++) {
    r.tasks[t].path = o->inputs[t];
    set_label(&r, t);
  }
  r.n_tasks = o->n_inputs; /* sets are read below; check_outputs needs the labels only */
  int rc = make_dir(o->dir, NULL);
  if (rc == 0 && o->meme) rc = make_dir(o->dir, "motifs");
  if (rc == 0 && o->seqlets) rc = make_dir(o->dir, "seqlets");
  if (rc == 0 && check_outputs(o, &r, 0) < 0) rc = -2; /* refused: exit 2, as every command */
  r.n_tasks = 0;
  if (rc == 0 && o->motifs) {
    db = dm_meme_read(o->motifs, 1);
    if (!db || dm_digest_sha256_file(o->motifs, r.db_sha256) < 0) rc = -1;
    if (db) dm_log_info("motif database %s: %d motifs", o->motifs, db->n);
  }
  r.db = db;
  for (int t = 0; rc == 0 && t < o->n_inputs; t++) {
    dm_report_task_t *T = &r.tasks[t];
    struct stat st;
    if (!(T->set = dm_modisco_read(T->path)) || dm_digest_sha256_file(T->path, T->sha256) < 0) {
      rc = -1;
      break;
    }
    r.n_tasks = t + 1;
    T->bytes = stat(T->path, &st) == 0 ? (long long)st.st_size : -1;
    if (T->set->n == 0) dm_log_warn("%s: no patterns (the page says so)", T->path);
  }
  if (rc == 0 && o->seqlets && !(g = dm_report_genome_open(o->attr, o->genome))) rc = -1;
  if (rc == 0) {
    dm_report_match(&r);
    dm_log_info("matched %d file(s) against %s in %.3f s", r.n_tasks, db ? db->path : "no database",
                r.match_seconds);
    if (o->split && check_outputs(o, &r, 1) < 0) rc = -2;
  }
  for (int t = 0; rc == 0 && g && t < r.n_tasks; t++) /* every seqlet placed before any file is written */
    rc = dm_report_seqlets(NULL, &r.tasks[t], g, 0, 0, NULL);
  char path[PATH_MAX + 16];
  if (rc == 0 && db) {
    snprintf(path, sizeof path, "%s/matches.tsv", o->dir);
    rc = dm_report_matches_tsv(path, &r, yaml);
  }
  for (int t = 0; rc == 0 && t < r.n_tasks; t++) {
    if (o->meme) rc = dm_report_memes(o->dir, &r.tasks[t], r.trim, r.pad, yaml);
    if (rc == 0 && g) rc = dm_report_seqlets(o->dir, &r.tasks[t], g, o->fasta, o->split, yaml);
  }
  if (rc == 0) { /* last: a complete index.html means a complete report */
    dm_report_out_t page = {0};
    snprintf(path, sizeof path, "%s/index.html", o->dir);
    rc = dm_report_out_open(&page, path, NULL, "");
    if (rc == 0) rc = dm_report_html(page.fp, &r);
    if (dm_report_out_close(&page, rc == 0) < 0) rc = -1;
    if (rc == 0) dm_log_info("wrote %s", path);
  }
  dm_report_genome_close(g);
  dm_report_free(&r);
  free(r.tasks);
  dm_meme_free(db);
  return rc;
}

static int report_main(const dm_mpi_t *ctx, const dm_params_t *p) {
  report_opt_t o = {
      .attr = dm_params_get_optional(p, "Input:attr"),
      .genome = dm_params_get_optional(p, "Input:genome"),
      .motifs = dm_params_get_optional(p, "Report:motifs"),
      .dir = dm_params_get_string(p, "Output:dir"),
      .meme = dm_params_get_bool(p, "Report:meme"),
      .seqlets = dm_params_get_bool(p, "Report:seqlets"),
      .fasta = dm_params_get_bool(p, "Report:fasta"),
      .split = dm_params_get_bool(p, "Report:split"),
      .overwrite = dm_params_get_bool(p, "Output:overwrite"),
  };
  if (o.motifs && strcmp(o.motifs, "default") == 0) o.motifs = DM_MOTIF_DB;
  int rc = 0;
  if (ctx->rank == 0) {
    o.n_inputs = dm_params_get_strlist(p, "Input:modisco", &o.inputs);
    o.top = dm_params_get_int(p, "Report:top_matches");
    o.min_overlap = dm_params_get_int(p, "Report:min_overlap");
    o.bins = dm_params_get_int(p, "Report:score_bins");
    o.pad = dm_params_get_int(p, "Report:pad");
    o.trim = dm_params_get_float(p, "Report:trim");
    o.recur_q = dm_params_get_float(p, "Report:recur_q");
    if (o.n_inputs == 0) {
      dm_log_error("Input:modisco: no file given");
      rc = -1;
    } else if (o.top < 1 || o.min_overlap < 1 || o.bins < 1 || o.bins > 1000 || o.pad < 0 ||
               !(o.trim > 0 && o.trim <= 1)) {
      dm_log_error(
          "Report:top_matches (%ld) and Report:min_overlap (%ld) must be >= 1, Report:score_bins (%ld) "
          "in [1, 1000], Report:pad (%ld) >= 0, Report:trim (%g) in (0, 1]",
          o.top, o.min_overlap, o.bins, o.pad, o.trim);
      rc = -1;
    } else if (o.seqlets && !o.attr) {
      dm_log_error("Report:seqlets=true needs Input:attr (the attr.h5 whose /regions place the seqlets)");
      rc = -1;
    } else if ((o.fasta || o.split) && !o.seqlets) {
      dm_log_error("Report:fasta and Report:split need Report:seqlets=true");
      rc = -1;
    } else {
      char *yaml = dm_params_to_yaml(p, 0);
      rc = report_rank0(&o, yaml);
      free(yaml);
    }
    dm_params_strlist_free(o.inputs, o.n_inputs);
  }
  DM_MPI_CHECK(MPI_Bcast(&rc, 1, MPI_INT, 0, ctx->comm));
  return rc == -2 ? 2 : rc < 0 ? 1 : 0;
}

const dm_cmd_t dm_cmd_report = {
    .name = "report",
    .summary = "modisco.h5 files -> web page of motifs and database matches, MEME, seqlet BED/FASTA",
    .usage =
        "Reads Input:modisco (one or more modisco.h5 of dmotif modisco or tfmodisco-lite, one per\n"
        "task) and writes Output:dir/index.html: a self-contained page (inline SVG, no network) with\n"
        "every pattern's logos, its best matches in the Report:motifs MEME database (TOMTOM\n"
        "statistics), seqlet positions and contribution totals, subpatterns, and the provenance\n"
        "of each input. Also writes the patterns as MEME files (Report:meme) and, with Input:attr,\n"
        "the seqlets as BED6 / FASTA in genome coordinates (Report:seqlets, Report:fasta).",
    .spec = report_spec,
    .n_spec = (int)(sizeof report_spec / sizeof report_spec[0]),
    .run = report_main,
};
