// lldif - the command-line tool: faces, darken, enhance, bench, predict, prepare, train, average, eval,
// template.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "core/blas_kernels.h"
#include "core/data_paths.h"
#include "core/emotion_model.h"
#include "core/evaluator.h"
#include "core/perturbation.h"

#include "core/face_analyzer.h"
#include "core/face_template.h"
#include "core/frame_source.h"
#include "core/model/fnv1a.h"
#include "core/model/train_args.h"
#include "core/model/trainer.h"
#include "core/model/weight_average.h"
#include "core/pack_builder.h"

#include "core/image_io.h"
#include "core/lowlight.h"
#include "core/pipeline_runner.h"
#include "core/progress.h"
#include "core/results_json.h"
#include "core/stopwatch.h"
#include "core/trajectory_set.h"

namespace fs = std::filesystem;
using namespace lldif;

namespace {

struct FacesArgs {
  std::vector<std::string> images;
  bool json = false;
  std::string darken_level;
  std::uint64_t seed = 0;
  double detect_scale = 0;  // 0: DetectorOptions::stills()
  bool no_enhance = false;
  std::string landmark_model;
};

std::uint64_t nameSeed(const std::string& level, const std::string& name, std::uint64_t seed) {
  // FNV-1a of "level:name", mixed with the user's seed: every file gets its own repeatable darkening.
  return fnv1a(level + ":" + name) ^ (seed * 0x9E3779B97F4A7C15ull);
}

// Loads an image for a batch command, darkened (seeded by its file name) when a level is given.
// Prints the reason and returns false when the file cannot be used; the batch goes on.
bool loadInput(const std::string& path, const std::string& level, std::uint64_t seed, cv::Mat& out) {
  try {
    std::string warning;
    out = loadImageBgr(path, &warning);
    if (!warning.empty()) std::cerr << "warning: " << warning << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return false;
  }
  if (!level.empty()) {
    const std::uint64_t s = nameSeed(level, fs::path(path).filename(), seed);
    out = darken(out, lowLightPreset(level).sample(s), s);
  }
  return true;
}

// Loads each of paths (darkened to `level` when set; a folder stands for its image files, in name order)
// and calls read(path, image) on it; an unreadable file or a folder without images is reported on stderr
// and skipped. With more than 20 images, progress with an ETA counts every one, unreadable ones too.
// Returns how many could not be read.
int forEachInput(const std::vector<std::string>& paths, const std::string& level, std::uint64_t seed,
                 const std::string& label,
                 const std::function<void(const std::string&, const cv::Mat&)>& read) {
  int failed = 0;
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      files.push_back(path);
      continue;
    }
    std::vector<fs::path> in_folder;
    try {
      in_folder = listImageFiles(path);
      if (in_folder.empty()) throw std::runtime_error(path + " holds no image files");
    } catch (const std::exception& e) {  // one message per folder: cannot be listed, or no images
      std::cerr << "error: " << e.what() << "\n";
      ++failed;
    }
    for (const auto& f : in_folder) files.push_back(f.string());
  }
  long long done = 0;
  Progress progress(label, static_cast<long long>(files.size()));
  for (const auto& path : files) {
    cv::Mat img;
    if (loadInput(path, level, seed, img))
      read(path, img);
    else
      ++failed;
    if (files.size() > 20) progress.update(++done);
  }
  return failed;
}

std::shared_ptr<const Landmarker> loadLandmarker(const std::string& path) {
  return std::make_shared<const Landmarker>(path.empty() ? defaultLandmarkModelPath() : fs::path(path));
}

int runFaces(const FacesArgs& a) {
  AnalyzerOptions opt;  // images are still photos: AnalyzerOptions::still_detector, analyzeStill
  if (a.detect_scale > 0) {
    opt.still_detector.scale = a.detect_scale;
    opt.still_detector.min_side = 0;
  }
  opt.enhance_dark = !a.no_enhance;
  FaceAnalyzer analyzer(opt, loadLandmarker(a.landmark_model));
  nlohmann::json all = nlohmann::json::array();
  int ok = 0, with_face = 0, total_faces = 0;  // ok: images read
  const int failed = forEachInput(
      a.images, a.darken_level, a.seed, "faces", [&](const std::string& path, const cv::Mat& img) {
        ++ok;
        const FrameAnalysis r = analyzer.analyzeStill(img);
        if (!r.faces.empty()) ++with_face;
        total_faces += static_cast<int>(r.faces.size());
        if (a.json) {
          nlohmann::json j = analysisToJson(r);
          j["file"] = path;
          j["width"] = img.cols;
          j["height"] = img.rows;
          all.push_back(std::move(j));
        } else {
          std::cout << path << ": " << r.faces.size() << (r.faces.size() == 1 ? " face" : " faces")
                    << (r.enhanced ? " (dark: enhanced for detection)" : "") << "\n";
          for (const auto& f : r.faces) {
            std::printf("  face %d: box %.0f,%.0f %.0fx%.0f score %.2f  landmarks 68  eyes %.1f deg\n",
                        f.track_id, f.box.x, f.box.y, f.box.width, f.box.height, f.score,
                        faceToJson(f)["eye_angle_deg"].get<double>());
          }
        }
      });
  if (a.json) {
    std::cout << all.dump(1) << "\n";
  }
  std::fprintf(stderr, "%d of %d images had a face (%.1f%%); %d faces in all%s\n", with_face, ok,
               ok ? 100.0 * with_face / ok : 0.0, total_faces,
               a.darken_level.empty() ? "" : (" [darkened: " + a.darken_level + "]").c_str());
  return failed ? 2 : 0;
}

struct PredictArgs {
  std::vector<std::string> images;
  bool json = false;
  std::string model;
  std::string darken_level;
  std::string device = "auto";
  std::uint64_t seed = 0;
  int noise_seeds = 1;
  int steps = 0;
  bool flip = true;  // ModelOptions::flip_average
  int shift = 0;     // ModelOptions::shift_average_px
};

