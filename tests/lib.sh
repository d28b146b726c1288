# Shared by the CLI test scripts (sourced; they run with SRC, DMOTIF, MPIEXEC,
# NP, DATA and WORK set by dm_add_cli_test in tests/CMakeLists.txt).
fail=0

# check <shell condition> <message>: record a failure and go on
check() { if ! eval "$1"; then echo "FAIL: $2"; fail=1; fi; }

# same_datasets <a.h5> <b.h5> [dataset to skip...]: both files hold the same
# datasets, each bit-identical (h5diff without tolerance). Whole files are not
# compared: parallel HDF5 leaves uninitialised padding in unused metadata.
same_datasets() {
  local a=$1 b=$2 d
  shift 2
  local la lb
  la=$(h5ls -r "$a" | awk '$2 == "Dataset" {print $1}' | sort)
  lb=$(h5ls -r "$b" | awk '$2 == "Dataset" {print $1}' | sort)
  [ -n "$la" ] && [ "$la" = "$lb" ] || { echo "datasets of $a and $b differ"; return 1; }
  for d in $la; do
    case " $* " in *" $d "*) continue ;; esac
    h5diff "$a" "$b" "$d" "$d" > /dev/null || { echo "differs: $d"; return 1; }
  done
}
