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
