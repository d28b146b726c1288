# attribution methods: hand-worked DeepLIFT cases, summation-to-delta, ig, ism, grad.
dm_add_test(test_deeplift SOURCES test_deeplift.c LIBS dm_attr ZLIB::ZLIB)
