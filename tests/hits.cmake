# dmotif hits: the kernels (Fi-NeMo fit, CWM scan) against independent checks.
dm_add_test(test_hits_kernels SOURCES test_hits_kernels.c LIBS dm_hits LABELS asan TIMEOUT 60)
