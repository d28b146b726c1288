# motif layer: MEME files and TOMTOM matching.
dm_add_test(test_meme SOURCES test_meme.c LIBS dm_motif LABELS asan)
dm_add_test(test_tomtom SOURCES test_tomtom.c LIBS dm_motif LABELS asan)