// Loads path_arg (empty: the shipped model) with these options; warns on stderr about an untrained model.
std::unique_ptr<EmotionModel> loadModelOrExplain(const std::string& path_arg, const ModelOptions& mo) {
  fs::path path = path_arg.empty() ? defaultModelPath() : fs::path(path_arg);
  if (path.empty()) {
    throw std::runtime_error(
        "No trained model found (models/lldif.ckpt, or $LLDIF_MODEL). Pass --model FILE; "
        "'lldif init-model FILE' writes an UNTRAINED one for testing the plumbing.");
  }
  auto model = EmotionModel::load(path, mo);
  if (!model->info().trained) {
    std::fprintf(
        stderr,
        "WARNING: %s is an UNTRAINED (randomly initialised) model: its predictions are meaningless.\n",
        path.c_str());
  }
  return model;
}

int runPredict(const PredictArgs& a) {
  ModelOptions mo;
  mo.device = a.device;
  mo.flip_average = a.flip;
  mo.shift_average_px = a.shift;
  auto model = loadModelOrExplain(a.model, mo);
  if (a.steps > 0) model->setTimesteps(a.steps);
  FaceAnalyzer analyzer;  // images are still photos: analyzeStill
  nlohmann::json all = nlohmann::json::array();
  const int failed = forEachInput(
      a.images, a.darken_level, a.seed, "predict", [&](const std::string& path, const cv::Mat& img) {
        const FrameAnalysis r = analyzer.analyzeStill(img);
        std::vector<ModelInput> inputs;
        std::vector<std::uint64_t> seeds;
        for (const auto& f : r.faces) {
          inputs.push_back({f.aligned.crop, f.aligned.heatmaps});
          seeds.push_back(a.seed + static_cast<std::uint64_t>(f.track_id));
        }
        PredictTimings t;
        const auto preds = model->predict(inputs, seeds, a.noise_seeds, &t);
        nlohmann::json j;
        j["file"] = path;
        j["faces"] = nlohmann::json::array();
        if (!a.json)
          std::cout << path << ": " << r.faces.size() << (r.faces.size() == 1 ? " face" : " faces") << "\n";
        for (std::size_t i = 0; i < preds.size(); ++i) {
          const auto& p = preds[i];
          nlohmann::json fj = faceToJson(r.faces[i]);
          fj.erase("landmarks");
          fj["emotion"] = kClassNames[static_cast<std::size_t>(p.top)];
          fj["confidence"] = p.probs[static_cast<std::size_t>(p.top)];
          for (int k = 0; k < kNumClasses; ++k) {
            fj["probabilities"][kClassNames[static_cast<std::size_t>(k)]] =
                p.probs[static_cast<std::size_t>(k)];
            if (a.noise_seeds > 1)
              fj["spread"][kClassNames[static_cast<std::size_t>(k)]] = p.spread[static_cast<std::size_t>(k)];
          }
          j["faces"].push_back(fj);
          if (!a.json) {
            std::printf("  face %d: %-9s %5.1f%%   (", r.faces[i].track_id,
                        kClassNames[static_cast<std::size_t>(p.top)],
                        100.0 * p.probs[static_cast<std::size_t>(p.top)]);
            for (int k = 0; k < kNumClasses; ++k) {
              std::printf("%s%.2f", k ? " " : "", p.probs[static_cast<std::size_t>(k)]);
            }
            std::printf(")%s\n",
                        r.faces[i].face_crop ? "  [a face crop: the whole image read as the face]" : "");
          }
        }
        j["model_ms"] = t.total_ms;
        j["flip_average"] = a.flip;       // each face read with its mirror image too
        j["shift_average_px"] = a.shift;  // and at four shifted positions
        all.push_back(std::move(j));
      });
  if (a.json) std::cout << all.dump(1) << "\n";
  if (!a.json) {
    const ModelInfo& info = model->info();
    std::fprintf(stderr, "model %s (%s, T=%d, %s, %s)\n", info.file.c_str(),
                 info.trained ? "trained" : "UNTRAINED", info.timesteps, info.device.c_str(),
                 a.flip ? "each face averaged with its mirror image" : "one pass per face");
  }
  return failed ? 2 : 0;
}

struct EvalArgs {
  std::string dir;
  std::string model;
  std::string json_out;
  std::string report;
  std::vector<std::string> compare;
  std::vector<int> steps;
  std::string tsne_dir;
  int tsne_faces = 400;
  std::string trajectories;
  std::string device = "auto";
  std::uint64_t seed = 0;
  bool flip = true;  // ModelOptions::flip_average
  int shift = 0;     // ModelOptions::shift_average_px
  std::string framing;
  int noise_seeds = 1;
  std::vector<std::string> perturb;  // one kind; several, or "all": a robustness sweep
};

// The perturbations of a robustness sweep (lldif eval --perturb with several kinds or "all"): none first,
// then the kinds given, in order; empty when --perturb names at most one kind.
std::vector<Perturbation> sweepOf(const EvalArgs& a) {
  const bool all = std::find(a.perturb.begin(), a.perturb.end(), "all") != a.perturb.end();
  if (!all && a.perturb.size() <= 1) return {};
  std::vector<Perturbation> kinds{Perturbation::kNone};
  for (const auto& name : all ? perturbationNames() : a.perturb) {
    const Perturbation p = perturbationFromName(name);
    if (std::find(kinds.begin(), kinds.end(), p) == kinds.end()) kinds.push_back(p);
  }
  return kinds;
}

