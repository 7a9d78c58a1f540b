// The trained model shipped in models/ on CC0 portraits with unmistakable expressions. A random or
// untrained model fails these (its probabilities are near uniform and its top classes arbitrary).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "core/emotion_model.h"
#include "core/evaluator.h"
#include "core/face_analyzer.h"
#include "core/face_detector.h"
#include "core/image_io.h"
#include "core/lowlight.h"
#include "test_support.h"

namespace lldif {
namespace {

namespace fs = std::filesystem;

struct Case {
  fs::path file;
  int expected;  // 0 neutral, 1 happiness
};

std::vector<Case> cases() {
  const fs::path demo = test::resourcesDir() / "demo";
  return {{demo / "portrait-009.jpg", 1},
          {demo / "portrait-089.jpg", 1},
          {test::faceImage("portrait-071.jpg"), 1},
          {demo / "portrait-074.jpg", 0},
          {demo / "portrait-080.jpg", 0}};
}

fs::path shippedModel() { return fs::path(LLDIF_SOURCE_DIR) / "models" / "lldif.ckpt"; }

// On the CPU, each face read once (no mirror image, no shifts).
ModelOptions onePassOnCpu() {
  ModelOptions o;
  o.device = "cpu";
  o.flip_average = false;
  return o;
}

// The aligned face of each case (darkened to `level` first unless empty).
// throws: std::runtime_error naming the photo where other than one face is found.
std::vector<ModelInput> caseFaces(const std::string& level = "") {
  AnalyzerOptions o;
  o.detector = DetectorOptions::stills();
  FaceAnalyzer analyzer(o, test::sharedLandmarker());
  std::vector<ModelInput> inputs;
  for (const auto& c : cases()) {
    cv::Mat img = loadImageBgr(c.file);
    if (!level.empty()) img = darken(img, lowLightPreset(level).typical(), 7);
    const auto r = analyzer.analyze(img, false);
    if (r.faces.size() != 1) throw std::runtime_error(c.file.string() + ": expected one face");
    inputs.push_back({r.faces[0].aligned.crop, r.faces[0].aligned.heatmaps});
  }
  return inputs;
}

std::vector<EmotionPrediction> predictAll(EmotionModel& model, const std::string& level) {
  return model.predict(caseFaces(level), {}, 4);
}

TEST(ShippedModel, IsTrainedAndReadsUnmistakableExpressions) {
  const fs::path file = shippedModel();
  ASSERT_TRUE(fs::exists(file)) << "the trained model is not shipped: " << file;
  auto model = EmotionModel::load(file, {"cpu", 0});
  EXPECT_TRUE(model->info().trained);
  const auto clear = predictAll(*model, "");
  const auto cs = cases();
  for (std::size_t i = 0; i < cs.size(); ++i) {
    EXPECT_EQ(clear[i].top, cs[i].expected)
        << cs[i].file.filename() << " p(top)=" << clear[i].probs[clear[i].top];
    EXPECT_GT(clear[i].probs[static_cast<std::size_t>(cs[i].expected)], 0.4f) << cs[i].file.filename();
  }
}

TEST(ShippedModel, LowLightPredictionsStayCloseToClearOnes) {
  auto model = EmotionModel::load(shippedModel(), {"cpu", 0});
  const auto clear = predictAll(*model, "");
  const auto dark = predictAll(*model, "ll");
  int same = 0;
  double gap = 0;
  for (std::size_t i = 0; i < clear.size(); ++i) {
    same += clear[i].top == dark[i].top;
    for (int k = 0; k < kNumClasses; ++k)
      gap += std::abs(clear[i].probs[k] - dark[i].probs[k]) / 2;  // total variation
  }
  EXPECT_GE(same, 4) << "of 5 faces keep their top class in ll";
  EXPECT_LT(gap / clear.size(), 0.25) << "mean total-variation distance between clear and ll probabilities";
}

// The face with `op` applied to its crop (heatmap = false) and to each heatmap channel (heatmap = true).
ModelInput eachPlane(const ModelInput& in, const std::function<cv::Mat(const cv::Mat&, bool)>& op) {
  ModelInput out;
  out.crop = op(in.crop, false);
  out.heatmaps = cv::Mat(3, in.heatmaps.size.p, CV_32F);
  const int h = in.heatmaps.size[1], w = in.heatmaps.size[2];
  for (int ch = 0; ch < in.heatmaps.size[0]; ++ch) {
    const cv::Mat src(h, w, CV_32F, const_cast<float*>(in.heatmaps.ptr<float>(ch)));
    op(src, true).copyTo(cv::Mat(h, w, CV_32F, out.heatmaps.ptr<float>(ch)));
  }
  return out;
}

// Flip averaging = the mean of the face and its mirror image (crop and each heatmap channel flipped).
TEST(ShippedModel, FlipAveragingIsTheMeanOfTheFaceAndItsMirror) {
  const fs::path file = shippedModel();
  auto plain = EmotionModel::load(file, onePassOnCpu());
  EXPECT_FALSE(plain->flipAverage());
  auto flipping = EmotionModel::load(file, {"cpu", 0});
  EXPECT_TRUE(flipping->flipAverage()) << "flip averaging is the default";
  const std::vector<ModelInput> faces = caseFaces();
  std::vector<ModelInput> mirrored;
  for (const auto& f : faces) {
    mirrored.push_back(eachPlane(f, [](const cv::Mat& plane, bool) {
      cv::Mat out;
      cv::flip(plane, out, 1);
      return out;
    }));
  }
  const std::vector<std::uint64_t> seeds = {11, 12, 13, 14, 15};
  const auto p = plain->predict(faces, seeds), q = plain->predict(mirrored, seeds);
  const auto f = flipping->predict(faces, seeds);
  double differs = 0;
  for (std::size_t i = 0; i < faces.size(); ++i) {
    for (int k = 0; k < kNumClasses; ++k) {
      EXPECT_NEAR(f[i].probs[k], 0.5f * (p[i].probs[k] + q[i].probs[k]), 2e-5) << i << " class " << k;
      differs += std::abs(p[i].probs[k] - q[i].probs[k]);
    }
    ASSERT_EQ(f[i].trajectory.size(), p[i].trajectory.size());
    for (std::size_t t = 0; t < p[i].trajectory.size(); ++t)
      for (std::size_t d = 0; d < p[i].trajectory[t].size(); ++d)
        ASSERT_NEAR(f[i].trajectory[t][d], p[i].trajectory[t][d], 1e-4)
            << "the trajectory is the unflipped face's";
  }
  EXPECT_GT(differs, 1e-3) << "a face and its mirror give (slightly) different probabilities";
}

// The face moved dx pixels right and dy down, as shift averaging reads it: the crop's border pixels
// repeated, the heatmaps' filled with zeros (written with OpenCV here, with LibTorch in the model).
ModelInput shiftedInput(const ModelInput& in, int dx, int dy) {
  return eachPlane(in, [dx, dy](const cv::Mat& plane, bool heatmap) {
    const int p = std::max(std::abs(dx), std::abs(dy));
    cv::Mat padded;
    cv::copyMakeBorder(plane, padded, p, p, p, p, heatmap ? cv::BORDER_CONSTANT : cv::BORDER_REPLICATE,
                       cv::Scalar(0));
    return padded(cv::Rect(p - dx, p - dy, plane.cols, plane.rows)).clone();
  });
}

// Shift averaging = the mean of the face as it is and moved PX pixels left, right, up and down.
TEST(ShippedModel, ShiftAveragingIsTheMeanOfFiveShiftedReadings) {
  const fs::path file = shippedModel();
  ModelOptions po = onePassOnCpu();
  auto plain = EmotionModel::load(file, po);
  EXPECT_EQ(plain->shiftAverage(), 0) << "off unless asked for";
  po.shift_average_px = 2;
  auto shifting = EmotionModel::load(file, po);
  EXPECT_EQ(shifting->shiftAverage(), 2);
  const std::vector<ModelInput> faces = caseFaces();
  const std::vector<std::uint64_t> seeds = {11, 12, 13, 14, 15};
  std::vector<std::vector<EmotionPrediction>> views;
  for (const auto& [dx, dy] :
       {std::pair{0, 0}, std::pair{-2, 0}, std::pair{2, 0}, std::pair{0, -2}, std::pair{0, 2}}) {
    std::vector<ModelInput> moved;
    for (const auto& f : faces) moved.push_back(shiftedInput(f, dx, dy));
    views.push_back(plain->predict(moved, seeds));
  }
  const auto s = shifting->predict(faces, seeds);
  double differs = 0;
  for (std::size_t i = 0; i < faces.size(); ++i) {
    for (int k = 0; k < kNumClasses; ++k) {
      float mean = 0;
      for (const auto& v : views) mean += v[i].probs[k] / 5;
      EXPECT_NEAR(s[i].probs[k], mean, 2e-5) << i << " class " << k;
      differs += std::abs(views[1][i].probs[k] - views[0][i].probs[k]);
    }
    EXPECT_EQ(s[i].trajectory.size(), views[0][i].trajectory.size());
    EXPECT_EQ(s[i].top, cases()[i].expected) << cases()[i].file.filename();
  }
  EXPECT_GT(differs, 1e-3) << "a shifted face gives (slightly) different probabilities";
  EXPECT_THROW(shifting->setShiftAverage(9), std::invalid_argument);
  po.shift_average_px = -1;
  EXPECT_THROW(EmotionModel::load(file, po), ModelLoadError);
}

// A single face on two threads (its prior and landmark branch beside its image branch,
// core/model/overlapped_inference.h) gets the probabilities and trajectory one thread gives it.
TEST(ShippedModel, OneFaceOnTwoThreadsIsReadAsOnOne) {
  const fs::path file = shippedModel();
  auto one = EmotionModel::load(file, {"cpu", 1});
  auto two = EmotionModel::load(file, {"cpu", 2});
  AnalyzerOptions o;
  o.detector = DetectorOptions::stills();
  FaceAnalyzer analyzer(o, test::sharedLandmarker());
  for (const auto& c : cases()) {
    const auto r = analyzer.analyze(loadImageBgr(c.file), false);
    ASSERT_EQ(r.faces.size(), 1u) << c.file;
    const std::vector<ModelInput> face = {{r.faces[0].aligned.crop, r.faces[0].aligned.heatmaps}};
    PredictTimings t;
    const auto p = one->predict(face, {5}), q = two->predict(face, {5}, 1, &t);
    EXPECT_EQ(p[0].top, q[0].top) << c.file;
    for (int k = 0; k < kNumClasses; ++k) EXPECT_NEAR(p[0].probs[k], q[0].probs[k], 1e-5) << c.file;
    ASSERT_EQ(p[0].trajectory.size(), q[0].trajectory.size());
    for (std::size_t s = 0; s < p[0].trajectory.size(); ++s)
      for (std::size_t d = 0; d < p[0].trajectory[s].size(); ++d)
        ASSERT_NEAR(p[0].trajectory[s][d], q[0].trajectory[s][d], 1e-5);
    EXPECT_GT(t.prior_ms, 0.0);
    EXPECT_GT(t.classify_ms, 0.0);
  }
}

// lldif eval on a FERPlus-layout folder of photos from elsewhere (500 px colour portraits, label.csv
// copied with FERPlus's constant box, and a picture of two faces whose box names one): with the default
// framing each face is found and aligned to the template, and read as in the viewer.
EvalOptions framedAs(const std::string& framing) {
  EvalOptions o;
  o.framing = framing;
  return o;
}

EvalOptions noiseSeeds(int k) {
  EvalOptions o;
  o.noise_seeds = k;
  return o;
}

TEST(ShippedModel, EvaluatesAFolderOfPhotosByAligningTheirFaces) {
  auto model = EmotionModel::load(shippedModel(), {"cpu", 0});
  test::TempDir dir;
  std::ofstream csv(dir / "label.csv");
  auto row = [&](const std::string& name, const cv::Rect& box, int label) {
    csv << name << ",\"(" << box.x << ", " << box.y << ", " << box.width << ", " << box.height << ")\"";
    for (int k = 0; k < 10; ++k) csv << "," << (k == label ? 10 : 0);
    csv << "\n";
  };
  const auto cs = cases();
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const std::string name = "photo" + std::to_string(i) + ".jpg";
    fs::copy_file(cs[i].file, dir / name);
    row(name, {0, 0, 48, 48}, cs[i].expected);
  }
  // Happy (portrait-009) on the left, neutral (portrait-074) on the right.
  const cv::Mat happy = loadImageBgr(cs[0].file), neutral = loadImageBgr(cs[3].file);
  ASSERT_EQ(cs[0].expected, 1);
  ASSERT_EQ(cs[3].expected, 0);
  ASSERT_EQ(happy.rows, neutral.rows);
  cv::Mat both;
  cv::hconcat(happy, neutral, both);
  saveImage(dir / "both.png", both);
  FaceDetector det(DetectorOptions::stills());
  const auto hf = det.detect(happy), nf = det.detect(neutral);
  ASSERT_EQ(hf.size(), 1u);
  ASSERT_EQ(nf.size(), 1u);
  row("both.png", cv::Rect(hf[0].rect), 1);
  row("both.png", cv::Rect(nf[0].rect) + cv::Point(happy.cols, 0), 0);
  // Bad input: a missing file, a text file, a picture one pixel high. Counted wrong; the rest goes on.
  saveImage(dir / "line.png", cv::Mat(1, 1000, CV_8UC3, cv::Scalar(120, 120, 120)));
  row("line.png", {}, 7);  // contempt, which a flat grey picture does not look like
  row("missing.jpg", {}, 1);
  std::ofstream(dir / "notes.png") << "not an image";
  row("notes.png", {}, 1);  // last: progress still reaches every row
  csv.close();

