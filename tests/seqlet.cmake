dm_add_test(test_isotonic SOURCES test_isotonic.c LIBS dm_modisco LABELS asan)
dm_add_test(test_laplace SOURCES test_laplace.c LIBS dm_modisco)
dm_add_test(test_seqlet SOURCES test_seqlet.c LIBS dm_modisco LABELS asan)
dm_add_test(test_seqlet_mpi SOURCES test_seqlet_mpi.c LIBS dm_modisco RANKS 1 2 4)
