# dmotif variants: windows (hand-worked indels), SNV score = ism, and the command end to end.
dm_add_test(test_variant SOURCES test_variant.c LIBS dm_variants ZLIB::ZLIB)
dm_add_cli_test(variants_cli SCRIPT variants.sh RANKS 1 2 4 TIMEOUT 300)
