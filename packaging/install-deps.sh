#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and running LLDif Viewer needs.
# Idempotent and non-interactive; returns quickly when everything is already installed.
# Usage: packaging/install-deps.sh            (needs root, or sudo)
set -euo pipefail

PACKAGES=(
  # toolchain
  cmake ninja-build g++ ccache pkg-config clang-format dpkg-dev
  # Qt 6 (Charts is not found without libqt6opengl6-dev: BUILD_NOTES trap 1)
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev
  # LibTorch (+ OpenBLAS, else reference BLAS is used: trap 2)
  libtorch-dev libopenblas0-openmp
  # OpenCV, dlib and its 68-landmark model
  libopencv-dev opencv-data libdlib-dev libdlib-data
  # helpers
  nlohmann-json3-dev libcli11-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python-matplotlib-data
  # headless GUI runs, screenshots and video
  xvfb xauth ffmpeg fonts-dejavu-core
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
