dm_add_cli_test(plan_cli SCRIPT plan.sh RANKS 1 2 TIMEOUT 300)