// The EvalOptions of these arguments (without progress).
EvalOptions evalOptions(const EvalArgs& a, bool keep_trajectories = false) {
  EvalOptions o;
  o.seed = a.seed;
  o.keep_trajectories = keep_trajectories;
  o.framing = a.framing;
  o.noise_seeds = a.noise_seeds;
  if (a.perturb.size() == 1 && a.perturb[0] != "all") o.perturbation = perturbationFromName(a.perturb[0]);
  return o;
}

// A command that reads folders several times (--perturb, --steps, --compare): which pass runs now, of how
// many, and when the first began, so that each pass's progress line also gives the whole command's ETA
// (the passes taken as equally long: they read the same folder, or a clear and a dark copy of it).
struct Passes {
  int index = 0;
  int count = 1;
  Clock::time_point start = Clock::now();
};

EvalResult evalWithProgress(EmotionModel& model, const std::string& dir, EvalOptions options,
                            const Passes& passes = {}) {
  std::string label = "eval " + fs::path(dir).filename().string();
  if (options.perturbation != Perturbation::kNone)
    label += " [" + perturbationName(options.perturbation) + "]";
  Progress progress(label, 0);
  bool started = false;
  options.progress = [&](long long d, long long n) {
    if (!started) {
      progress = Progress(label, n);
      started = true;
    }
    std::string extra;
    if (passes.count > 1) {
      const double part =
          (passes.index + (n > 0 ? static_cast<double>(d) / static_cast<double>(n) : 0.0)) / passes.count;
      extra = "pass " + std::to_string(passes.index + 1) + "/" + std::to_string(passes.count) +
              ", all passes ETA " + formatEta(secondsSince(passes.start), part);
    }
    progress.update(d, extra);
  };
  EvalResult r = evaluateFolder(model, dir, options);
  progress.finish(cv::format("accuracy %.2f%%", 100 * r.accuracy()));
  if (r.unreadable > 0)
    std::fprintf(stderr, "warning: %d of %d images of %s are missing or unreadable: counted wrong\n",
                 r.unreadable, r.images, dir.c_str());
  return r;
}

// sweep: sweepOf(a), worked out once by the caller (which refuses a sweep beside other outputs).
int runEval(const EvalArgs& a, const std::vector<Perturbation>& sweep) {
  ModelOptions mo;
  mo.device = a.device;
  mo.flip_average = a.flip;
  mo.shift_average_px = a.shift;
  auto model = loadModelOrExplain(a.model, mo);
  nlohmann::json out;
  if (!sweep.empty()) {
    std::vector<EvalResult> results;
    Passes passes;
    passes.count = static_cast<int>(sweep.size());
    for (const Perturbation p : sweep) {
      EvalOptions o = evalOptions(a);
      o.perturbation = p;
      results.push_back(evalWithProgress(*model, a.dir, o, passes));
      ++passes.index;
      out["robustness"].push_back(evalToJson(results.back()));
    }
    const double ref = results.front().accuracy();
    std::printf("%s: accuracy under each perturbation\n", a.dir.c_str());
    for (const auto& r : results)
      std::printf("  %-10s %6.2f%%  %+6.2f  mean confidence %.3f\n", perturbationName(r.perturbation).c_str(),
                  100 * r.accuracy(), 100 * (r.accuracy() - ref), r.meanConfidence());
    if (!a.report.empty()) {
      fs::create_directories(a.report);
      const fs::path png = fs::path(a.report) / "robustness.png";
      writeRobustnessChart(results, png,
                           "accuracy on " + fs::path(a.dir).filename().string() +
                               " under each perturbation (" + model->info().file.filename().string() + ")");
      std::printf("wrote %s\n", png.c_str());
    }
  } else if (!a.compare.empty()) {
    Passes passes;
    passes.count = 2;
    const EvalResult clear = evalWithProgress(*model, a.compare[0], evalOptions(a), passes);
    passes.index = 1;
    const EvalResult dark = evalWithProgress(*model, a.compare[1], evalOptions(a), passes);
    int changed = 0, n = 0;
    for (std::size_t i = 0; i < std::min(clear.per_image.size(), dark.per_image.size()); ++i) {
      if (clear.per_image[i].file != dark.per_image[i].file) continue;
      ++n;
      changed += clear.per_image[i].predicted != dark.per_image[i].predicted;
    }
    out["clear"] = evalToJson(clear);
    out["dark"] = evalToJson(dark);
    out["changed_predictions"] = n ? static_cast<double>(changed) / n : 0.0;
    std::printf(
        "clear %.2f%% (mean confidence %.3f)   dark %.2f%% (mean confidence %.3f)   %.1f%% of predictions "
        "changed\n",
        100 * clear.accuracy(), clear.meanConfidence(), 100 * dark.accuracy(), dark.meanConfidence(),
        n ? 100.0 * changed / n : 0.0);
    if (!a.report.empty()) {
      fs::create_directories(a.report);
      writeConfidenceComparison(clear, dark, fs::path(a.report) / "confidence_clear_vs_dark.png");
      writeEvalReport(clear, fs::path(a.report) / "clear", "clear");
      writeEvalReport(dark, fs::path(a.report) / "dark", "low light");
    }
  } else if (!a.steps.empty()) {
    Passes passes;
    passes.count = static_cast<int>(a.steps.size());
    for (int T : a.steps) {
      model->setTimesteps(T);
      const EvalResult r = evalWithProgress(*model, a.dir, evalOptions(a), passes);
      ++passes.index;
      out["steps"][std::to_string(T)] = r.accuracy();
      std::printf("T=%d  accuracy %.2f%%\n", T, 100 * r.accuracy());
    }
  } else {
    const bool want_traj = !a.tsne_dir.empty() || !a.trajectories.empty();
    const EvalResult r = evalWithProgress(*model, a.dir, evalOptions(a, want_traj));
    out = evalToJson(r);
    if (want_traj) {
      // Up to tsne_faces / 8 faces of each true class, in label.csv order: every class is visible.
      TrajectorySet set;
      set.source = "lldif eval " + fs::path(a.dir).filename().string() + " (" +
                   model->info().file.filename().string() + ")";
      std::array<int, kNumClasses> taken{};
      const int per_class = std::max(1, a.tsne_faces / kNumClasses);
      for (const auto& e : r.per_image) {
        if (e.trajectory.empty() || e.label < 0 || taken[static_cast<std::size_t>(e.label)] >= per_class)
          continue;
        ++taken[static_cast<std::size_t>(e.label)];
        set.add(e.trajectory, e.predicted, e.label);
      }
      if (!a.trajectories.empty()) {
        saveTrajectorySet(a.trajectories, set);
        std::printf("wrote %s: trajectories of %zu faces (%d steps)\n", a.trajectories.c_str(), set.size(),
                    set.steps);
      }
      if (!a.tsne_dir.empty() && set.size() >= 2) {
        fs::create_directories(a.tsne_dir);
        Progress tp("t-SNE", set.steps * TsneOptions{}.iterations);
        const auto pts = tsneSnapshots(set, {}, nullptr, [&](int d, int) { tp.update(d); });
        tp.finish();
        const fs::path png = fs::path(a.tsne_dir) / "tsne_steps.png";
        saveImage(
            png, drawTsneSnapshots(set, pts,
                                   "t-SNE of the prior Z_t at each reverse step, " +
                                       std::to_string(set.size()) + " faces of " +
                                       fs::path(a.dir).filename().string() + " (colour: predicted emotion)"));
        std::printf("wrote %s\n", png.c_str());
      }
    }
    std::printf("%s: accuracy %.2f%% (%d/%d, %d rows), mean confidence %.3f\n", a.dir.c_str(),
                100 * r.accuracy(), r.correct, r.images, r.rows, r.meanConfidence());
    if (r.framing == "auto" && r.template_aligned > 0)
      std::printf("  framing %s: %d of %d faces were in photos (found and aligned to the template)\n",
                  r.framing.c_str(), r.template_aligned, r.images);
    const auto rec = r.recall();
    for (int k = 0; k < kNumClasses; ++k)
      std::printf("  %-10s recall %.1f%%\n", kClassNames[static_cast<std::size_t>(k)],
                  100 * rec[static_cast<std::size_t>(k)]);
    std::printf("  mean per-class recall %.2f%%\n", 100 * r.meanRecall());
    if (!a.report.empty()) writeEvalReport(r, a.report, fs::path(a.dir).filename().string());
  }
  if (!a.json_out.empty()) {
    out["flip_average"] = a.flip;
    out["shift_average_px"] = a.shift;
    out["framing"] = evalFraming(*model, a.framing);
    std::ofstream(a.json_out) << out.dump(2) << "\n";
  }
  return 0;
}

