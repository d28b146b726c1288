#!/usr/bin/env bash
# Stage 2 (motif discovery) on a SLURM cluster.
#   sbatch jobs/slurm_modisco.sh <params.yml> [extra dmotif options...]
#SBATCH --job-name=dmotif-modisco
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=16
#SBATCH --cpus-per-task=1
#SBATCH --time=4:00:00
#SBATCH --mem=16G
#SBATCH --output=dmotif-modisco-%j.log
set -euo pipefail
# Site modules (adapt): module load openmpi hdf5/parallel gsl openblas igraph
params=${1:?usage: sbatch jobs/slurm_modisco.sh <params.yml> [options...]}
shift
export OPENBLAS_NUM_THREADS=1
srun "${DMOTIF:-dmotif}" modisco -p "$params" "$@"
