// trainer.h - lldif train: stage 0 (LA-CLIP), stage 1 (PNET_s1 + LLformer with the label-carrying prior),
// stage 2 (PNET_s2 + denoiser + LLformer through the diffusion), on a face pack, LibTorch only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/model/model_config.h"

namespace lldif {

struct TrainOptions {
  int stage = 0;
  std::filesystem::path pack;     // from lldif prepare
  std::filesystem::path init;     // checkpoint of the previous stage (stage 1, 2); empty: new network
                                  // (stage 0, or stage 2 of the plain baseline, config.variant kPlain)
  std::filesystem::path out;      // checkpoint written (best on FER2013Valid for stages 1-2, last for 0)
  std::filesystem::path run_dir;  // resumable state (epoch, optimizer); empty: out + ".run"
  ModelConfig config;             // used for a new network (stage 0 without init)
  bool override_variant = false;  // stage 2 with init: train config.variant (e.g. V1 for the ablation)
  double epochs = 4;
  int batch = 64;
  double lr = 3.5e-4;
  double weight_decay = 1e-4;
  // Stage 1: share of samples whose label-carrying prior Z_s1 is replaced by zeros, so the LLformer's
  // image and landmark pathways learn to classify on their own (stage 2's prior carries no label). With
  // a share > 0, stage-1 validation (and selection) uses the zero prior: image and landmarks only.
  double prior_dropout = 0;
  // Stage 1 only: rebuild the LLformer with the residual backbone (dims 48/96/192, fusion width 128) and
  // start its image branch from this trained plain baseline (`lldif train --variant plain`).
  std::filesystem::path backbone_from;
  // Stages 1-2 on a residual backbone: the LLformer's convolutional trunk (res_stem, res1-3) learns at this
  // share of the learning rate (e.g. 0.1 keeps a well-trained trunk close to where the baseline left it
  // while the new modules learn); 1: one rate for all.
  double backbone_lr_scale = 1.0;
  // Pair darkened training faces (and the dark validation pass) with the landmarks dlib found on darkened
  // copies (FacePack::dark_landmarks) when the pack has them; false: always the clear faces' landmarks.
  bool dark_landmarks = true;
  // Class-balanced loss: each face's loss is weighted by its class's share of the training targets to the
  // power -class_balance (0: off; 0.5: square-root balancing), weights scaled so that the average face
  // weighs 1. Stages 1-2 and the plain baseline.
  double class_balance = 0;
  // Random erasing: share of training faces that get one rectangle (2% to erase_max of the face, aspect
  // 0.3-3.3) replaced by noise before the lighting, like a hand, glasses or a shadow over part of the face.
  // The landmarks stay where they are. Stages 1-2 and the plain baseline; 0: off (the default).
  double erase = 0;
  // The largest erased rectangle, as a share of the face (the smallest is 2%). 0.2 by default; about 0.5
  // covers the lower half of a face, as a mask or a scarf does.
  double erase_max = 0.2;
  // Photometric variety: share of training faces given a random gamma, contrast and blur or sharpening
  // before the lighting (AugmentOptions::p_photometric), like faces from other cameras and collections.
  // Stages 1-2 and the plain baseline; 0: off (the default).
  double photometric = 0;
  // Knowledge distillation: trained models whose mean probabilities (each on the clear face and its mirror
  // image, teacherProbabilities) are blended into every training face's target with teacher_weight:
  // (1 - w) * FERPlus votes + w * teachers. Computed once before the first step and kept in the run folder
  // (teacher.pt) for resumes. The student still sees darkened, flipped, shifted (and erased, photometrically
  // changed) faces; the teachers saw the clear face. Stages 1-2 and the plain baseline; empty: off.
  std::vector<std::filesystem::path> teachers;
  double teacher_weight = 0.5;
  int warmup_steps = 100;  // linear LR warm-up; stage 2 also trains PNET_s2 + denoiser alone first
  std::uint64_t seed = 1;
  int threads = 0;  // 0: every core
  std::string device = "auto";
  double max_minutes = 0;  // stop (resumably) after this wall time; 0: no limit
  // Time budget of the whole stage (across resumes), validation passes included: the cosine schedule ends
  // at the budget less the time of the last validation pass (kept for the closing one; estimated until one
  // has run) or at the last epoch, whichever comes first, and training finishes there. 0: epochs only.
  double budget_minutes = 0;
  std::int64_t stop_at_step =
      0;                // stop (resumably) at this step, e.g. to match another run's length; 0: none
  std::string command;  // recorded in the checkpoint
  // Stored in the checkpoint when the init has none (136 numbers); empty: the pack's.
  std::vector<float> alignment_template;
};

struct TrainReport {
  double wall_s = 0;        // wall time of this run of the command
  double total_wall_s = 0;  // wall time of all runs of the command so far (resumed runs add up)
  int epochs_done = 0;
  double best_valid = 0;  // mean of clear and ll-darkened FER2013Valid accuracy (majority labels)
  bool finished = false;  // false: stopped by max_minutes, resume by running the same command again
};

// log(line) receives progress lines (with ETA) and per-epoch validation results.
// throws: std::runtime_error with a clear message on bad input (missing pack, wrong stage order, ...).
TrainReport train(const TrainOptions& options, const std::function<void(const std::string&)>& log);

}  // namespace lldif
