/* This object's header. */
#include "dm_report.h"

/* Standard headers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Local headers. */
#include "dm_mem.h"
#include "dm_svg.h"
#include "dm_version.h"

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;"
    "color:#1d2733;background:#f4f6f9}"
    "header{background:#1f3a5f;color:#fff;padding:18px 32px}header h1{margin:0;font-size:24px}"
    "header p{margin:4px 0 0;opacity:.85}main{padding:8px 32px 32px;max-width:1400px}"
    "h2{margin:28px 0 8px;font-size:20px;border-bottom:2px solid #1f3a5f;padding-bottom:4px}"
    "section.pattern{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);margin:16px 0;"
    "padding:14px 18px}section.pattern h3{margin:0 0 6px;font-size:17px}"
    ".badge{display:inline-block;border-radius:10px;padding:1px "
    "9px;font-size:12px;margin-right:6px;color:#fff}"
    ".pos{background:#2e7d32}.neg{background:#c62828}.cnt{background:#546e7a}"
    ".figs{display:flex;flex-wrap:wrap;gap:10px 26px;margin:8px 0}"
    ".fig{display:flex;flex-direction:column}.fig span{font-size:12px;color:#56657a;margin-bottom:2px}"
    "table{border-collapse:collapse;margin:6px 0;background:#fff}"
    "th,td{border-bottom:1px solid #e3e8ef;padding:4px 10px;text-align:left;vertical-align:middle}"
    "th{background:#eef2f7;font-weight:600;font-size:13px}td.num{text-align:right;font-variant-numeric:"
    "tabular-nums;white-space:nowrap}"
    "table.summary{box-shadow:0 1px 3px rgba(0,0,0,.12)}"
    ".sig{color:#2e7d32;font-weight:600}.ns{color:#8a96a8}"
    "svg text{font-size:9px;fill:#56657a}"
    "svg .axis line{stroke:#8a96a8;stroke-width:1}svg line.base{stroke:#b0bac8;stroke-width:1}"

    "details{margin:8px 0}summary{cursor:pointer;color:#1f3a5f;font-weight:600}"
    "pre{background:#f0f3f7;padding:8px 12px;overflow:auto;font-size:12px;border-radius:4px}"
    "footer{padding:8px 32px 32px;color:#3c4a5c;max-width:1400px}footer h2{font-size:17px}"
    ".empty{background:#fff3cd;border:1px solid #e6d28a;padding:12px 16px;border-radius:6px}"
    "a{color:#1f5fa8;text-decoration:none}a:hover{text-decoration:underline}";

/* Write s with &, <, >, " escaped. */
static void esc(FILE *fp, const char *s) {
  for (; s && *s; s++) switch (*s) {
      case '&':
        fputs("&amp;", fp);
        break;
      case '<':
        fputs("&lt;", fp);
        break;
      case '>':
        fputs("&gt;", fp);
        break;
      case '"':
        fputs("&quot;", fp);
        break;
      default:
        fputc(*s, fp);
    }
}

/* Anchor of pattern i of task t. */
static void anchor(char *buf, size_t cap, int t, const dm_report_pattern_t *p) {
  snprintf(buf, cap, "t%d-%s", t, p->name);
  for (char *c = buf; *c; c++)
    if (*c == '.') *c = '-';
}

static void pval(FILE *fp, double v, double sig) {
  fprintf(fp, "<td class=\"num %s\">%.2e</td>", v <= sig ? "sig" : "ns", v);
}

/* Name shown for a database motif: id and alternate name. */
static void motif_name(FILE *fp, const dm_meme_motif_t *m) {
  esc(fp, m->name);
  if (m->alt && *m->alt) {
    fputs(" <span class=\"ns\">", fp);
    esc(fp, m->alt);
    fputs("</span>", fp);
  }
}

// --- summary