// lldif prepare: FERPlus-layout folders -> a face pack (dlib on every face), or a face pack -> another one
// (fewer splits, near-lossless faces).
int runPrepare(const std::string& in, const std::string& out, const std::vector<std::string>& split_names,
               int max_error, bool keep_framing, bool dark_landmarks) {
  std::vector<int> splits;  // 0 train, 1 valid, 2 test
  for (const auto& n : split_names) splits.push_back(n == "train" ? 0 : n == "valid" ? 1 : 2);
  // error: the stored faces are within this many gray levels of the original images.
  auto report = [&](const std::string& what, int error) {
    const std::string stored = error == 0 ? "exactly"
                               : error == 1
                                   ? "within 1 gray level of the originals"
                                   : "within " + std::to_string(error) + " gray levels of the originals";
    std::printf("%s: %s; faces stored %s; %.1f MB\n", out.c_str(), what.c_str(), stored.c_str(),
                static_cast<double>(fs::file_size(out)) / 1e6);
  };
  if (fs::is_regular_file(in)) {
    if (keep_framing || dark_landmarks)
      throw CLI::ValidationError("prepare",
                                 "--keep-framing and --dark-landmarks need the image folders: a pack "
                                 "keeps the framing and landmarks it was made with");
    const PackRewrite r = rewriteFacePack(in, out, splits, max_error);
    report(std::to_string(r.kept) + " of the " + std::to_string(r.total) + " faces of " + in,
           r.max_error_before + max_error);
    return 0;
  }
  std::vector<PackSource> sources;
  for (const PackSource& s : findPackSources(in)) {
    if (splits.empty() || std::find(splits.begin(), splits.end(), s.split) != splits.end())
      sources.push_back(s);
  }
  if (sources.empty()) throw std::runtime_error("none of the splits asked for (--splits) is in " + in);
  Progress progress("prepare", 0);
  bool started = false;
  const PackStats s = buildFacePack(
      sources, out,
      [&](long long d, long long n) {
        if (!started) progress = Progress("prepare", n);
        started = true;
        progress.update(d);
      },
      PackOptions{!keep_framing, dark_landmarks, max_error});
  progress.finish();
  report(std::to_string(s.images) + " faces (" + std::to_string(s.detected) + " found by dlib, " +
             std::to_string(s.images - s.detected) + " with the fallback box), " + std::to_string(s.skipped) +
             " skipped",
         max_error);
  return 0;
}

struct DarkenArgs {
  std::string level;
  double ev = -1;
  double read_noise = -1;
  double full_well = -1;
  std::vector<double> cast;
  std::uint64_t seed = 0;
  bool no_noise = false;
  std::string in, out;
};

