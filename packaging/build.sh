#!/usr/bin/env bash
# Installs the Debian packages (packaging/install-deps.sh), then configures and builds LLDif Viewer in
# build/ (RelWithDebInfo, Ninja, 2 parallel jobs: a clean build fits 2 cores / 24 GiB).
# Usage: packaging/build.sh [extra cmake -D options]
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-2}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" "$@"
cmake --build "$BUILD_DIR" -j "$JOBS"
