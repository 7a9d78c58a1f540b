#!/usr/bin/env bash
# The training recipe on a GPU machine that has a CUDA LibTorch (the one inside a PyTorch install, or any
# LibTorch on CMAKE_PREFIX_PATH) and a compiler but no OpenCV, dlib or Qt: builds the LibTorch-only trainer
# lldif-train (cmake -DLLDIF_TRAIN_ONLY=ON) and runs packaging/train-model.sh with it on a face pack made
# elsewhere by `lldif prepare --keep-framing`, by epochs (the 2-core time budgets are lifted).
#
# Usage: packaging/train-gpu.sh PACK [RUN_DIR]
#   e.g. packaging/train-gpu.sh runs/ferplus.pack runs/gpu
# Settings (environment): EPOCH_SCALE (default 1: the recipe's epochs; e.g. 10 for ten times as many),
# DEVICE (default cuda), TORCH_PREFIX (LibTorch's CMake prefix; default: PyTorch's, when python3 has it),
# BUILD_DIR (default build-train).
# Then, where lldif itself is built: lldif eval FOLDER --model RUN_DIR/stage2.ckpt (docs/TRAINING.md).
set -euo pipefail
PACK=${1:?usage: packaging/train-gpu.sh PACK [RUN_DIR]}
RUN=${2:-runs/gpu}
cd "$(dirname "$0")/.."
[ -f "$PACK" ] || { echo "no face pack at $PACK (make one with: lldif prepare FERPLUS_DIR $PACK --keep-framing)" >&2; exit 1; }
BUILD=${BUILD_DIR:-build-train}
if [ -z "${TORCH_PREFIX:-}" ] && python3 -c 'import torch' 2>/dev/null; then
  TORCH_PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
fi
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" -DLLDIF_TRAIN_ONLY=ON \
  ${TORCH_PREFIX:+-DCMAKE_PREFIX_PATH="$TORCH_PREFIX"}
cmake --build "$BUILD" -j "$(nproc)" --target lldif-train
TRAINER="$BUILD/app/lldif-train" TRAIN_ARGS="--device ${DEVICE:-cuda} ${TRAIN_ARGS:-}" \
  BUDGET_SCALE=${BUDGET_SCALE:-1000} exec packaging/train-model.sh "$PACK" "" "$RUN"
