#!/usr/bin/env bash
# The default training recipe: the plain baseline, the same baseline trained longer (LLDif's trunk), then
# every stage of LLDif on FERPlus, within 3 hours of training on a 2-core CPU (the time budgets below add up
# to exactly 3 h; preparation ~4 min and the evaluations ~25 min come on top), then the evaluations and the
# viewer's reference trajectories. The 45-minute baseline is the comparison the model card reports; its
# continuation (65 more minutes, a fresh cosine cycle) is the convolutional trunk LLDif's LLformer starts
# from (stage 1 --backbone-from): LLDif on the 45-minute trunk scored ~2 points lower (models/MODEL_CARD.md).
# Resumable: run it again after an interruption and it continues where it stopped (finished stages are
# skipped, an interrupted stage resumes from RUN/<stage>.ckpt.run with its remaining budget).
#
# Usage: packaging/train-model.sh FERPLUS_DIR|PACK [LL_FERPLUS_DIR] [RUN_DIR]
#   e.g. packaging/train-model.sh ../shared/data/ferplus ../shared/data/ll-ferplus runs/recipe
# Then: cp RUN_DIR/final.ckpt models/lldif.ckpt; cp RUN_DIR/lldif_reference.trj models/
# ROBUST=1 adds what `akd` (the model the shipped one grew from) has beyond the 3 hours
# (docs/MODEL_HISTORY.md): stage 2 continued twice from its end, once with random erasing (80 min) and once
# with photometric variety and erasing (75 min), the mean of the weights of the three (robust.ckpt), that mean
# continued by distillation toward itself and the longer baseline (66 min), and the mean of the two
# (final.ckpt); without it final.ckpt is stage 2.
# CYCLES=1 (with ROBUST=1) then gives the shipped model itself (`pbs3b`): that final model's trunk trained two
# more cosine cycles as the plain baseline (an hour each), LLDif's stages 1 and 2 on that trunk, started
# from the final model's LA-CLIP and prior networks (`pbs2`, ~3 h 10 min more), and that stage 2 continued
# twice, 65 minutes each, with more photometric variety and erasing (seeds 16 and 17); final.ckpt is then the
# mean of the weights of the three.
# Given a face pack from `lldif prepare` instead of the folder, it trains only (no evaluations): that is
# how packaging/train-gpu.sh runs it with the LibTorch-only lldif-train on a GPU machine.
# Settings (environment): BUDGET_SCALE (e.g. 0.01 for a smoke test on a tiny folder), EPOCH_SCALE
# (more epochs where there is more compute), TRAINER (default "build/app/lldif train"), TRAIN_ARGS (added
# to every stage, e.g. "--device cuda").
set -euo pipefail
FERPLUS=${1:?usage: packaging/train-model.sh FERPLUS_DIR|PACK [LL_FERPLUS_DIR] [RUN_DIR]}
LL=${2:-}
RUN=${3:-runs/recipe}
cd "$(dirname "$0")/.."
LLDIF=${LLDIF:-build/app/lldif}
TRAINER=${TRAINER:-$LLDIF train}
read -r -a TRAIN_EXTRA <<< "${TRAIN_ARGS:-}"
if [ -d "$FERPLUS" ] && [ ! -x "$LLDIF" ]; then packaging/build.sh; fi
mkdir -p "$RUN"
export OMP_WAIT_POLICY=passive
SCALE=${BUDGET_SCALE:-1}
budget() { awk "BEGIN{print $1 * $SCALE}"; }
epochs() { awk "BEGIN{print $1 * ${EPOCH_SCALE:-1}}"; }
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$RUN/recipe.log"; }

stage() {  # name, then the lldif train arguments
  local name=$1; shift
  if [ -f "$RUN/$name.done" ]; then log "$name: done already"; return; fi
  log "$name: ${TRAINER##*/} $*"
  local t0=$SECONDS
  # shellcheck disable=SC2086  # TRAINER is a command with its arguments
  $TRAINER "$@" "${TRAIN_EXTRA[@]}" --out "$RUN/$name.ckpt" 2>&1 | tee -a "$RUN/$name.log" |
    grep -E "valid|finished|paused|error" || true
  if grep -q "finished in" "$RUN/$name.log"; then touch "$RUN/$name.done"; else log "$name did not finish"; exit 1; fi
  log "$name: $((SECONDS - t0)) s in this run"
}

# FERPlus faces keep their own framing (--keep-framing): aligning 48x48 faces to the template with dlib's
# landmarks (a third of them fitted in a fallback box) cost the baseline several points. The landmarks are
# still found and kept, in each image's own coordinates.
if [ -f "$FERPLUS" ]; then
  P=(--pack "$FERPLUS")
