#!/usr/bin/env bash
# One short session on a lent GPU machine (minutes, not hours; docs/TRAINING.md "On a GPU machine"): builds
# the LibTorch-only trainer against the machine's LibTorch, trains the recipe on a compact face pack until a
# wall-clock deadline, and leaves under OUT only what has to come back: a log, a manifest, and the
# checkpoints cut into pieces of at most 15 MB (such a machine returns at most 8 files of 16 MiB).
#
# Usage:
#   packaging/gpu-session.sh build PACK OUT            # build, then a 40-step CUDA run of each kind of stage
#   packaging/gpu-session.sh train PACK OUT MINUTES    # the recipe, everything done MINUTES from the start
#   packaging/gpu-session.sh join DIR                  # here, afterwards: DIR/*.part-* -> DIR/*.ckpt, checked
# The pack, made here (where dlib is) and small enough to travel with the work tree (~37 MB):
#   lldif prepare ../shared/data/ferplus runs/gpu.pack --keep-framing --splits train,valid --max-error 1
# Settings (environment): DEVICE (cuda), BUILD_DIR (build-gpu, kept between calls on a warm machine),
# RUN_DIR (/tmp/lldif-gpu-run), TRAIN_ARGS (added to every stage; default "--photometric 0.3 --erase 0.3",
# the variety the shipped model's training had), EPOCH_SCALE (30: the deadline, not the epochs, ends each
# stage), TORCH_PREFIX (LibTorch's CMake prefix; default: python3's torch).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:?usage: packaging/gpu-session.sh build PACK OUT | train PACK OUT MINUTES | join DIR}
BUILD=${BUILD_DIR:-build-gpu}
TRAINER=$BUILD/app/lldif-train
PART=15000000

join() {
  local dir=$1 ok=1
  [ -f "$dir/manifest.txt" ] || { echo "no manifest.txt in $dir" >&2; exit 1; }
  while read -r sum name state; do
    cat "$dir/$name".part-* > "$dir/$name"
    if [ "$(sha256sum "$dir/$name" | cut -d' ' -f1)" = "$sum" ]; then
      echo "$dir/$name: joined, checksum matches ($state)"
    else
      echo "$dir/$name: joined but its checksum differs: do not use it" >&2
      ok=0
    fi
  done < "$dir/manifest.txt"
  [ "$ok" = 1 ]
}
if [ "$MODE" = join ]; then join "${2:?usage: packaging/gpu-session.sh join DIR}"; exit; fi

PACK=${2:?a face pack (lldif prepare ... --max-error 1)}
OUT=${3:?an output folder}
[ -f "$PACK" ] || { echo "no face pack at $PACK" >&2; exit 1; }
mkdir -p "$OUT"
LOG=$OUT/log.txt
exec > >(tee -a "$LOG") 2>&1
START=$SECONDS
say() { echo "[$(date +%H:%M:%S) +$((SECONDS - START))s] $*"; }

say "machine: $(nproc) cores; $(nvidia-smi -L 2>/dev/null | head -n 1 || echo 'no nvidia-smi')"
if [ -z "${TORCH_PREFIX:-}" ] && python3 -c 'import torch' 2>/dev/null; then
  TORCH_PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
  say "LibTorch from python3's torch $(python3 -c 'import torch; print(torch.__version__)')"
fi
if [ ! -x "$TRAINER" ] || [ "$MODE" = build ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLDIF_TRAIN_ONLY=ON \
    ${TORCH_PREFIX:+-DCMAKE_PREFIX_PATH="$TORCH_PREFIX"} > "$OUT/cmake.txt" 2>&1 ||
    { tail -n 40 "$OUT/cmake.txt"; say "cmake failed"; exit 1; }
  cmake --build "$BUILD" -j "$(nproc)" --target lldif-train 2>&1 | grep -E "error|warning: unused|FAILED|Linking" | head -n 60 || true
  [ -x "$TRAINER" ] || { say "the build failed"; exit 1; }
  say "built $TRAINER"
fi
read -r -a EXTRA <<< "${TRAIN_ARGS:---photometric 0.3 --erase 0.3}"
DEV=(--device "${DEVICE:-cuda}")

if [ "$MODE" = build ]; then
  # One short run of each kind of stage: the plain network, LA-CLIP, LLDif stage 1 and stage 2.
  S=/tmp/lldif-gpu-smoke
  rm -rf "$S"; mkdir -p "$S"
  common=(--pack "$PACK" "${DEV[@]}" --stop-at-step 40)
  "$TRAINER" --stage 2 --variant plain "${common[@]}" --out "$S/plain.ckpt" "${EXTRA[@]}"
  "$TRAINER" --stage 0 "${common[@]}" --out "$S/s0.ckpt"
  "$TRAINER" --stage 1 --init "$S/s0.ckpt" --backbone-from "$S/plain.ckpt" "${common[@]}" --out "$S/s1.ckpt"
  "$TRAINER" --stage 2 --init "$S/s1.ckpt" "${common[@]}" --out "$S/s2.ckpt" "${EXTRA[@]}"
  say "smoke runs done"
  exit 0
fi

MINUTES=${4:?minutes until everything is done}
RUN=${RUN_DIR:-/tmp/lldif-gpu-run}
mkdir -p "$RUN"
collect() {
  # The newest checkpoints first, as many as 8 returned files (log, manifest, pieces) and ~60 MB allow.
  local files=2 bytes=0 name f size parts state
  : > "$OUT/manifest.txt"
  for name in stage2 stage1 plain-long plain stage0; do
    f=$RUN/$name.ckpt
    [ -f "$f" ] || continue
    size=$(stat -c %s "$f")
    parts=$(((size + PART - 1) / PART))
    if ((files + parts > 8 || bytes + size > 60000000)); then continue; fi
    state=$([ -f "$RUN/$name.done" ] && echo finished || echo "unfinished (its best validation so far)")
    echo "$(sha256sum "$f" | cut -d' ' -f1) $name.ckpt $state" >> "$OUT/manifest.txt"
    split -b "$PART" -d -a 1 "$f" "$OUT/$name.ckpt.part-"
    files=$((files + parts))
    bytes=$((bytes + size))
  done
  say "returned: $(tr '\n' ';' < "$OUT/manifest.txt")"
  for f in "$RUN"/*.log; do
    [ -f "$f" ] && { echo "== $f"; grep -E "valid after|pack:" "$f" | tail -n 25; tail -n 3 "$f"; }
  done
  sleep 1  # let tee write the last lines to log.txt before the call returns
}
trap collect EXIT
# The recipe's stage budgets add up to 180 minutes; scale them to what is left, 60 s kept for collecting.
LEFT=$((MINUTES * 60 - (SECONDS - START) - 60))
((LEFT > 60)) || { say "no time left to train ($LEFT s)"; exit 1; }
SCALE=$(awk "BEGIN{print $LEFT / 60 / 180}")
say "training for $LEFT s: the recipe's budgets x $SCALE"
TRAINER="$TRAINER" TRAIN_ARGS="${DEV[*]} ${EXTRA[*]}" BUDGET_SCALE=$SCALE EPOCH_SCALE=${EPOCH_SCALE:-30} \
  timeout "$((LEFT + 30))" packaging/train-model.sh "$PACK" "" "$RUN" || say "the recipe stopped early (status $?)"
