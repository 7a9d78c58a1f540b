#!/usr/bin/env bash
# The default training recipe: every stage of LLDif on FERPlus in at most 3 hours on a 2-core CPU (the time
# budgets below add up to 2 h 50 min; preparation ~4 min), then the evaluation and the viewer's reference
# trajectories. Resumable: run it again after an interruption and it continues where it stopped (finished
# stages are skipped, an interrupted stage resumes from RUN/<stage>.ckpt.run with its remaining budget).
#
# Usage: packaging/train-model.sh FERPLUS_DIR [LL_FERPLUS_DIR] [RUN_DIR]
#   e.g. packaging/train-model.sh ../shared/data/ferplus ../shared/data/ll-ferplus runs/recipe
# Then: cp RUN_DIR/stage2.ckpt models/lldif.ckpt; cp RUN_DIR/lldif_reference.trj models/
set -euo pipefail
FERPLUS=${1:?usage: packaging/train-model.sh FERPLUS_DIR [LL_FERPLUS_DIR] [RUN_DIR]}
LL=${2:-}
RUN=${3:-runs/recipe}
cd "$(dirname "$0")/.."
LLDIF=${LLDIF:-build/app/lldif}
[ -x "$LLDIF" ] || packaging/build.sh
mkdir -p "$RUN"
export OMP_WAIT_POLICY=passive
SCALE=${BUDGET_SCALE:-1}  # e.g. 0.01 for a smoke test of the script on a tiny folder
budget() { awk "BEGIN{print $1 * $SCALE}"; }
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$RUN/recipe.log"; }

stage() {  # name, then the lldif train arguments
  local name=$1; shift
  if [ -f "$RUN/$name.done" ]; then log "$name: done already"; return; fi
  log "$name: lldif train $*"
  local t0=$SECONDS
  "$LLDIF" train "$@" --out "$RUN/$name.ckpt" 2>&1 | tee -a "$RUN/$name.log" | grep -E "valid|finished|paused|error" || true
  if grep -q "finished in" "$RUN/$name.log"; then touch "$RUN/$name.done"; else log "$name did not finish"; exit 1; fi
  log "$name: $((SECONDS - t0)) s in this run"
}

[ -f "$RUN/ferplus.pack" ] || "$LLDIF" prepare "$FERPLUS" "$RUN/ferplus.pack"
P=(--pack "$RUN/ferplus.pack")
# Stage 0: LA-CLIP from scratch (image encoder + text encoder, template captions).
stage stage0 --stage 0 "${P[@]}" --epochs 3 --lr 1e-3 --budget-minutes "$(budget 10)"
# Stage 1: PNET_s1 + LLformer; half the samples get a zero prior so the LLformer learns from the image.
stage stage1 --stage 1 "${P[@]}" --init "$RUN/stage0.ckpt" --epochs 6 --lr 1e-3 --prior-dropout 0.5 --budget-minutes "$(budget 40)"
# Stage 2: PNET_s2 + denoiser + LLformer through the 4-step diffusion (V4: L_ce + inserted noise).
stage stage2 --stage 2 "${P[@]}" --init "$RUN/stage1.ckpt" --epochs 30 --lr 1e-3 --budget-minutes "$(budget 120)"

"$LLDIF" eval "$FERPLUS/FER2013Test" --model "$RUN/stage2.ckpt" --json "$RUN/eval-clear.json" --report "$RUN/report-clear"
if [ -n "$LL" ]; then
  for lvl in ll xll; do
    "$LLDIF" eval "$LL/FER2013Test-$lvl" --model "$RUN/stage2.ckpt" --json "$RUN/eval-$lvl.json"
  done
fi
"$LLDIF" eval "$FERPLUS/FER2013Valid" --model "$RUN/stage2.ckpt" --trajectories "$RUN/lldif_reference.trj" \
  --tsne "$RUN/tsne"
log "recipe finished"