int runDarken(const DarkenArgs& a) {
  LowLightParams p;
  const std::uint64_t seed =
      a.seed ? a.seed : nameSeed(a.level.empty() ? "ev" : a.level, fs::path(a.in).filename(), 0);
  if (!a.level.empty()) p = lowLightPreset(a.level).sample(seed);
  if (a.ev >= 0) p.ev = a.ev;
  if (a.read_noise >= 0) p.read_noise = a.read_noise;
  if (a.full_well > 0) p.full_well = a.full_well;
  if (a.cast.size() == 2) {
    p.cast_g = a.cast[0];
    p.cast_b = a.cast[1];
  }
  p.noise = !a.no_noise;
  const cv::Mat img = loadImageBgr(a.in);
  const cv::Mat dark = darken(img, p, seed);
  saveImage(a.out, dark);
  std::printf(
      "%s -> %s  EV %.2f  full well %.0f e-  read noise %.2f e-  cast g %.2f b %.2f  seed %llu  "
      "mean %.1f -> %.1f\n",
      a.in.c_str(), a.out.c_str(), p.ev, p.full_well, p.read_noise, p.cast_g, p.cast_b,
      static_cast<unsigned long long>(seed), meanLuminance(img), meanLuminance(dark));
  return 0;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

struct BenchArgs {
  std::string source;
  int frames = 300;
  std::string mode = "compare";
  std::string level = "ll";
  double detect_scale = 0.5;
  std::string model;
  bool no_model = false;
  bool realtime = false;
  std::string device = "auto";
  int threads = 0;                // the model's CPU threads; 0 = every core, as in the viewer
  std::string mirror = "stills";  // ProcessorSettings::mirror, as in the viewer
};

// Times the viewer's own FrameProcessor (the same code, settings and threads) over a source.
//   default:    frames one after another, per-stage medians and p95
//   --realtime: the real two-thread pipeline paced at the source's frame rate; capture->result latency
//               and dropped frames (frames the pipeline was too busy to take)
int runBench(const BenchArgs& a) {
  std::shared_ptr<EmotionModel> model;
  ModelOptions mo;
  mo.device = a.device;
  mo.threads = a.threads;
  if (!a.no_model) model = loadModelOrExplain(a.model, mo);
  AnalyzerOptions opt;
  opt.detector.scale = a.detect_scale;
  auto processor = std::make_shared<FrameProcessor>(std::make_unique<FaceAnalyzer>(opt), model);
  ProcessorSettings ps;
  ps.darkroom = a.mode == "darkroom";
  ps.compare = a.mode == "compare";
  ps.mirror = a.mirror == "always" ? MirrorAveraging::kAlways
              : a.mirror == "off"  ? MirrorAveraging::kOff
                                   : MirrorAveraging::kStills;
  ps.lowlight = lowLightPreset(a.level).typical();
  processor->setSettings(ps);

  std::vector<double> darken_v, prepare, detect, landmarks, align, model_v, total, latency;
  std::vector<int> faces;
  int n = 0, width = 0, height = 0;
  RunnerStats final_stats;
  double fps = 0;
  auto record = [&](const ProcessedFrame& r) {
    width = r.raw.cols;
    height = r.raw.rows;
    darken_v.push_back(r.darken_ms);
    prepare.push_back(r.analysis.times.prepare_ms);
    detect.push_back(r.analysis.times.detect_ms);
    landmarks.push_back(r.analysis.times.landmarks_ms);
    align.push_back(r.analysis.times.align_ms);
    model_v.push_back(r.model_ms);
    total.push_back(r.processing_ms);
    latency.push_back(r.latency_ms);
    faces.push_back(static_cast<int>(r.analysis.faces.size()));
  };
  Progress progress("bench", a.frames);
  auto source = openSource(a.source);
  fps = source->fps();
  if (!a.realtime) {
    Frame frame;
    while (n < a.frames && source->read(frame) == ReadStatus::kFrame) {
      ProcessedFrame r = processor->process(frame);
      r.latency_ms = r.processing_ms;
      record(r);
      progress.update(++n);
    }
  } else {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    std::string error;
    RunnerCallbacks cb;
    cb.on_result = [&](const ProcessedFrame& r, const RunnerStats& st) {
      std::lock_guard<std::mutex> lock(m);
      if (n >= a.frames) return;
      record(r);
      final_stats = st;
      progress.update(++n);
      if (n >= a.frames) {
        done = true;
        cv.notify_all();
      }
    };
    cb.on_error = [&](const std::string& e) {
      std::lock_guard<std::mutex> lock(m);
      error = e;
      done = true;
      cv.notify_all();
    };
    cb.on_end = [&] {
      std::lock_guard<std::mutex> lock(m);
      done = true;
      cv.notify_all();
    };
    PipelineRunner runner(std::move(source), processor, cb);
    runner.start();
    {
      std::unique_lock<std::mutex> lock(m);
      cv.wait(lock, [&] { return done; });
    }
    final_stats = runner.stats();
    runner.stop();
    if (!error.empty()) std::cerr << "warning: the source failed: " << error << "\n";
  }
  progress.finish();
  if (n == 0) {
    std::cerr << "error: " << a.source << " delivered no frames\n";
    return 1;
  }
  auto stage = [](const std::vector<double>& v) {
    return nlohmann::json{{"median_ms", std::round(percentile(v, 0.5) * 1000) / 1000},
                          {"p95_ms", std::round(percentile(v, 0.95) * 1000) / 1000}};
  };
  nlohmann::json j;
  j["source"] = a.source;
  j["frames"] = n;
  j["source_fps"] = fps;
  j["frame_size"] = {width, height};
  j["mode"] = a.mode;
  j["level"] = a.level;
  j["detect_scale"] = a.detect_scale;
  j["model"] = model ? model->info().file.string() : "none";
  j["device"] = model ? model->info().device : "cpu";
  j["model_threads"] = a.threads;
  j["mirror"] = a.mirror;
  j["blas"] = blasKernelsSummary();
  j["frames_with_face"] = std::count_if(faces.begin(), faces.end(), [](int f) { return f > 0; });
  j["stages"] = {{"darken", stage(darken_v)},     {"prepare", stage(prepare)}, {"detect", stage(detect)},
                 {"landmarks", stage(landmarks)}, {"align", stage(align)},     {"model", stage(model_v)},
                 {"total", stage(total)}};
  if (a.realtime) {
    j["latency"] = stage(latency);
    j["captured"] = final_stats.captured;
    j["processed"] = final_stats.processed;
    j["dropped"] = final_stats.dropped;
  } else {
    j["latency"] = stage(total);  // sequential: the frame's latency is its processing time
  }
  if (fps > 0) j["keeps_up"] = percentile(a.realtime ? latency : total, 0.95) <= 1000.0 / fps;
  std::cout << j.dump(2) << "\n";
  return 0;
}

// How predict and eval read each face: with its mirror image (ModelOptions::flip_average) and at shifted
// positions (ModelOptions::shift_average_px).
void addReadingOptions(CLI::App* cmd, bool& flip, int& shift) {
  cmd->add_flag("--flip,!--no-flip", flip,
                "Average each face with its mirror image (test-time flip averaging; the default, twice the "
                "work). --no-flip: one pass per face");
  cmd->add_option(
         "--shift-average", shift,
         "Also read each face shifted PX pixels left, right, up and down and average (5x the work; 0: "
         "off)")
      ->check(CLI::Range(0, kMaxShiftAveragePx));
}

}  // namespace

