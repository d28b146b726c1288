# Density adaptation and clustering (TF-MoDISco steps 4-5) and the sparse matrix they share.
dm_add_test(test_sparse SOURCES test_sparse.c LIBS dm_modisco LABELS asan)
