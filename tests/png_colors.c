/* png_colors: count the pixels of given colours in a PNG screenshot (for the
 * headless-browser test of dmotif report: logo letters have their own fill
 * colours, so non-blank logos show up as pixels of those colours).
 *
 * usage: png_colors file.png min_count RRGGBB...
 * Prints "RRGGBB count" per colour; exit 0 if every count >= min_count, 1 if
 * not, 2 on an unreadable or unsupported PNG (8-bit RGB / RGBA, not
 * interlaced: what Chromium writes). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c) {
  int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: png_colors file.png min_count RRGGBB...\n");
    return 2;
  }
  FILE *fp = fopen(argv[1], "rb");
  if (!fp) return perror(argv[1]), 2;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  rewind(fp);
  unsigned char *f = malloc((size_t)n);
  if (fread(f, 1, (size_t)n, fp) != (size_t)n || n < 33 || memcmp(f, "\x89PNG\r\n\x1a\n", 8)) {
    fprintf(stderr, "%s: not a PNG\n", argv[1]);
    return 2;
  }
  fclose(fp);
  uint32_t w = 0, h = 0;
  int bpp = 0;
  unsigned char *idat = NULL;
  size_t ni = 0;
  for (long o = 8; o + 12 <= n;) {
    uint32_t len = be32(f + o);
    const unsigned char *type = f + o + 4, *d = f + o + 8;
    if (o + 12 + (long)len > n) break;
    if (!memcmp(type, "IHDR", 4)) {
      w = be32(d), h = be32(d + 4);
      if (d[8] != 8 || (d[9] != 2 && d[9] != 6) || d[12] != 0) {
        fprintf(stderr, "%s: only 8-bit RGB/RGBA non-interlaced PNGs\n", argv[1]);
        return 2;
      }
      bpp = d[9] == 6 ? 4 : 3;
    } else if (!memcmp(type, "IDAT", 4)) {
      idat = realloc(idat, ni + len);
      memcpy(idat + ni, d, len);
      ni += len;
    }
    o += 12 + (long)len;
  }
  uLongf raw_n = (uLongf)h * (1 + (uLongf)w * bpp);
  unsigned char *raw = malloc(raw_n);
  if (!bpp || !idat || uncompress(raw, &raw_n, idat, ni) != Z_OK || raw_n != (uLongf)h * (1 + w * bpp)) {
    fprintf(stderr, "%s: bad image data\n", argv[1]);
    return 2;
  }
  size_t stride = (size_t)w * bpp;
  unsigned char *img = calloc((size_t)h, stride);
  for (uint32_t y = 0; y < h; y++) {
    const unsigned char *src = raw + y * (stride + 1) + 1;
    unsigned char *row = img + y * stride, *up = y ? row - stride : NULL;
    int ft = src[-1];
    for (size_t x = 0; x < stride; x++) {
      int a = x >= (size_t)bpp ? row[x - bpp] : 0, b = up ? up[x] : 0,
          c = up && x >= (size_t)bpp ? up[x - bpp] : 0;
      int v = src[x];
      switch (ft) {
        case 1:
          v += a;
          break;
        case 2:
          v += b;
          break;
        case 3:
          v += (a + b) / 2;
          break;
        case 4:
          v += paeth(a, b, c);
          break;
        default:
          break;
      }
      row[x] = (unsigned char)v;
    }
  }
  long min = atol(argv[2]);
  int ok = 1;
  for (int k = 3; k < argc; k++) {
    unsigned rgb = (unsigned)strtoul(argv[k], NULL, 16);
    long cnt = 0;
    for (size_t p = 0; p < (size_t)w * h; p++) {
      const unsigned char *px = img + p * bpp;
      cnt += ((unsigned)px[0] << 16 | (unsigned)px[1] << 8 | px[2]) == rgb;
    }
    printf("%s %ld\n", argv[k], cnt);
    if (cnt < min) ok = 0;
  }
  printf("size %ux%u\n", w, h);
  return ok ? 0 : 1;
}
