/* dmotif report: modisco.h5 files -> a directory with a self-contained
 * index.html (logos, database matches, seqlet figures), the patterns as MEME
 * files and, with Input:attr, the seqlets as BED6 and FASTA.
 *
 * Rank 0 does the work (other ranks wait for its verdict). Everything is
 * written into <Output:dir>.tmp, which replaces Output:dir when complete.
 */

/* Standard headers. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
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
#include "dm_report.h"
#include "dm_report_export.h"

static const dm_param_spec_t report_spec[] = {
    {"Input:modisco", DM_PARAM_STRING, NULL, NULL,
     "modisco.h5 files (dmotif or tfmodisco-lite), one per task, separated by commas"},
    {"Input:attr", DM_PARAM_STRING, "none", NULL,
     "attr.h5 of the run (its /regions place the seqlets in the genome); needed by Report:seqlets"},
    {"Input:genome", DM_PARAM_STRING, "none", NULL,
     "indexed FASTA genome for the seqlet FASTA (none: bases from /onehot of Input:attr)"},
    {"Report:motifs", DM_PARAM_STRING, "default", NULL,
     "MEME motif database (plain or .gz); default: the bundled MotifCompendium human database; none: logos only"},
    {"Report:top_matches", DM_PARAM_INT, "3", NULL, "database matches shown per pattern"},
    {"Report:min_overlap", DM_PARAM_INT, "5", NULL, "TOMTOM minimum overlap (columns) of pattern and motif"},
    {"Report:score_bins", DM_PARAM_INT, "50", NULL, "TOMTOM score grid: steps per unit of Pearson correlation"},
    {"Report:trim", DM_PARAM_FLOAT, "0.3", NULL,
     "keep positions with sum |CWM| >= trim x the maximum (tfmodisco-lite's report)"},
    {"Report:pad", DM_PARAM_INT, "4", NULL, "positions added on each side of the trimmed logos and MEME files"},
    {"Report:recur_q", DM_PARAM_FLOAT, "0.05", NULL,
     "a pattern recurs in another task when it matches one of its patterns with q <= recur_q"},
    {"Report:meme", DM_PARAM_BOOL, "true", NULL, "write motifs/<file>.{pfm,cwm,hcwm}[.trimmed].meme"},
    {"Report:seqlets", DM_PARAM_BOOL, "false", NULL, "write seqlets/<file>.bed (needs Input:attr)"},
    {"Report:fasta", DM_PARAM_BOOL, "false", NULL, "also write seqlets/<file>.fa"},
    {"Report:split", DM_PARAM_BOOL, "false", NULL, "also write one seqlet BED/FASTA per pattern"},
    {"Output:dir", DM_PARAM_STRING, NULL, NULL, "output directory (index.html, motifs/, seqlets/)"},
    {"Output:overwrite", DM_PARAM_BOOL, "false", NULL, "replace an existing Output:dir"},
};

typedef struct {
  char **inputs;
  int n_inputs;
  const char *attr, *genome, *motifs, *dir;
  int meme, seqlets, fasta, split, overwrite;
  long top, min_overlap, bins, pad;
  double trim, recur_q;
} report_opt_t;

// --- files and directories

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

/* Remove a directory tree (absent is fine). @return 0 or -1 */
static int rm_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return 0;
  return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Split a comma/space separated list ("[a, b]" also) into o->inputs. */
static void split_inputs(report_opt_t *o, const char *list) {
  char *s = dm_strdup("inputs", list);
  for (char *tok = strtok(s, "[], \t"); tok; tok = strtok(NULL, "[], \t")) {
    o->inputs = dm_realloc("inputs", o->inputs, (size_t)(o->n_inputs + 1) * sizeof *o->inputs);
    o->inputs[o->n_inputs++] = dm_strdup("input", tok);
  }
  free(s);
}

/* 1 if path lies inside dir (or is dir). */
static int inside(const char *path, const char *dir) {
  char rp[PATH_MAX], rd[PATH_MAX];
  if (!realpath(path, rp) || !realpath(dir, rd)) return 0;
  size_t n = strlen(rd);
  return strncmp(rp, rd, n) == 0 && (rp[n] == '/' || rp[n] == '\0');
}

