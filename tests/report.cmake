# dmotif report: MEME export read-back and page structure (C), then the CLI on the example
# fixture (matches, lite schema, no patterns, errors, seqlet BED/FASTA) with headless Chromium.
dm_add_test(test_report SOURCES test_report.c LIBS dm_report LABELS asan)
add_executable(png_colors png_colors.c)
target_link_libraries(png_colors PRIVATE ZLIB::ZLIB)
dm_add_cli_test(report_cli SCRIPT report.sh TIMEOUT 300)
set_property(TEST report_cli_np1 APPEND PROPERTY ENVIRONMENT "PNG_COLORS=$<TARGET_FILE:png_colors>")
# Benchmark (not a test): bench_report [db] [tasks] [patterns] [brute] prints report and matching times.
add_executable(bench_report ${PROJECT_SOURCE_DIR}/bench/bench_report.c)
target_link_libraries(bench_report PRIVATE dm_report)
