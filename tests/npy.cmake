dm_add_test(test_npy SOURCES test_npy.c LIBS dm_io dm_util PkgConfig::LIBZIP LABELS asan)