/* Check the output policy and create <dir>.tmp with its subdirectories. */
static int prepare_dir(const report_opt_t *o, const char *tmp) {
  struct stat st;
  if (stat(o->dir, &st) == 0) {
    if (!o->overwrite) {
      dm_log_error("Output:dir %s exists: remove it or set Output:overwrite=true", o->dir);
      return -1;
    }
    char index[PATH_MAX + 16];
    snprintf(index, sizeof index, "%s/index.html", o->dir);
    if (!S_ISDIR(st.st_mode) || stat(index, &st) != 0) {
      dm_log_error("Output:dir %s exists and is not a report directory (no index.html): not replaced", o->dir);
      return -1;
    }
    const char *in[3] = {o->attr, o->genome, o->motifs};
    for (int i = 0; i < o->n_inputs + 3; i++) {
      const char *f = i < o->n_inputs ? o->inputs[i] : in[i - o->n_inputs];
      if (f && inside(f, o->dir)) {
        dm_log_error("input %s lies inside Output:dir %s, which the report would replace", f, o->dir);
        return -1;
      }
    }
  }
  if (rm_tree(tmp) != 0 || mkdir(tmp, 0777) != 0) {
    dm_log_error("%s: cannot create directory: %s", tmp, strerror(errno));
    return -1;
  }
  char sub[PATH_MAX + 16];
  snprintf(sub, sizeof sub, "%s/motifs", tmp);
  int rc = o->meme ? mkdir(sub, 0777) : 0;
  snprintf(sub, sizeof sub, "%s/seqlets", tmp);
  if (rc == 0 && o->seqlets) rc = mkdir(sub, 0777);
  if (rc != 0) dm_log_error("%s: cannot create directory: %s", sub, strerror(errno));
  return rc;
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
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s.tmp", o->dir);
  int rc = prepare_dir(o, tmp);
  if (rc == 0 && o->motifs) {
    db = dm_meme_read(o->motifs, 1);
    if (!db || dm_digest_sha256_file(o->motifs, r.db_sha256) < 0) rc = -1;
    if (db) dm_log_info("motif database %s: %d motifs", o->motifs, db->n);
  }
  r.db = db;
  r.tasks = dm_calloc("tasks", (size_t)o->n_inputs, sizeof *r.tasks);
  for (int t = 0; rc == 0 && t < o->n_inputs; t++) {
    dm_report_task_t *T = &r.tasks[t];
    struct stat st;
    T->path = o->inputs[t];
    if (!(T->set = dm_modisco_read(T->path)) || dm_digest_sha256_file(T->path, T->sha256) < 0) {
      rc = -1;
      break;
    }
    r.n_tasks = t + 1;
    T->bytes = stat(T->path, &st) == 0 ? (long long)st.st_size : -1;
    set_label(&r, t);
    if (T->set->n == 0) dm_log_warn("%s: no patterns (the page says so)", T->path);
  }
  if (rc == 0 && o->seqlets && !(g = dm_report_genome_open(o->attr, o->genome))) rc = -1;
  if (rc == 0) {
    dm_report_match(&r);
    dm_log_info("matched %d file(s) against %s in %.3f s", r.n_tasks, db ? db->path : "no database",
                r.match_seconds);
  }
  if (rc == 0 && db) {
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/matches.tsv", tmp);
    rc = dm_report_matches_tsv(path, &r, yaml);
  }
  for (int t = 0; rc == 0 && t < r.n_tasks; t++) {
    if (o->meme) rc = dm_report_memes(tmp, &r.tasks[t], r.trim, r.pad, yaml);
    if (rc == 0 && g) rc = dm_report_seqlets(tmp, &r.tasks[t], g, o->fasta, o->split, yaml);
  }
  if (rc == 0) {
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/index.html", tmp);
    FILE *fp = fopen(path, "w");
    if (!fp || dm_report_html(fp, &r) < 0 || fclose(fp) != 0) {
      dm_log_error("%s: cannot write", path);
      rc = -1;
    }
  }
  if (rc == 0 && (rm_tree(o->dir) != 0 || rename(tmp, o->dir) != 0)) {
    dm_log_error("cannot replace %s by %s: %s", o->dir, tmp, strerror(errno));
    rc = -1;
  }
  if (rc != 0) (void)rm_tree(tmp);
  if (rc == 0) dm_log_info("wrote %s/index.html", o->dir);
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
    split_inputs(&o, dm_params_get_string(p, "Input:modisco"));
    long top = o.top = dm_params_get_int(p, "Report:top_matches"), mo = o.min_overlap = dm_params_get_int(p, "Report:min_overlap"),
         bins = o.bins = dm_params_get_int(p, "Report:score_bins"), pad = o.pad = dm_params_get_int(p, "Report:pad");
    double trim = o.trim = dm_params_get_float(p, "Report:trim");
    o.recur_q = dm_params_get_float(p, "Report:recur_q");
    if (o.n_inputs == 0) {
      dm_log_error("Input:modisco: no file given");
      rc = -1;
    } else if (top < 1 || mo < 1 || bins < 1 || bins > 1000 || pad < 0 || !(trim > 0 && trim <= 1)) {
      dm_log_error("Report:top_matches (%ld) and Report:min_overlap (%ld) must be >= 1, Report:score_bins (%ld) "
                   "in [1, 1000], Report:pad (%ld) >= 0, Report:trim (%g) in (0, 1]",
                   top, mo, bins, pad, trim);
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
    for (int i = 0; i < o.n_inputs; i++) free(o.inputs[i]);
    free(o.inputs);
  }
  DM_MPI_CHECK(MPI_Bcast(&rc, 1, MPI_INT, 0, ctx->comm));
  return rc < 0 ? 1 : 0;
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
