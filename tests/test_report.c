/* dm_report on the example fixture (tests/data/report/example_task0.h5):
 * the MEME exports (PFM, CWM, hCWM; whole and trimmed) read back by the
 * project's own parser give the pattern matrices (6 decimals), the trimmed
 * windows are lite's (sum |CWM| >= 0.3 max, padded by 4), and the page of a
 * report without database has one pattern section and four logos per
 * pattern; the reader lists the root attributes (provenance); logo letter
 * heights are the values (or p x bits, lite's formula by hand) to scale. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dm_report.h"
#include "dm_report_export.h"
#include "dm_svg.h"
#include "dm_test.h"

/* Largest |a - b| over n values. */
static double max_diff(const double *a, const double *b, int n) {
  double d = 0;
  for (int i = 0; i < n; i++) d = fabs(a[i] - b[i]) > d ? fabs(a[i] - b[i]) : d;
  return d;
}

static int count(const char *s, const char *what) {
  int n = 0;
  for (const char *p = s; (p = strstr(p, what)); p++) n++;
  return n;
}

/* Letter heights drawn by dm_svg_logo for a one-column matrix: sum of the
 * scale(w, h) heights of the letters, in pixels. */
static double drawn_height(const double *col, dm_logo_mode_t mode, double ymin, double ymax) {
  char *svg = NULL;
  size_t n = 0;
  FILE *fp = open_memstream(&svg, &n);
  dm_svg_logo_opt_t o = dm_svg_logo_defaults(mode);
  o.ymin = ymin, o.ymax = ymax, o.height_px = 100;
  dm_svg_logo(fp, col, 1, &o);
  fclose(fp);
  double sum = 0, w, h;
  for (const char *p = svg; (p = strstr(p, "scale(")); p++)
    if (sscanf(p, "scale(%lf,%lf)", &w, &h) == 2) sum += h;
  free(svg);
  return sum;
}

static void check_logos(void) {
  /* bits, lite's formula by hand: sum p log2((p + 0.001) / 1.004) + 2 */
  double one[4] = {1, 0, 0, 0}, uni[4] = {0.25, 0.25, 0.25, 0.25}, half[4] = {0.5, 0, 0.5, 0};
  CLOSE(dm_svg_row_bits(one), log2(1.001 / 1.004) + 2, 1e-12);
  CLOSE(dm_svg_row_bits(uni), 0.0, 1e-2);
  CLOSE(dm_svg_row_bits(half), log2(0.501 / 1.004) + 2, 1e-12);
  /* heights: 100 px for the range; bits 0..2 -> a column of IC bits is 50 IC px */
  CLOSE(drawn_height(half, DM_LOGO_BITS, 0, 0), 50 * dm_svg_row_bits(half), 1e-3);
  /* values: +0.3 +0.2 up, -0.1 -0.4 down on a range of [-0.5, 0.5] -> 100 px in all */
  double v[4] = {0.3, -0.1, 0.2, -0.4};
  CLOSE(drawn_height(v, DM_LOGO_VALUES, -0.5, 0.5), 100, 1e-3);
  double lo, hi;
  dm_svg_logo_range(v, 1, &lo, &hi);
  CLOSE(lo, -0.5, 1e-12);
  CLOSE(hi, 0.5, 1e-12);
}

