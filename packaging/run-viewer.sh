#!/usr/bin/env bash
# Quick start, command 1: install, build and open the viewer on the built-in demo (no camera needed).
# Extra arguments go to lldif-viewer, e.g. packaging/run-viewer.sh --source camera:0
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/build.sh
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
VIEWER="${BUILD_DIR:-build}/app/lldif-viewer"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "run-viewer: no display here; saving a screenshot of the demo to ${BUILD_DIR:-build}/demo-screenshot.png instead"
  QT_QPA_PLATFORM=offscreen exec "$VIEWER" --source demo --screenshot "${BUILD_DIR:-build}/demo-screenshot.png" \
    --quit-after-frames 30 "$@"
fi
if [ $# -eq 0 ]; then set -- --source demo; fi
exec "$VIEWER" "$@"
