# Coarse (gapped k-mer) and fine (continuous Jaccard) affinity kernels.
dm_add_test(test_cj SOURCES test_cj.c LIBS dm_modisco)
dm_add_test(test_kmer SOURCES test_kmer.c LIBS dm_modisco)
dm_add_test(test_affinity SOURCES test_affinity.c LIBS dm_modisco)
