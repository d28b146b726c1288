# Density adaptation and clustering (TF-MoDISco steps 4-5) and the sparse matrix they share.
dm_add_test(test_sparse SOURCES test_sparse.c LIBS dm_modisco LABELS asan)
dm_add_test(test_density SOURCES test_density.c LIBS dm_modisco LABELS asan)
dm_add_test(test_cluster SOURCES test_cluster.c LIBS dm_modisco LABELS asan)
dm_add_test(test_cluster_mpi SOURCES test_cluster_mpi.c LIBS dm_modisco RANKS 1 2 4)
dm_add_test(test_density_mpi SOURCES test_density_mpi.c LIBS dm_modisco RANKS 1 2 4)