else
  [ -f "$RUN/ferplus.pack" ] || "$LLDIF" prepare "$FERPLUS" "$RUN/ferplus.pack" --keep-framing
  P=(--pack "$RUN/ferplus.pack")
fi
# Epochs: what fits each budget on a 2-core CPU with data-parallel training (each batch as two parts side
# by side, ~1.3x the steps per minute of one batch on two OpenMP threads); the budget ends the cosine
# schedule early where they do not fit.
# The plain compact-ResNet baseline (no landmarks, no prior, no diffusion): the comparison.
stage plain --stage 2 --variant plain "${P[@]}" --epochs "$(epochs 16)" --lr 2e-3 --budget-minutes "$(budget 45)"
# The same baseline, 26 more epochs in a new cosine cycle: LLDif's trunk (and a longer-trained comparison).
stage plain-long --stage 2 "${P[@]}" --init "$RUN/plain.ckpt" --epochs "$(epochs 26)" --lr 1e-3 --budget-minutes "$(budget 65)"
# Stage 0: LA-CLIP from scratch (image encoder + text encoder, template captions).
stage stage0 --stage 0 "${P[@]}" --epochs "$(epochs 2)" --lr 1e-3 --budget-minutes "$(budget 5)"
# Stage 1: PNET_s1 + LLformer (residual trunk from the longer-trained baseline, DTNet blocks starting as the
# identity); half the samples get a zero prior so the LLformer also learns to work from the image and
# landmarks alone.
stage stage1 --stage 1 "${P[@]}" --init "$RUN/stage0.ckpt" --backbone-from "$RUN/plain-long.ckpt" \
  --prior-dropout 0.5 --epochs "$(epochs 3)" --lr 5e-4 --budget-minutes "$(budget 30)"
# Stage 2: PNET_s2 + denoiser + LLformer through the 4-step diffusion (V4: L_ce + inserted noise).
stage stage2 --stage 2 "${P[@]}" --init "$RUN/stage1.ckpt" --epochs "$(epochs 5)" --lr 5e-4 --budget-minutes "$(budget 35)"
FINAL=$RUN/final.ckpt  # what ships: stage 2, or with ROBUST=1 the distilled mean (below)
if [ "${ROBUST:-0}" = 1 ]; then
  # Faces from elsewhere: occluded, blurred, low-resolution, flatter or brighter than FERPlus's. Two
  # continuations of stage 2 at half its rate, each with one kind of variety, and the mean of the weights of
  # all three (they share one basin): most of the continuations' robustness, almost none of their cost on
  # FERPlus (docs/MODEL_HISTORY.md, "`s2a`").
  stage robust-erase --stage 2 "${P[@]}" --init "$RUN/stage2.ckpt" --epochs "$(epochs 7)" --lr 2.5e-4 \
    --erase 0.5 --budget-minutes "$(budget 80)"
  stage robust-photo --stage 2 "${P[@]}" --init "$RUN/stage2.ckpt" --epochs "$(epochs 7)" --lr 2.5e-4 \
    --photometric 0.5 --erase 0.5 --budget-minutes "$(budget 75)"
  if [ -x "$LLDIF" ]; then
    "$LLDIF" average "$RUN/stage2.ckpt" "$RUN/robust-erase.ckpt" "$RUN/robust-photo.ckpt" --out "$RUN/robust.ckpt"
    log "robust: the mean of the weights of stage2, robust-erase and robust-photo"
    # Distillation: that mean continued toward what it and the longer-trained baseline say of each clear
    # training face and its mirror image (half the target; the votes the other half), while it sees the
    # face darkened, erased or photometrically changed; then the mean of the two (models/MODEL_CARD.md).
    stage distill --stage 2 "${P[@]}" --init "$RUN/robust.ckpt" --teacher "$RUN/robust.ckpt" \
      --teacher "$RUN/plain-long.ckpt" --teacher-weight 0.5 --photometric 0.3 --erase 0.3 --seed 3 \
      --epochs "$(epochs 6)" --lr 2.5e-4 --budget-minutes "$(budget 66)"
    "$LLDIF" average "$RUN/robust.ckpt" "$RUN/distill.ckpt" --out "$FINAL"
    log "final: the mean of the weights of robust and distill"
  else
    log "where lldif is built: lldif average $RUN/stage2.ckpt $RUN/robust-erase.ckpt $RUN/robust-photo.ckpt --out $RUN/robust.ckpt, then the distill stage and its average (this script, again, with lldif built)"
  fi
else
  cp "$RUN/stage2.ckpt" "$FINAL"
