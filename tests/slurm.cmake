# The job scripts on a real one-node Slurm (started by the test itself; it
# fails if Slurm cannot start). Label 'slurm'; run alone (it uses both cores).
dm_add_cli_test(slurm_cli SCRIPT slurm.sh RANKS 2 LABELS slurm TIMEOUT 600)
set_tests_properties(slurm_cli_np2 PROPERTIES RUN_SERIAL TRUE)
