# tools/dm_synth: synthetic planted-motif attr.h5 for modisco benchmarks. synth.sh
# generates a small file and checks it with test_synth_check.
add_executable(test_synth_check test_synth_check.c)
target_link_libraries(test_synth_check PRIVATE dm_io dm_util)
dm_add_cli_test(synth_cli SCRIPT synth.sh TIMEOUT 60)
set_property(TEST synth_cli_np1 APPEND PROPERTY ENVIRONMENT
             "CHECK=$<TARGET_FILE:test_synth_check>;SYNTH=$<TARGET_FILE:dm_synth>")
