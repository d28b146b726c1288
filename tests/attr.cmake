dm_add_test(test_sched SOURCES test_sched.c LIBS dm_util RANKS 1 2 4)
dm_add_test(test_digest SOURCES test_digest.c LIBS dm_io)
dm_add_cli_test(attr_cli SCRIPT attr.sh RANKS 1 2 4 TIMEOUT 900)
dm_add_cli_test(attr_signal_cli SCRIPT signal.sh RANKS 1 2 TIMEOUT 300)