static void summary(FILE *fp, const dm_report_t *r) {
  fprintf(fp,
          "<h2>Summary</h2><table class=\"summary\"><tr><th>Task</th><th>Pattern</th><th>Sign</th>"
          "<th>Seqlets</th><th>CWM (trimmed)</th><th>Best match</th><th>q-value</th><th>Also in</th></tr>");
  for (int t = 0; t < r->n_tasks; t++) {
    const dm_report_task_t *T = &r->tasks[t];
    if (T->set->n == 0) {
      fputs("<tr><td>", fp);
      esc(fp, T->label);
      fputs("</td><td colspan=\"7\" class=\"ns\">no patterns</td></tr>", fp);
    }
    for (int i = 0; i < T->set->n; i++) {
      const dm_report_pattern_t *p = &T->pat[i];
      char a[160];
      anchor(a, sizeof a, t, p);
      fputs("<tr><td>", fp);
      esc(fp, T->label);
      fprintf(fp, "</td><td><a href=\"#%s\">%s</a></td><td><span class=\"badge %s\">%s</span></td>", a,
              p->name, p->m->sign > 0 ? "pos" : "neg", p->m->sign > 0 ? "pos" : "neg");
      fprintf(fp, "<td class=\"num\">%d</td><td>", p->m->n_seqlets);
      int s0, s1;
      dm_motif_trim(p->m->cwm, p->m->len, r->trim, r->pad, &s0, &s1);
      dm_svg_logo_opt_t o = dm_svg_logo_defaults(DM_LOGO_VALUES);
      o.col_px = 8;
      o.height_px = 34;
      o.label = "CWM";
      dm_svg_logo(fp, p->m->cwm + 4 * s0, s1 - s0, &o);
      fputs("</td>", fp);
      if (p->n_hits) {
        fputs("<td>", fp);
        motif_name(fp, &r->db->m[p->hits[0].target]);
        fputs("</td>", fp);
        pval(fp, p->hits[0].q, 0.05);
      } else {
        fprintf(fp, "<td class=\"ns\">%s</td><td></td>", r->db ? "none" : "no database");
      }
      fputs("<td>", fp);
      for (int k = 0; k < p->n_recur; k++) {
        const dm_report_task_t *U = &r->tasks[p->recur[k].task];
        const dm_report_pattern_t *q = &U->pat[p->recur[k].pattern];
        char b[160];
        anchor(b, sizeof b, p->recur[k].task, q);
        fprintf(fp, "%s<a href=\"#%s\">", k ? ", " : "", b);
        esc(fp, U->label);
        fprintf(fp, " %s</a> <span class=\"ns\">(q %.1e)</span>", q->name, p->recur[k].hit.q);
      }
      fputs("</td></tr>", fp);
    }
  }
  fputs("</table>", fp);
}

// --- one pattern

static void fig_logo(FILE *fp, const char *caption, const double *m, int len, dm_logo_mode_t mode,
                     double ymin, double ymax) {
  dm_svg_logo_opt_t o = dm_svg_logo_defaults(mode);
  o.ymin = ymin;
  o.ymax = ymax;
  o.label = caption;
  fprintf(fp, "<div class=\"fig\"><span>%s</span>", caption);
  dm_svg_logo(fp, m, len, &o);
  fputs("</div>", fp);
}

/* The pattern's query window and a database motif aligned to it (bits). */
static void aligned(FILE *fp, const dm_report_pattern_t *p, const dm_meme_motif_t *t,
                    const dm_tomtom_hit_t *h) {
  int wq = p->q1 - p->q0, o = h->offset, lo = o < 0 ? o : 0, hi = o + t->len > wq ? o + t->len : wq;
  double *tm = dm_malloc("target", (size_t)t->len * 4 * sizeof *tm);
  dm_motif_strand(t->p, t->len, h->strand, tm);
  dm_svg_logo_opt_t o1 = dm_svg_logo_defaults(DM_LOGO_BITS);
  o1.col_px = 11;
  o1.height_px = 34;
  o1.frame = hi - lo;
  o1.shift = -lo;
  o1.label = "pattern PPM (query window)";
  dm_svg_logo_opt_t o2 = o1;
  o2.shift = o - lo;
  o2.label = "database motif";
  fputs("<div class=\"fig\">", fp);
  dm_svg_logo(fp, p->m->ppm + 4 * p->q0, wq, &o1);
  dm_svg_logo(fp, tm, t->len, &o2);
  fputs("</div>", fp);
  free(tm);
}

static void matches(FILE *fp, const dm_report_t *r, const dm_report_pattern_t *p) {
  if (!r->db) return;
  fprintf(fp, "<h4>Top database matches</h4>");
  if (!p->n_hits) {
    fputs("<p class=\"ns\">none</p>", fp);
    return;
  }
  fputs(
      "<table><tr><th>#</th><th>Motif</th><th>Pattern (top) and motif (below), bits</th><th>Offset</th>"
      "<th>Strand</th><th>Overlap</th><th>Similarity</th><th>p-value</th><th>E-value</th><th>q-value</th></"
      "tr>",
      fp);
  for (int k = 0; k < p->n_hits; k++) {
    const dm_tomtom_hit_t *h = &p->hits[k];
    fprintf(fp, "<tr class=\"match\"><td>%d</td><td>", k + 1);
    motif_name(fp, &r->db->m[h->target]);
    fputs("</td><td>", fp);
    aligned(fp, p, &r->db->m[h->target], h);
    fprintf(fp,
            "</td><td class=\"num\">%d</td><td>%c</td><td class=\"num\">%d</td><td class=\"num\">%.3f</td>",
            h->offset, h->strand ? '-' : '+', h->overlap, h->sim);
    pval(fp, h->p, 0.05);
    pval(fp, h->e, 1);
    pval(fp, h->q, 0.05);
    fputs("</tr>", fp);
  }
  fputs("</table>", fp);
}

