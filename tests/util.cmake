dm_add_test(test_params SOURCES test_params.c LIBS dm_util RANKS 1 2 4 LABELS asan)
dm_add_test(test_mpi SOURCES test_mpi.c LIBS dm_util RANKS 1 2 4)
dm_add_test(test_blas SOURCES test_blas.c LIBS dm_gsl dm_util ${CMAKE_DL_LIBS})
dm_add_test(test_mem SOURCES test_mem.c LIBS dm_util)
