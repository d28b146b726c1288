# Patterns (TF-MoDISco steps 6-7): aggregation, polishing, filters, merging, modisco.h5.
dm_add_test(test_modisco_h5 SOURCES test_modisco_h5.c LIBS dm_modisco)
dm_add_test(test_pattern SOURCES test_pattern.c LIBS dm_modisco)
dm_add_test(test_merge SOURCES test_merge.c LIBS dm_modisco)
dm_add_test(test_modisco_read SOURCES test_modisco_read.c LIBS dm_modisco LABELS asan)
