# dmotif hits: the kernels (Fi-NeMo fit, CWM scan) against independent checks.
dm_add_test(test_hits_kernels SOURCES test_hits_kernels.c LIBS dm_hits LABELS asan TIMEOUT 60)
dm_add_cli_test(hits_cli SCRIPT hits.sh RANKS 2 TIMEOUT 300)
set_property(TEST hits_cli_np2 APPEND PROPERTY ENVIRONMENT
             "EVAL=$<TARGET_FILE:modisco_eval>;SYNTH=$<TARGET_FILE:dm_synth>")
