// evaluator.h - lldif eval: accuracy of a model on a FERPlus-layout folder with the official majority rule.
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/emotion_model.h"
#include "core/perturbation.h"

namespace lldif {

struct EvalImage {
  std::string file;
  int label = -1;  // majority label
  int predicted = -1;
  float confidence = 0;  // probability of the predicted class
  bool detected = false;
  bool template_aligned = false;  // framed by aligning the face to the template (FerFace::template_aligned)
  std::array<float, kNumClasses> probs{};
  std::vector<std::vector<float>> trajectory;  // Z_T..Z_0, only with keep_trajectories
};

struct EvalResult {
  std::filesystem::path dir;
  int rows = 0;    // rows of label.csv
  int images = 0;  // images in the benchmark (majority label among the 8 emotions)
  int correct = 0;
  int template_aligned = 0;  // benchmark images framed by aligning the face to the template
  int unreadable = 0;        // benchmark images missing or unreadable (counted wrong)
  std::string framing;       // "aligned", "image" or "auto"
  int noise_seeds = 1;       // draws of the diffusion noise each image's probabilities are the mean of
  Perturbation perturbation = Perturbation::kNone;  // applied to every image (EvalOptions::perturbation)
  double accuracy() const { return images ? static_cast<double>(correct) / images : 0.0; }
  std::array<std::array<int, kNumClasses>, kNumClasses> confusion{};  // [true][predicted], read images
  std::array<int, kNumClasses> images_of{};  // benchmark images per true class, unreadable ones included
  // Per true class, the share of its images read right (unreadable ones count as misses, as in accuracy).
  std::array<double, kNumClasses> recall() const;
  // Mean of recall() over the classes that have images (balanced accuracy): what accuracy hides when the
  // common classes are read well and the rare ones (disgust, fear, contempt) are not. 0 without images.
  double meanRecall() const;
  double meanConfidence() const;
  std::vector<EvalImage> per_image;
};

// The framing evaluateFolder uses for this model and override ("aligned", "image" or "auto").
std::string evalFraming(const EmotionModel& model, const std::string& framing = {});

// How evaluateFolder reads a folder. Every field has the default `lldif eval` uses.
struct EvalOptions {
  std::uint64_t seed = 0;  // Z_T noise seed per image: image i of label.csv uses seed + i
  // Called after each row of label.csv with (rows done, rows in all); on the calling thread.
  std::function<void(long long, long long)> progress;
  bool keep_trajectories = false;  // fill EvalImage::trajectory (Z_T..Z_0)
  // "aligned", "image" or "auto" (FerFraming); empty: as the model's training data was framed
  // (ModelInfo::framing): "auto" for models trained on images in their own framing, so face crops are
  // framed as in training and photos from elsewhere have their face found and aligned.
  std::string framing;
  int noise_seeds = 1;  // K >= 1: each image's probabilities are the mean over K noise draws
  // Applied to every image as read, before its face is framed (`lldif eval --perturb`): the occluders and
  // the blur's scale refer to the face box of label.csv, or to the whole image when it gives none.
  // Image i's noise is seeded with seed + i.
  Perturbation perturbation = Perturbation::kNone;
};

// Evaluates every benchmark image of dir (FERPlus layout: label.csv + images, each with its face box),
// preprocessing each as lldif prepare does (FerFaceAligner), framed and seeded as options say.
// throws: std::runtime_error on a missing/malformed label.csv, std::invalid_argument on an unknown framing
// or noise_seeds < 1. Missing or unreadable images are counted wrong and reported.
// Not thread safe for one model (EmotionModel::predict is not).
EvalResult evaluateFolder(EmotionModel& model, const std::filesystem::path& dir,
                          const EvalOptions& options = {});

// {"dir", "images", "correct", "accuracy", "mean_recall", "mean_confidence", "framing", "noise_seeds",
//  "perturbation", "template_aligned", "unreadable",
//  "recall": {class: r}, "confusion": [[...]]}
nlohmann::json evalToJson(const EvalResult& r);

// Report files: confusion.png, confidence.png, per_image.csv, results.json (atomic writes).
void writeEvalReport(const EvalResult& r, const std::filesystem::path& out_dir, const std::string& title);

// `lldif eval --perturb all`: the accuracy of each result (the same folder read under different
// perturbations, EvalResult::perturbation) as one horizontal bar each, labelled, in the order given, with
// the first result's accuracy marked on every row as the reference. requires: results not empty.
void writeRobustnessChart(const std::vector<EvalResult>& results, const std::filesystem::path& png,
                          const std::string& title);

// Fig. 6: the top-class confidence histograms of two results on the same faces (clear vs dark) as a PNG.
void writeConfidenceComparison(const EvalResult& clear, const EvalResult& dark,
                               const std::filesystem::path& png);

}  // namespace lldif
