dm_add_test(test_params SOURCES test_params.c LIBS dm_util RANKS 1 2 4 LABELS asan)
dm_add_test(test_mpi SOURCES test_mpi.c LIBS dm_util RANKS 1 2 4)
dm_add_test(test_blas SOURCES test_blas.c LIBS dm_gsl dm_util ${CMAKE_DL_LIBS})
dm_add_test(test_mem SOURCES test_mem.c LIBS dm_util)
dm_add_test(test_chunks SOURCES test_chunks.c LIBS dm_util LABELS asan)
dm_add_test(test_shm SOURCES test_shm.c LIBS dm_util RANKS 1 2 4 LABELS asan)
foreach(np 1 2 4) # LeakSanitizer would report what Open MPI keeps until exit: address checks only
  set_property(TEST test_shm_np${np} APPEND PROPERTY ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0")
endforeach()
# the exchange between nodes: 4 ranks as 4 one-rank nodes, and as nodes of 3 and 1 ranks
foreach(per 1 3)
  add_test(NAME test_shm_np4_nodes${per} COMMAND ${DM_MPIEXEC} ${MPIEXEC_NUMPROC_FLAG} 4 $<TARGET_FILE:test_shm>)
  set_tests_properties(test_shm_np4_nodes${per} PROPERTIES ENVIRONMENT "${DM_TEST_ENV};DMOTIF_NODE_RANKS=${per};ASAN_OPTIONS=detect_leaks=0"
                       TIMEOUT 60 LABELS "mpi;asan")
endforeach()
dm_add_test(test_radix SOURCES test_radix.c LIBS dm_util LABELS asan)
