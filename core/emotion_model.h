// emotion_model.h - the inference API: aligned faces + landmark heatmaps in, emotion probabilities,
// the prior's trajectory Z_T..Z_0 and timings out. No LibTorch in this header (the UI includes it).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/model/model_config.h"

namespace lldif {

class ModelLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ModelOptions {
  std::string device = "auto";  // auto (CUDA if this LibTorch build and machine have it), cpu, cuda
  // CPU: the faces (rows) run in up to this many chunks side by side, one thread each; 0 = every core.
  // With at least two threads per chunk (one face on two cores), each chunk's prior and landmark branch run
  // on a second thread beside its image branch (core/model/overlapped_inference.h).
  int threads = 0;
  // Test-time flip averaging: each face also runs mirrored (image and heatmaps flipped left-right, the same
  // noise) and the two probability vectors are averaged. Twice the work; the trajectory is the unflipped one.
  // On by default: chosen on FER2013Valid / -ll with the model then shipped (86.96 / 86.05% against 86.74 /
  // 85.37% for one pass); the shipped model reads FER2013Test 86.89 / 85.68% against 86.58 / 84.85%
  // (models/MODEL_CARD.md). Off: one pass per face, e.g. for timing the network alone;
  // the viewer's pipeline sets it per frame (ProcessorSettings::mirror).
  bool flip_average = true;
  // Test-time shift averaging: PX > 0 also reads each face shifted by PX pixels left, right, up and down
  // (border pixels repeated; heatmaps shifted with zeros), each with its mirror image when flip_average is
  // on: 5 views (10 with the mirror), the probabilities averaged. 0: the face as it is only.
  int shift_average_px = 0;  // 0..kMaxShiftAveragePx
};
inline constexpr int kMaxShiftAveragePx = 8;

// One face, as FaceAnalyzer/alignFace produce it.
struct ModelInput {
  cv::Mat crop;      // 48 x 48, CV_8UC1
  cv::Mat heatmaps;  // 3-D: K x 48 x 48, CV_32F in [0, 1]
};

struct EmotionPrediction {
  std::array<float, kNumClasses> probs{};   // mean over noise seeds
  std::array<float, kNumClasses> spread{};  // standard deviation over noise seeds (0 with one seed)
  int top = 0;
  std::vector<std::vector<float>> trajectory;  // Z_T, ..., Z_0 of the first seed, each prior_dim floats
};

struct PredictTimings {
  double prior_ms = 0;     // PNET_s2 + T denoiser steps (beside the LLformer's trunk when overlapped)
  double classify_ms = 0;  // LLformer (overlapped: the wall time of the rows less prior_ms)
  double total_ms = 0;     // including tensor conversion
};

struct ModelInfo {
  std::filesystem::path file;
  bool trained = false;
  int stage = 0;
  int timesteps = 0;
  int prior_dim = 0;
  std::int64_t parameters = 0;  // of the modules inference runs
  std::int64_t macs_per_face = 0;
  std::string framing = "aligned";  // ModelConfig::framing: how FERPlus images are framed for this model
  std::string device;
  std::map<std::string, std::string> info;
};

// Stage-2 LLDif inference (eval mode, no gradients).
// Thread safety: predict(), setTimesteps(), setFlipAverage() and setShiftAverage() may be called from one
// thread at a time (the processing thread); info(), flipAverage() and shiftAverage() from any thread while
// none of those runs.
class EmotionModel {
 public:
  // throws: ModelLoadError naming the file and the problem (missing, not a checkpoint, truncated,
  //   corrupt, version mismatch), or when device "cuda" is asked for and unavailable.
  static std::unique_ptr<EmotionModel> load(const std::filesystem::path& file,
                                            const ModelOptions& options = {});
  ~EmotionModel();

  // seeds: one per face (the Z_T noise; e.g. the face's track id) or empty (face i uses seed i).
  // noise_seeds K >= 1: each face is run with K noise draws; probabilities are averaged and their
  // standard deviation reported (an uncertainty measure). Same inputs + seeds -> same outputs.
  std::vector<EmotionPrediction> predict(const std::vector<ModelInput>& faces,
                                         const std::vector<std::uint64_t>& seeds = {}, int noise_seeds = 1,
                                         PredictTimings* timings = nullptr);

  // Diffusion steps used from now on (1..8 for Fig. 8); the trained model uses its own by default.
  void setTimesteps(int T);
  void setFlipAverage(bool on);  // see ModelOptions::flip_average
  bool flipAverage() const;
  void setShiftAverage(int px);  // see ModelOptions::shift_average_px; throws outside 0..kMaxShiftAveragePx
  int shiftAverage() const;
  const ModelInfo& info() const;

 private:
  EmotionModel();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether this LibTorch build and machine can run on CUDA.
bool cudaAvailable();

// The shipped model: $LLDIF_MODEL, else models/lldif.ckpt in the installed or source tree; empty if none.
std::filesystem::path defaultModelPath();

// Writes a randomly initialised checkpoint (trained = false) holding the alignment template.
// For plumbing only: tools that load it say loudly that it is untrained.
void writeUntrainedModel(const std::filesystem::path& file, std::uint64_t seed = 0,
                         const ModelConfig& config = {});

}  // namespace lldif
