# dmotif modisco: the evaluation tool (tools/modisco_eval.c) and the stage-2 tests.
add_executable(modisco_eval ${PROJECT_SOURCE_DIR}/tools/modisco_eval.c)
target_link_libraries(modisco_eval PRIVATE dm_hdf5 ZLIB::ZLIB)

dm_add_test(test_modisco_input SOURCES test_modisco_input.c LIBS dm_modisco RANKS 1 2 4 LABELS asan TIMEOUT 60)
# Under AddressSanitizer, LeakSanitizer reports allocations Open MPI, hwloc,
# GSL and OpenSSL keep until exit (none from dmotif): address checks only.
foreach(np 1 2 4)
  set_property(TEST test_modisco_input_np${np} APPEND PROPERTY ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0")
endforeach()

dm_add_cli_test(modisco_cli SCRIPT modisco.sh RANKS 2 TIMEOUT 600)
set_property(TEST modisco_cli_np2 APPEND PROPERTY ENVIRONMENT "EVAL=$<TARGET_FILE:modisco_eval>")
