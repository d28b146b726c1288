# nn: op kernels (finite differences), Keras model loading, example predictions.
dm_add_test(test_nn_ops SOURCES test_nn_ops.c LIBS dm_nn LABELS asan)
dm_add_test(test_nn_model SOURCES test_nn_model.c LIBS dm_nn ZLIB::ZLIB LABELS asan)

# Benchmark (not a test): bench/bench_attr.c, run build/tests/bench_attr by hand.
add_executable(bench_attr ${PROJECT_SOURCE_DIR}/bench/bench_attr.c)
target_link_libraries(bench_attr PRIVATE dm_attr ZLIB::ZLIB)
target_include_directories(bench_attr PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_definitions(bench_attr PRIVATE DM_TEST_DATA="${DM_TEST_DATA}")
dm_add_test(test_nn_graph SOURCES test_nn_graph.c LIBS dm_attr LABELS asan)
# Benchmark (not a test): bench/bench_graph.c (ChromBPNet-size graph), run by bench/bench_graph.sh.
add_executable(bench_graph ${PROJECT_SOURCE_DIR}/bench/bench_graph.c)
target_link_libraries(bench_graph PRIVATE dm_attr)
dm_add_test(test_onnx_read SOURCES test_onnx_read.c LIBS dm_nn LABELS asan)
dm_add_test(test_onnx_graph SOURCES test_onnx_graph.c LIBS dm_attr LABELS asan)
dm_add_test(test_onnx_fold SOURCES test_onnx_fold.c LIBS dm_nn LABELS asan)
# the batch-invariance checks again on OpenBLAS's other x86-64 kernel families
# (whatever the machine's own), each where the CPU has its instructions
# (skipped otherwise): Haswell/Zen (avx2), SkylakeX (avx512f), generic SSE3 (pni)
foreach(core_flag Haswell:avx2 SkylakeX:avx512f Prescott:pni)
  string(REPLACE ":" ";" cf ${core_flag})
  list(GET cf 0 core)
  list(GET cf 1 flag)
  add_test(NAME test_nn_ops_${core}
           COMMAND sh -c "grep -qw ${flag} /proc/cpuinfo || exit 77; exec \"$0\"" $<TARGET_FILE:test_nn_ops>)
  set_tests_properties(test_nn_ops_${core} PROPERTIES ENVIRONMENT "${DM_TEST_ENV};OPENBLAS_CORETYPE=${core}"
                       TIMEOUT 120 SKIP_RETURN_CODE 77)
endforeach()
