# nn: op kernels (finite differences), Keras model loading, example predictions.
dm_add_test(test_nn_ops SOURCES test_nn_ops.c LIBS dm_nn)
dm_add_test(test_nn_model SOURCES test_nn_model.c LIBS dm_nn ZLIB::ZLIB LABELS asan)
