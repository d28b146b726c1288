#!/usr/bin/env bash
# Format the project's C sources with .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
find src tests bench -name '*.[ch]' -print0 | xargs -0 clang-format -i
