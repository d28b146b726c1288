# dmotif modisco: the evaluation tool (tools/modisco_eval.c) and the stage-2 tests.
add_executable(modisco_eval ${PROJECT_SOURCE_DIR}/tools/modisco_eval.c)
target_link_libraries(modisco_eval PRIVATE dm_hdf5 ZLIB::ZLIB)
