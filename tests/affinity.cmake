# Coarse (gapped k-mer) and fine (continuous Jaccard) affinity kernels.
dm_add_test(test_cj SOURCES test_cj.c LIBS dm_modisco)
dm_add_test(test_kmer SOURCES test_kmer.c LIBS dm_modisco)
dm_add_test(test_affinity SOURCES test_affinity.c LIBS dm_modisco)

# Benchmark (not a test): bench_affinity [N] [k] prints seconds per stage.
add_executable(bench_affinity ${PROJECT_SOURCE_DIR}/bench/bench_affinity.c)
target_include_directories(bench_affinity PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(bench_affinity PRIVATE dm_modisco)