  EvalOptions defaults;
  std::vector<std::pair<long long, long long>> progress;
  defaults.progress = [&](long long done, long long rows) { progress.emplace_back(done, rows); };
  const EvalResult r = evaluateFolder(*model, dir.path(), defaults);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(r.rows * 1LL, r.rows * 1LL)) << "progress ends at every row";
  EXPECT_EQ(r.framing, "auto");
  EXPECT_EQ(r.images, 10);
  EXPECT_EQ(r.template_aligned, 7);
  EXPECT_EQ(r.unreadable, 2) << "the missing file and the text file";
  for (const auto& e : r.per_image) {
    if (e.file == "missing.jpg" || e.file == "notes.png" || e.file == "line.png") continue;
    EXPECT_TRUE(e.detected) << e.file;
    EXPECT_EQ(e.predicted, e.label) << e.file << " p(top)=" << e.confidence;
  }
  EXPECT_EQ(r.correct, 7);
  // Mean per-class recall, counted here from the per-image results: each labelled class's share read right.
  std::map<int, std::pair<int, int>> per_class;  // label -> (right, images)
  for (const auto& e : r.per_image) {
    per_class[e.label].first += e.predicted == e.label;
    ++per_class[e.label].second;
  }
  double mean_recall = 0;
  for (const auto& [label, counts] : per_class)
    mean_recall += static_cast<double>(counts.first) / counts.second;
  mean_recall /= static_cast<double>(per_class.size());
  EXPECT_NEAR(r.meanRecall(), mean_recall, 1e-12);
  EXPECT_LT(r.meanRecall(), 1.0) << "contempt (the grey picture) and the unreadable files are misread";
  // The report's confusion matrix gives the unreadable images a column of their own (its rows are shares of
  // all of the class's images, as the recall is); without unreadable images there is no such column.
  EvalResult all_read = r;
  all_read.unreadable = 0;
  writeEvalReport(r, dir / "report", "photos");
  writeEvalReport(all_read, dir / "report-all-read", "photos");
  const cv::Mat with = loadImageBgr(dir / "report" / "confusion.png");
  const cv::Mat without = loadImageBgr(dir / "report-all-read" / "confusion.png");
  ASSERT_FALSE(with.empty());
  ASSERT_FALSE(without.empty());
  EXPECT_EQ(with.rows, without.rows);
  EXPECT_GT(with.cols, without.cols) << "a column for the unreadable images";
  // Resized as they are (the framing of FERPlus's own crops), the photos are not framed like training faces.
  const EvalResult as_is = evaluateFolder(*model, dir.path(), framedAs("image"));
  EXPECT_EQ(as_is.template_aligned, 0);
  // Averaged over three noise draws (lldif eval --noise-seeds 3). This model's reverse chain lands on
  // (almost) the same Z_0 whatever Z_T it starts from (models/MODEL_CARD.md, "Known limits"), so the mean
  // of three draws reads every face as one draw does, to 1e-4.
  const EvalResult three = evaluateFolder(*model, dir.path(), noiseSeeds(3));
  EXPECT_EQ(three.noise_seeds, 3);
  ASSERT_EQ(three.per_image.size(), r.per_image.size());
  EXPECT_EQ(three.correct, 7);
  for (std::size_t i = 0; i < r.per_image.size(); ++i)
    for (int k = 0; k < kNumClasses; ++k)
      EXPECT_NEAR(r.per_image[i].probs[k], three.per_image[i].probs[k], 1e-4) << r.per_image[i].file;
  EXPECT_THROW(evaluateFolder(*model, dir.path(), noiseSeeds(0)), std::invalid_argument);
  // lldif eval --perturb sunglasses: a dark bar over the eyes of each face box (of the whole image where
  // the row gives none), named in the results; it changes what the model reads.
  EvalOptions glasses;
  glasses.perturbation = Perturbation::kSunglasses;
  const EvalResult hidden = evaluateFolder(*model, dir.path(), glasses);
  EXPECT_EQ(evalToJson(hidden)["perturbation"], "sunglasses");
  EXPECT_EQ(evalToJson(r)["perturbation"], "none");
  ASSERT_EQ(hidden.per_image.size(), r.per_image.size());
  double moved = 0;
  for (std::size_t i = 0; i < r.per_image.size(); ++i)
    for (int k = 0; k < kNumClasses; ++k)
      moved += std::abs(r.per_image[i].probs[k] - hidden.per_image[i].probs[k]) / 2;
  EXPECT_GT(moved / r.images, 0.02) << "mean total-variation distance, clear vs sunglasses";
}

}  // namespace
}  // namespace lldif
