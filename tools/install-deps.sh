#!/usr/bin/env bash
# Install every Debian package dmotif needs to build, test and run.
# Idempotent: packages already present are left as they are.
# Works as root, or as a user with sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git    # toolchain
  openmpi-bin libopenmpi-dev              # MPI
  libhdf5-openmpi-dev hdf5-tools          # parallel HDF5 (+ h5dump for inspection)
  libgsl-dev                              # GSL (RNG, statistics)
  libopenblas-dev                         # CBLAS used by GSL and the GEMMs
  libigraph-dev                           # Louvain clustering
  libhts-dev                              # FASTA index (faidx)
  libjansson-dev                          # Keras JSON configs
  zlib1g-dev                              # gzip'd inputs
  libzip-dev                              # .npz (zip) import/export
  libssl-dev                              # SHA-256 of model files (libcrypto)
  libyaml-dev                             # parameter files and run manifests (libyaml)
  gzip unzip time                         # tests (zcat, unzip -l) and bench/ (/usr/bin/time)
  slurm-wlm munge                         # tests: the job scripts on a one-node Slurm (label slurm)
  chromium                                # report test: the page in a headless browser
)

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