int main(int argc, char** argv) {
  lldif::ensureFastBlasKernels();  // before any matrix product (core/blas_kernels.h)
  CLI::App app{"lldif - facial-emotion recognition that works in the dark (LLDif)"};
  app.set_version_flag("--version", std::string("lldif ") + LLDIF_VERSION);
  app.require_subcommand(1);

  FacesArgs faces;
  auto* faces_cmd = app.add_subcommand("faces", "Detect faces and 68 landmarks in images");
  faces_cmd->add_option("images", faces.images, "Image files or folders of images")->required();
  faces_cmd->add_flag("--json", faces.json, "Print JSON (boxes, landmarks, timings) instead of text");
  faces_cmd
      ->add_option("--darken", faces.darken_level,
                   "Darken each image first (ll or xll, seeded per file name)")
      ->check(CLI::IsMember({"ll", "xll"}));
  faces_cmd->add_option("--seed", faces.seed, "Extra seed for --darken");
  faces_cmd
      ->add_option("--detect-scale", faces.detect_scale,
                   "Scale images by this before detection (default: long side to 768-1600 px)")
      ->check(CLI::Range(0.1, 4.0));
  faces_cmd->add_flag("--no-enhance", faces.no_enhance, "Do not enhance dark images for detection");
  faces_cmd->add_option("--landmark-model", faces.landmark_model, "dlib 68-point shape predictor file");

  DarkenArgs dk;
  auto* darken_cmd = app.add_subcommand("darken", "Darken an image with the physical low-light model");
  auto* level_opt = darken_cmd->add_option("--level", dk.level, "Preset: ll (EV 3-4.5) or xll (EV 5-6.5)")
                        ->check(CLI::IsMember({"ll", "xll"}));
  auto* ev_opt =
      darken_cmd->add_option("--ev", dk.ev, "Exposure drop in stops")->check(CLI::Range(0.0, 20.0));
  darken_cmd->add_option("--read-noise", dk.read_noise, "Read noise, electrons")
      ->check(CLI::Range(0.0, 1000.0));
  darken_cmd->add_option("--full-well", dk.full_well, "Full-well capacity, electrons")
      ->check(CLI::Range(1.0, 1e7));
  darken_cmd->add_option("--cast", dk.cast, "Colour cast gains G,B (relative to R)")
      ->delimiter(',')
      ->expected(2);
  darken_cmd->add_option("--seed", dk.seed, "Noise seed (default: from the file name)");
  darken_cmd->add_flag("--no-noise", dk.no_noise, "Exposure and cast only");
  darken_cmd->add_option("in", dk.in, "Input image")->required();
  darken_cmd->add_option("out", dk.out, "Output image")->required();
  level_opt->excludes(ev_opt);

  std::string enh_in, enh_out;
  auto* enhance_cmd = app.add_subcommand("enhance", "Brighten a dark image for viewing (gamma + CLAHE)");
  enhance_cmd->add_option("in", enh_in, "Input image")->required();
  enhance_cmd->add_option("out", enh_out, "Output image")->required();

  BenchArgs bench;
  auto* bench_cmd = app.add_subcommand("bench", "Time each stage of the pipeline over a source; prints JSON");
  bench_cmd->add_option("--source", bench.source, "Video file, folder, image, demo or camera:N")->required();
  bench_cmd->add_option("--frames", bench.frames, "Frames to time")->check(CLI::Range(1, 100000));
  bench_cmd
      ->add_option("--mode", bench.mode,
                   "clear, darkroom (darken, then faces and emotions) or compare (faces on the clear frame, "
                   "emotions on clear and dark faces: two model passes)")
      ->check(CLI::IsMember({"clear", "darkroom", "compare"}));
  bench_cmd->add_option("--level", bench.level, "Low-light level: ll or xll")
      ->check(CLI::IsMember({"ll", "xll"}));
  bench_cmd->add_option("--model", bench.model, "Model checkpoint (default: the shipped one)");
  bench_cmd->add_flag("--no-model", bench.no_model, "Faces only, no emotion model");
  bench_cmd->add_flag(
      "--realtime", bench.realtime,
      "Run the real two-thread pipeline paced at the source's rate: latency and dropped frames");
  bench_cmd->add_option("--device", bench.device, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  bench_cmd
      ->add_option("--threads", bench.threads,
                   "The model's CPU threads (default 0: every core, as the viewer; 1: no overlap of a single "
                   "face's branches, no chunks)")
      ->check(CLI::Range(0, 256));
  bench_cmd->add_option("--detect-scale", bench.detect_scale, "Scale frames by this before detection")
      ->check(CLI::Range(0.1, 4.0));
  bench_cmd
      ->add_option("--mirror", bench.mirror,
                   "Mirror averaging (each face also read mirrored, the two averaged), as the viewer's "
                   "setting: stills (photos and image folders only; the default), always or off")
      ->check(CLI::IsMember({"stills", "always", "off"}));

  PredictArgs pr;
  auto* predict_cmd = app.add_subcommand("predict", "Detect, align and classify the emotion of every face");
  predict_cmd->add_option("images", pr.images, "Image files or folders of images")->required();
  predict_cmd->add_flag("--json", pr.json, "Print JSON");
  predict_cmd->add_option("--model", pr.model, "Model checkpoint (default: the shipped models/lldif.ckpt)");
  predict_cmd->add_option("--darken", pr.darken_level, "Darken each image first (ll or xll)")
      ->check(CLI::IsMember({"ll", "xll"}));
  predict_cmd->add_option("--device", pr.device, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  predict_cmd->add_option("--seed", pr.seed, "Seed of the diffusion noise Z_T");
  predict_cmd->add_option("--noise-seeds", pr.noise_seeds, "Average over K noise draws and report the spread")
      ->check(CLI::Range(1, 64));
  predict_cmd->add_option("--steps", pr.steps, "Diffusion steps (default: the model's)")
      ->check(CLI::Range(1, 64));
  addReadingOptions(predict_cmd, pr.flip, pr.shift);

  std::string init_out;
  std::uint64_t init_seed = 0;
  auto* init_cmd =
      app.add_subcommand("init-model", "Write an UNTRAINED random model (for testing the plumbing)");
  init_cmd->add_option("out", init_out, "Checkpoint file to write")->required();
  init_cmd->add_option("--seed", init_seed, "Initialisation seed");

  std::string prep_dir, prep_out;
  auto* prepare_cmd = app.add_subcommand(
      "prepare", "FERPlus-layout folders -> a face pack for training (or an existing pack -> a smaller one)");
  prepare_cmd
      ->add_option("dir", prep_dir,
                   "FERPlus root (FER2013Train/Valid/Test) or one folder with label.csv; or a face pack, "
                   "to write again with --splits / --max-error (no dlib run)")
      ->required()
      ->check(CLI::ExistingPath);
  prepare_cmd->add_option("out", prep_out, "Pack file to write (e.g. runs/ferplus.pack)")->required();
  bool prep_keep_framing = false;
  prepare_cmd->add_flag(
      "--keep-framing", prep_keep_framing,
      "Keep each face crop's own framing instead of aligning it to the template (faces in photos are "
      "still aligned, as lldif eval frames them)");
  int prep_max_error = 0;
  prepare_cmd
      ->add_option(
          "--max-error", prep_max_error,
          "Store the faces near-losslessly, each pixel within this many gray levels (0: exactly, the "
          "default; 1 makes the FERPlus train + valid pack 37 MB, small enough for a GPU machine)")
      ->check(CLI::Range(0, 16));
  std::vector<std::string> prep_splits;
  prepare_cmd->add_option("--splits", prep_splits, "Keep only these splits (train, valid, test; default all)")
      ->delimiter(',')
      ->check(CLI::IsMember({"train", "valid", "test"}));
  bool prep_dark = false;
  prepare_cmd->add_flag(
      "--dark-landmarks", prep_dark,
      "Also store the landmarks of ll- and xll-darkened copies of each face, which training "
      "then pairs with darkened faces (3x slower; see docs/MODEL_HISTORY.md)");

  TrainOptions to;
  auto* train_cmd = app.add_subcommand("train", "Train one stage of LLDif (0: LA-CLIP, 1, 2) on a face pack");
  // The options are defined once for this and for the standalone lldif-train (core/model/train_args.h).
  for (const TrainArg& arg : trainArgs(to)) {
    if (arg.value_hint.empty()) {
      train_cmd->add_flag_callback(
          arg.name, [set = arg.set] { set(""); }, arg.help);
      continue;
    }
    // A bad value becomes CLI11's validation error (the message names the option).
    const auto set = [set = arg.set](const std::string& v) {
      try {
        set(v);
      } catch (const std::invalid_argument& e) {
        throw CLI::ValidationError(e.what());
      }
    };
    CLI::Option* opt = nullptr;
    if (arg.repeatable) {
      const auto set_each = [set](const std::vector<std::string>& vs) {
        for (const auto& v : vs) set(v);
      };
      opt = train_cmd->add_option_function<std::vector<std::string>>(arg.name, set_each, arg.help);
    } else {
      opt = train_cmd->add_option_function<std::string>(arg.name, set, arg.help);
    }
    opt->type_name(arg.value_hint)->required(arg.required);
  }
  for (const TrainArg& arg : trainArgs(to))  // once every option exists
    if (!arg.needs.empty()) train_cmd->get_option(arg.name)->needs(arg.needs);

  std::vector<std::string> avg_in;
  std::string avg_out;
  auto* average_cmd = app.add_subcommand(
      "average", "Average the weights of checkpoints of one network (e.g. stage-2 runs from one stage 1)");
  average_cmd->add_option("checkpoints", avg_in, "Two or more checkpoints")->required()->expected(2, 64);
  average_cmd->add_option("--out", avg_out, "Checkpoint to write")->required();

  EvalArgs ev;
  auto* eval_cmd = app.add_subcommand("eval", "Accuracy on a FERPlus-layout folder (official majority rule)");
  eval_cmd->add_option("dir", ev.dir, "Folder with label.csv and images");
  eval_cmd->add_option("--model", ev.model, "Model checkpoint (default: the shipped one)");
  eval_cmd->add_option("--json", ev.json_out, "Write the results as JSON to this file");
  eval_cmd->add_option("--report", ev.report,
                       "Folder for PNG plots (confusion, confidence) and a per-image CSV");
  eval_cmd
      ->add_option("--compare", ev.compare,
                   "CLEAR_DIR DARK_DIR: confidence histograms on the same faces (Fig. 6)")
      ->expected(2);
  eval_cmd->add_option("--steps", ev.steps,
                       "Accuracy for each number of diffusion steps, e.g. --steps 1 2 4 8");
  eval_cmd->add_option("--tsne", ev.tsne_dir,
                       "Folder for the t-SNE of Z_t at every reverse step (Fig. 7) as PNG");
  eval_cmd->add_option("--tsne-faces", ev.tsne_faces, "Faces in the t-SNE (balanced over true classes)")
      ->check(CLI::Range(8, 3000));
  eval_cmd->add_option("--trajectories", ev.trajectories,
                       "Write the trajectories Z_T..Z_0 of the t-SNE faces (the viewer's reference set)");
  eval_cmd->add_option("--device", ev.device, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  eval_cmd->add_option("--seed", ev.seed, "Seed of the diffusion noise");
  addReadingOptions(eval_cmd, ev.flip, ev.shift);
  eval_cmd
      ->add_option("--noise-seeds", ev.noise_seeds,
                   "Average each face's probabilities over K draws of the diffusion noise (K times the work)")
      ->check(CLI::Range(1, 32));
  eval_cmd
      ->add_option("--framing", ev.framing,
                   "Frame the faces: 'aligned' to the template, 'image' as they are, or 'auto' (face crops "
                   "as they are, faces in photos aligned; the default for models trained on images as they "
                   "are, otherwise 'aligned')")
      ->check(CLI::IsMember({"aligned", "image", "auto"}));
  eval_cmd
      ->add_option("--perturb", ev.perturb,
                   "Change every image before reading it, to measure robustness: blur, lowres, sharpen, "
                   "contrast, gamma, jpeg, noise, sunglasses or mask (docs/TRAINING.md). Several kinds, or "
                   "'all': accuracy under each beside the unchanged images, and with --report a chart")
      ->check(CLI::IsMember([] {
        auto names = perturbationNames();
        names.push_back("all");
        return names;
      }()));

  std::string tmpl_dir;
  int tmpl_max = 4000;
  auto* tmpl_cmd = app.add_subcommand("template", "Derive the alignment template from FERPlus-layout images");
  tmpl_cmd->add_option("dir", tmpl_dir, "Folder of 48x48 faces (e.g. FER2013Train)")
      ->required()
      ->check(CLI::ExistingDirectory);
  tmpl_cmd->add_option("--max-images", tmpl_max, "Images to use (evenly sampled)")
      ->check(CLI::Range(1, 1000000));

  CLI11_PARSE(app, argc, argv);

  try {
    if (*faces_cmd) return runFaces(faces);
    if (*predict_cmd) return runPredict(pr);
    if (*eval_cmd) {
      if (ev.dir.empty() && ev.compare.empty())
        throw CLI::ValidationError("eval", "give DIR or --compare CLEAR DARK");
      const std::vector<Perturbation> sweep = sweepOf(ev);
      if (!sweep.empty() && (ev.dir.empty() || !ev.compare.empty() || !ev.steps.empty() ||
                             !ev.tsne_dir.empty() || !ev.trajectories.empty()))
        throw CLI::ValidationError("eval",
                                   "--perturb with several kinds (or all) takes DIR alone: not with "
                                   "--compare, --steps, --tsne or --trajectories");
      return runEval(ev, sweep);
    }
    if (*prepare_cmd)
      return runPrepare(prep_dir, prep_out, prep_splits, prep_max_error, prep_keep_framing, prep_dark);
    if (*train_cmd) {
      for (int i = 0; i < argc; ++i) to.command += (i ? " " : "") + std::string(argv[i]);
      to.alignment_template = ferplusTemplateNumbers();  // packs older than the template key lack it
      const TrainReport r = train(to, [](const std::string& line) {
        std::fprintf(stderr, "%s\n", line.c_str());
        std::fflush(stderr);
      });
      std::printf("%s\n", trainSummary(to.stage, r).c_str());
      return 0;
    }
    if (*average_cmd) {
      averageCheckpoints(std::vector<fs::path>(avg_in.begin(), avg_in.end()), avg_out);
      std::printf("wrote %s: the mean of the weights of %zu checkpoints\n", avg_out.c_str(), avg_in.size());
      return 0;
    }
    if (*init_cmd) {
      writeUntrainedModel(init_out, init_seed);
      std::printf("wrote %s: an UNTRAINED, randomly initialised LLDif model (seed %llu)\n", init_out.c_str(),
                  static_cast<unsigned long long>(init_seed));
      return 0;
    }
    if (*darken_cmd) {
      if (dk.level.empty() && dk.ev < 0)
        throw CLI::ValidationError("darken", "give --level ll|xll or --ev X");
      return runDarken(dk);
    }
    if (*enhance_cmd) {
      const cv::Mat img = loadImageBgr(enh_in);
      const cv::Mat out = enhance(img);
      saveImage(enh_out, out);
      std::printf("%s -> %s  mean %.1f -> %.1f\n", enh_in.c_str(), enh_out.c_str(), meanLuminance(img),
                  meanLuminance(out));
      return 0;
    }
    if (*bench_cmd) return runBench(bench);
    if (*tmpl_cmd) {
      Landmarker lm(defaultLandmarkModelPath());
      Progress progress("template", tmpl_max);
      const auto t = deriveAlignmentTemplate(tmpl_dir, tmpl_max, lm, [&](int d, int) { progress.update(d); });
      progress.finish();
      std::cout << templateAsCpp(t,
                                 "lldif template " + tmpl_dir + " --max-images " + std::to_string(tmpl_max));
      return 0;
    }
  } catch (const CLI::Error& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