fi
if [ "${CYCLES:-0}" = 1 ]; then
  # The trunk trained further: it leaves the LLDif model for the plain baseline (--backbone-from copies the
  # residual trunk, the head starts afresh), runs two cosine cycles there, and comes back into a new LLformer
  # at stage 1 (models/MODEL_CARD.md, "What this model is"). ROBUST's final model is kept as robust-final.
  [ "${ROBUST:-0}" = 1 ] || { log "CYCLES=1 needs ROBUST=1 (it starts from that model)"; exit 1; }
  [ -f "$FINAL" ] || { log "CYCLES=1: $FINAL is not there yet (lldif average needs lldif built)"; exit 1; }
  [ -f "$RUN/robust-final.ckpt" ] || cp "$FINAL" "$RUN/robust-final.ckpt"
  stage trunk-a --stage 2 --variant plain "${P[@]}" --backbone-from "$RUN/robust-final.ckpt" \
    --epochs "$(epochs 20)" --lr 5e-4 --photometric 0.3 --erase 0.3 --seed 5 --budget-minutes "$(budget 62)"
  stage trunk-b --stage 2 "${P[@]}" --init "$RUN/trunk-a.ckpt" --epochs "$(epochs 20)" --lr 5e-4 \
    --photometric 0.3 --erase 0.3 --seed 6 --budget-minutes "$(budget 62)"
  stage cycle-s1 --stage 1 "${P[@]}" --init "$RUN/robust-final.ckpt" --backbone-from "$RUN/trunk-b.ckpt" \
    --prior-dropout 0.5 --epochs "$(epochs 3)" --lr 5e-4 --budget-minutes "$(budget 30)"
  stage cycle-s2 --stage 2 "${P[@]}" --init "$RUN/cycle-s1.ckpt" --epochs "$(epochs 4)" --lr 5e-4 \
    --photometric 0.3 --erase 0.4 --erase-max 0.5 --seed 7 --budget-minutes "$(budget 40)"
  # The shipped model (`pbs3b`): that stage 2 continued twice at half its rate with more photometric variety
  # and erasing up to half the face (seeds 16 and 17), and the mean of the weights of the three
  # (models/MODEL_CARD.md; docs/MODEL_HISTORY.md, "`pbr2`" for the first continuation alone).
  stage cycle-aug --stage 2 "${P[@]}" --init "$RUN/cycle-s2.ckpt" --epochs "$(epochs 7)" --lr 2.5e-4 \
    --photometric 0.5 --erase 0.5 --erase-max 0.5 --seed 16 --budget-minutes "$(budget 65)"
  stage cycle-aug2 --stage 2 "${P[@]}" --init "$RUN/cycle-s2.ckpt" --epochs "$(epochs 7)" --lr 2.5e-4 \
    --photometric 0.5 --erase 0.5 --erase-max 0.5 --seed 17 --budget-minutes "$(budget 65)"
  AUG=("$RUN/cycle-s2.ckpt" "$RUN/cycle-aug.ckpt" "$RUN/cycle-aug2.ckpt")
  if [ -x "$LLDIF" ]; then
    "$LLDIF" average "${AUG[@]}" --out "$FINAL"
    log "final: the mean of the weights of stage 2 on the trunk trained two more cycles and its two continuations"
  else
    cp "$RUN/cycle-s2.ckpt" "$FINAL"
    log "final: stage 2 on the trunk trained two more cycles; where lldif is built: lldif average ${AUG[*]} --out $FINAL"
  fi
fi
if [ -f "$FERPLUS" ]; then
  log "recipe finished (trained only: evaluate $FINAL with lldif eval where OpenCV and dlib are)"
  exit 0
fi
"$LLDIF" eval "$FERPLUS/FER2013Test" --model "$FINAL" --json "$RUN/eval-clear.json" --report "$RUN/report-clear"
for base in plain plain-long; do
  "$LLDIF" eval "$FERPLUS/FER2013Test" --model "$RUN/$base.ckpt" --json "$RUN/$base-clear.json"
done
if [ -n "$LL" ]; then
  for lvl in ll xll; do
    "$LLDIF" eval "$LL/FER2013Test-$lvl" --model "$FINAL" --json "$RUN/eval-$lvl.json"
    for base in plain plain-long; do
      "$LLDIF" eval "$LL/FER2013Test-$lvl" --model "$RUN/$base.ckpt" --json "$RUN/$base-$lvl.json"
    done
  done
fi
"$LLDIF" eval "$FERPLUS/FER2013Valid" --model "$FINAL" --trajectories "$RUN/lldif_reference.trj" \
  --tsne "$RUN/tsne"
log "recipe finished"