int main(void) {
  check_logos();
  char dir[] = "/tmp/dm_test_report_XXXXXX", sub[128], path[256];
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  snprintf(sub, sizeof sub, "%s/motifs", dir);
  mkdir(sub, 0777);
  dm_report_task_t task = {.path = DM_TEST_DATA "/report/example_task0.h5", .label = "t0"};
  task.set = dm_modisco_read(task.path);
  CHECK(task.set && task.set->n == 2, "fixture not read");
  if (!task.set) return dm_test_summary("test_report");
  int seen = 0;
  for (int a = 0; a < task.set->n_attrs; a++) {
    seen += strcmp(task.set->attr_name[a], "window_size") == 0 && strcmp(task.set->attr_text[a], "200") == 0;
    seen +=
        strcmp(task.set->attr_name[a], "tool") == 0 && strcmp(task.set->attr_text[a], "dmotif modisco") == 0;
  }
  CHECK(seen == 2 && task.set->parameters && strstr(task.set->parameters, "Input:"),
        "root attributes: %d, window_size and tool found %d", task.set->n_attrs, seen);
  dm_report_t r = {.n_tasks = 1,
                   .tasks = &task,
                   .tomtom = dm_tomtom_opt_default(),
                   .top = 3,
                   .trim = 0.3,
                   .pad = 4,
                   .recur_q = 0.05,
                   .params_yaml = "x: 1",
                   .command = "test"};
  dm_report_match(&r);
  CHECK(dm_report_memes(dir, &task, 0.3, 4, "test parameters") == 0, "MEME export");
  static const char *const kinds[3] = {"pfm", "cwm", "hcwm"};
  for (int k = 0; k < 3; k++)
    for (int tr = 0; tr < 2; tr++) {
      snprintf(path, sizeof path, "%s/motifs/t0.%s%s.meme", dir, kinds[k], tr ? ".trimmed" : "");
      dm_meme_t *db = dm_meme_read(path, k == 0);
      CHECK(db && db->n == task.set->n, "%s not read back", path);
      for (int i = 0; db && i < db->n && i < task.set->n; i++) {
        const dm_motif_t *m = &task.set->m[i];
        int a = 0, b = m->len;
        if (tr) dm_motif_trim(m->cwm, m->len, 0.3, 4, &a, &b);
        const double *want = k == 0 ? m->ppm : k == 1 ? m->cwm : m->hcwm;
        CHECK(db->m[i].len == b - a, "%s motif %d: width %d, want %d", path, i, db->m[i].len, b - a);
        CHECK(strcmp(db->m[i].name, task.pat[i].name) == 0, "name %s", db->m[i].name);
        if (db->m[i].len == b - a) /* PPM rows of the fixture already sum to 1 */
          CHECK(max_diff(db->m[i].p, want + 4 * a, 4 * (b - a)) <= 5.1e-7, "%s motif %d differs", path, i);
      }
      dm_meme_free(db);
      unlink(path);
    }
  /* lite's trim, by hand: threshold 0.3 of the max of sum |CWM| */
  for (int i = 0; i < task.set->n; i++) {
    const dm_motif_t *m = &task.set->m[i];
    double mx = 0, s[200];
    for (int j = 0; j < m->len; j++) {
      s[j] =
          fabs(m->cwm[4 * j]) + fabs(m->cwm[4 * j + 1]) + fabs(m->cwm[4 * j + 2]) + fabs(m->cwm[4 * j + 3]);
      mx = s[j] > mx ? s[j] : mx;
    }
    int first = -1, last = -1;
    for (int j = 0; j < m->len; j++)
      if (s[j] >= 0.3 * mx) last = j, first = first < 0 ? j : first;
    CHECK(task.pat[i].q0 == first && task.pat[i].q1 == last + 1, "query window %d-%d, want %d-%d",
          task.pat[i].q0, task.pat[i].q1, first, last + 1);
  }
  /* the page: one section per pattern, 4 logos each, no database table */
  char *html = NULL;
  size_t hn = 0;
  FILE *fp = open_memstream(&html, &hn);
  CHECK(dm_report_html(fp, &r) == 0, "page");
  fclose(fp);
  CHECK(count(html, "<section class=\"pattern\"") == 2, "pattern sections");
  CHECK(count(html, "<svg class=\"logo\"") >= 2 * 4 + 2, "logos: %d", count(html, "<svg class=\"logo\""));
  CHECK(count(html, "Top database matches") == 0, "matches without a database");
  CHECK(!strstr(html, "http://") && !strstr(html, "https://"), "a URL in the page");
  free(html);
  dm_report_free(&r);
  rmdir(sub);
  rmdir(dir);
  return dm_test_summary("test_report");
}