static void seqlet_figs(FILE *fp, const dm_motif_set_t *s, const dm_motif_t *m) {
  if (!m->n_seqlets) return;
  double *c = dm_malloc("centres", (size_t)m->n_seqlets * sizeof *c);
  int64_t L = s->window;
  for (int i = 0; i < m->n_seqlets; i++) {
    c[i] = 0.5 * (double)(m->start[i] + m->end[i]);
    if (L < m->end[i]) L = m->end[i];
  }
  fputs("<div class=\"figs\"><div class=\"fig\"><span>Seqlet centres in the input windows</span>", fp);
  int nb = L < 50 ? (int)L : 50;
  dm_svg_hist(fp, c, m->n_seqlets, 0, (double)L, nb, 300, 70, "position in window (bp)", "#4a78b0");
  double lo = m->total[0], hi = lo;
  for (int i = 0; i < m->n_seqlets; i++) {
    if (m->total[i] < lo) lo = m->total[i];
    if (m->total[i] > hi) hi = m->total[i];
  }
  if (hi <= lo) hi = lo + 1e-6;
  fputs("</div><div class=\"fig\"><span>Seqlet contribution totals</span>", fp);
  dm_svg_hist(fp, m->total, m->n_seqlets, lo, hi, 30, 300, 70, "sum of contributions", "#8e5ba8");
  fputs("</div></div>", fp);
  free(c);
}

static void subpatterns(FILE *fp, const dm_report_t *r, const dm_motif_t *m) {
  if (!m->n_sub) return;
  fprintf(fp, "<details><summary>Subpatterns (%d)</summary><div class=\"figs\">", m->n_sub);
  for (int k = 0; k < m->n_sub; k++) {
    const dm_motif_t *s = &m->sub[k];
    int s0, s1;
    dm_motif_trim(s->cwm, s->len, r->trim, r->pad, &s0, &s1);
    char cap[96];
    snprintf(cap, sizeof cap, "subpattern_%d: %d seqlets (CWM)", s->sub_index, s->n_seqlets);
    fig_logo(fp, cap, s->cwm + 4 * s0, s1 - s0, DM_LOGO_VALUES, 0, 0);
  }
  fputs("</div></details>", fp);
}

static void pattern(FILE *fp, const dm_report_t *r, int t, const dm_report_pattern_t *p) {
  const dm_motif_t *m = p->m;
  char a[160];
  anchor(a, sizeof a, t, p);
  fprintf(fp, "<section class=\"pattern\" id=\"%s\"><h3>", a);
  esc(fp, r->tasks[t].label);
  fprintf(fp,
          " &middot; %s</h3><span class=\"badge %s\">%s</span><span class=\"badge cnt\">%d seqlets</span>",
          p->name, m->sign > 0 ? "pos" : "neg", m->sign > 0 ? "positive" : "negative", m->n_seqlets);
  fprintf(fp, "<span class=\"ns\">%d bp; query window %d-%d</span>", m->len, p->q0, p->q1);
  /* CWM fwd and revcomp, each trimmed as lite trims it, on one scale */
  double *rc = dm_malloc("revcomp", (size_t)m->len * 4 * sizeof *rc);
  dm_motif_revcomp(m->cwm, m->len, rc);
  int f0, f1, r0, r1;
  dm_motif_trim(m->cwm, m->len, r->trim, r->pad, &f0, &f1);
  dm_motif_trim(rc, m->len, r->trim, r->pad, &r0, &r1);
  double lo, hi;
  dm_svg_logo_range(m->cwm, m->len, &lo, &hi);
  fputs("<div class=\"figs\">", fp);
  fig_logo(fp, "CWM, forward", m->cwm + 4 * f0, f1 - f0, DM_LOGO_VALUES, lo, hi);
  fig_logo(fp, "CWM, reverse complement", rc + 4 * r0, r1 - r0, DM_LOGO_VALUES, lo, hi);
  fig_logo(fp, "hCWM (hypothetical contributions)", m->hcwm + 4 * f0, f1 - f0, DM_LOGO_VALUES, 0, 0);
  fig_logo(fp, "PPM, information content (bits)", m->ppm + 4 * f0, f1 - f0, DM_LOGO_BITS, 0, 0);
  fputs("</div>", fp);
  free(rc);
  matches(fp, r, p);
  seqlet_figs(fp, r->tasks[t].set, m);
  subpatterns(fp, r, m);
  fputs("</section>", fp);
}

