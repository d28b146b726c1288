dm_add_test(test_ref SOURCES test_ref.c LIBS dm_attr dm_gsl dm_util)
