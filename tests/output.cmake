# The output policy of every command (src/io/dm_output.h): unit test and CLI test.
dm_add_test(test_output SOURCES test_output.c LIBS dm_io dm_util)
dm_add_cli_test(output_cli SCRIPT output.sh TIMEOUT 120)