// --- foot

static void foot(FILE *fp, const dm_report_t *r) {
  fputs(
      "<footer><h2>Provenance</h2><table><tr><th>Input</th><th>SHA-256</th><th>Bytes</th><th>Window</th>"
      "<th>Patterns</th></tr>",
      fp);
  for (int t = 0; t < r->n_tasks; t++) {
    const dm_report_task_t *T = &r->tasks[t];
    fputs("<tr><td>", fp);
    esc(fp, T->path);
    fprintf(fp,
            "</td><td><code>%s</code></td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
            "<td class=\"num\">%d</td></tr>",
            T->sha256, T->bytes, (long long)T->set->window, T->set->n);
  }
  if (r->db) {
    fputs("<tr><td>", fp);
    esc(fp, r->db->path);
    fprintf(fp, " (motif database, %d motifs)</td><td><code>%s</code></td><td></td><td></td><td></td></tr>",
            r->db->n, r->db_sha256);
  }
  fputs("</table>", fp);
  for (int t = 0; t < r->n_tasks; t++) {
    const dm_report_task_t *T = &r->tasks[t];
    fputs("<details><summary>Attributes and parameters of the run that made ", fp);
    esc(fp, T->path);
    fputs("</summary>", fp);
    if (T->set->n_attrs) {
      fputs("<table>", fp);
      for (int a = 0; a < T->set->n_attrs; a++) {
        fputs("<tr><th>", fp);
        esc(fp, T->set->attr_name[a]);
        fputs("</th><td><code>", fp);
        esc(fp, T->set->attr_text[a]);
        fputs("</code></td></tr>", fp);
      }
      fputs("</table>", fp);
    }
    if (T->set->parameters) {
      fputs("<pre>", fp);
      esc(fp, T->set->parameters);
      fputs("</pre>", fp);
    } else {
      fputs(
          "<p class=\"ns\">the file has no <code>parameters</code> attribute (tfmodisco-lite files have "
          "none)</p>",
          fp);
    }
    fputs("</details>", fp);
  }
  fprintf(fp, "<details><summary>This report: dmotif %s</summary><pre>", DM_VERSION);
  esc(fp, r->command);
  fputs("\n\n", fp);
  esc(fp, r->params_yaml);
  fputs("</pre></details></footer>", fp);
}

int dm_report_html(FILE *fp, const dm_report_t *r) {
  int np = 0;
  for (int t = 0; t < r->n_tasks; t++) np += r->tasks[t].set->n;
  fprintf(fp,
          "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
          "'unsafe-inline'\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<title>dmotif report</title><style>%s</style></head><body>",
          css);
  fprintf(fp, "<header><h1>dmotif report</h1><p>%d file%s, %d pattern%s; motif database: ", r->n_tasks,
          r->n_tasks == 1 ? "" : "s", np, np == 1 ? "" : "s");
  if (r->db) {
    esc(fp, r->db->path);
    fprintf(fp, " (%d motifs)", r->db->n);
  } else {
    fputs("none (logos only)", fp);
  }
  fputs("</p></header><main>", fp);
  if (np == 0) {
    fputs("<p class=\"empty\" id=\"no-patterns\">No patterns: ", fp);
    for (int t = 0; t < r->n_tasks; t++) {
      fputs(t ? ", " : "", fp);
      esc(fp, r->tasks[t].path);
    }
    fputs(" hold no pos_patterns or neg_patterns (the run found no motif, e.g. too few seqlets).</p>", fp);
  } else {
    summary(fp, r);
    if (r->db)
      fprintf(fp,
              "<p class=\"ns\">Matches: TOMTOM statistics of the pattern's PPM cut to lite's trimmed window "
              "(Pearson column scores, minimum overlap %d, both strands, every offset); p-values exact for "
              "scores on a 1/%d grid, corrected for the alignments tried; E = p &times; %d motifs; q-values "
              "Benjamini&ndash;Hochberg over the database. Values &le; 0.05 in green.</p>",
              r->tomtom.min_overlap, r->tomtom.bins, r->db->n);
  }
  for (int t = 0; t < r->n_tasks; t++) {
    const dm_report_task_t *T = &r->tasks[t];
    fputs("<h2>", fp);
    esc(fp, T->label);
    fputs("</h2>", fp);
    if (T->set->n == 0) {
      fputs("<p class=\"empty\">No patterns in ", fp);
      esc(fp, T->path);
      fputs(".</p>", fp);
    }
    for (int i = 0; i < T->set->n; i++) pattern(fp, r, t, &T->pat[i]);
  }
  fputs("</main>", fp);
  foot(fp, r);
  fputs("</body></html>\n", fp);
  return ferror(fp) ? -1 : 0;
}
