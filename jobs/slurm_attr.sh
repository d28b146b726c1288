#!/usr/bin/env bash
# Stage 1 (attribution) on a SLURM cluster.
#   sbatch jobs/slurm_attr.sh <params.yml> [extra dmotif options...]
# Resubmitting the same command resumes a killed job (Attr:resume, default on).
#SBATCH --job-name=dmotif-attr
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=32
#SBATCH --cpus-per-task=1
#SBATCH --time=12:00:00
#SBATCH --output=dmotif-attr-%j.log
set -euo pipefail
# Site modules (adapt): module load openmpi hdf5/parallel gsl openblas
params=${1:?usage: sbatch jobs/slurm_attr.sh <params.yml> [options...]}
shift
export OPENBLAS_NUM_THREADS=1
srun "${DMOTIF:-dmotif}" attr -p "$params" "$@"
