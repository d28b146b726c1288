# io layer: sequence sources, one-hot, parallel HDF5; dmotif encode.
dm_add_test(test_onehot SOURCES test_onehot.c LIBS dm_io LABELS asan)
dm_add_test(test_seq SOURCES test_seq.c LIBS dm_io LABELS asan)
dm_add_test(test_h5 SOURCES test_h5.c LIBS dm_io RANKS 1 2 4 TIMEOUT 60)
dm_add_cli_test(encode_cli SCRIPT encode.sh RANKS 1 2 4 TIMEOUT 60)
dm_add_test(test_seq_mpi SOURCES test_seq_mpi.c LIBS dm_io RANKS 1 2 4 TIMEOUT 60)
