// evaluator.h - lldif eval: accuracy of a model on a FERPlus-layout folder with the official majority rule.
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/emotion_model.h"

namespace lldif {

struct EvalImage {
  std::string file;
  int label = -1;  // majority label
  int predicted = -1;
  float confidence = 0;  // probability of the predicted class
  bool detected = false;
  std::array<float, kNumClasses> probs{};
  std::vector<std::vector<float>> trajectory;  // Z_T..Z_0, only with keep_trajectories
};

struct EvalResult {
  std::filesystem::path dir;
  int rows = 0;    // rows of label.csv
  int images = 0;  // images in the benchmark (majority label among the 8 emotions)
  int correct = 0;
  double accuracy() const { return images ? static_cast<double>(correct) / images : 0.0; }
  std::array<std::array<int, kNumClasses>, kNumClasses> confusion{};  // [true][predicted]
  std::array<double, kNumClasses> recall() const;
  double meanConfidence() const;
  std::vector<EvalImage> per_image;
};

// Evaluates every benchmark image of dir (FERPlus layout: label.csv + images), preprocessing each as
// lldif prepare does (FerFaceAligner), framed as the model's training data was (ModelInfo::framing) unless
// framing ("aligned" or "image") says otherwise. seed: Z_T noise seed per image (image i uses seed + i).
// throws: std::runtime_error on a missing/malformed label.csv. Missing images are counted wrong and reported.
EvalResult evaluateFolder(EmotionModel& model, const std::filesystem::path& dir, std::uint64_t seed,
                          const std::function<void(long long, long long)>& progress = {},
                          bool keep_trajectories = false, const std::string& framing = {});

// {"dir", "images", "correct", "accuracy", "mean_confidence", "recall": {class: r}, "confusion": [[...]]}
nlohmann::json evalToJson(const EvalResult& r);

// Report files: confusion.png, confidence.png, per_image.csv, results.json (atomic writes).
void writeEvalReport(const EvalResult& r, const std::filesystem::path& out_dir, const std::string& title);

// Fig. 6: the top-class confidence histograms of two results on the same faces (clear vs dark) as a PNG.
void writeConfidenceComparison(const EvalResult& clear, const EvalResult& dark,
                               const std::filesystem::path& png);

}  // namespace lldif
