#!/usr/bin/env bash
# Quick start, command 2: install, build and run the whole test suite (headless).
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/build.sh
export QT_QPA_PLATFORM=offscreen
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j 2
