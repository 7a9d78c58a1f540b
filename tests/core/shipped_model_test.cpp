// The trained model shipped in models/ on CC0 portraits with unmistakable expressions. A random or
// untrained model fails these (its probabilities are near uniform and its top classes arbitrary).
#include <gtest/gtest.h>

#include "core/emotion_model.h"
#include "core/face_analyzer.h"
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

std::vector<EmotionPrediction> predictAll(EmotionModel& model, const std::string& level) {
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
  return model.predict(inputs, {}, 4);
}

TEST(ShippedModel, IsTrainedAndReadsUnmistakableExpressions) {
  const fs::path file = fs::path(LLDIF_SOURCE_DIR) / "models" / "lldif.ckpt";
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
  auto model = EmotionModel::load(fs::path(LLDIF_SOURCE_DIR) / "models" / "lldif.ckpt", {"cpu", 0});
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

}  // namespace
}  // namespace lldif
