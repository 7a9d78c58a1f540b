#include "core/emotion_model.h"

#include <fstream>

#include <gtest/gtest.h>

#include "core/face_analyzer.h"
#include "core/image_io.h"
#include "test_support.h"

namespace lldif {
namespace {

class EmotionModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    writeUntrainedModel(*dir_ / "untrained.ckpt", 3);
    AnalyzerOptions o;
    o.detector = DetectorOptions::stills();
    FaceAnalyzer analyzer(o, test::sharedLandmarker());
    for (const char* name : {"portrait-005.jpg", "portrait-020.jpg"}) {
      const auto r = analyzer.analyze(loadImageBgr(test::faceImage(name)), false);
      faces_.push_back({r.faces.at(0).aligned.crop, r.faces.at(0).aligned.heatmaps});
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    faces_.clear();
  }
  static std::unique_ptr<EmotionModel> load() {
    return EmotionModel::load(*dir_ / "untrained.ckpt", {"cpu", 0});
  }
  static test::TempDir* dir_;
  static std::vector<ModelInput> faces_;
};
test::TempDir* EmotionModelTest::dir_ = nullptr;
std::vector<ModelInput> EmotionModelTest::faces_;

TEST_F(EmotionModelTest, PredictsEightProbabilitiesAndTheTrajectoryPerFace) {
  auto m = load();
  EXPECT_FALSE(m->info().trained);
  EXPECT_EQ(m->info().device, "CPU");
  EXPECT_GT(m->info().parameters, 100000);
  EXPECT_GT(m->info().macs_per_face, 1000000);
  PredictTimings t;
  const auto p = m->predict(faces_, {}, 1, &t);
  ASSERT_EQ(p.size(), 2u);
  for (const auto& f : p) {
    float sum = 0;
    for (float v : f.probs) {
      EXPECT_GE(v, 0.f);
      sum += v;
    }
    EXPECT_NEAR(sum, 1.f, 1e-4);
    ASSERT_EQ(f.trajectory.size(), 5u);  // Z_4 .. Z_0
    EXPECT_EQ(f.trajectory[0].size(), 256u);
    EXPECT_EQ(f.top, std::max_element(f.probs.begin(), f.probs.end()) - f.probs.begin());
  }
  EXPECT_GT(t.total_ms, 0.0);
  EXPECT_TRUE(m->predict({}).empty());
}

TEST_F(EmotionModelTest, SeedsMakeResultsRepeatableAndSeveralSeedsGiveASpread) {
  auto m = load();
  const auto a = m->predict(faces_, {7, 8});
  const auto b = m->predict(faces_, {7, 8});
  const auto c = m->predict(faces_, {9, 10});
  EXPECT_EQ(a[0].probs, b[0].probs);
  EXPECT_EQ(a[1].trajectory, b[1].trajectory);
  EXPECT_NE(a[0].trajectory[0], c[0].trajectory[0]);  // Z_T is the seeded noise
  // A face's result does not depend on the batch it is in.
  const auto alone = m->predict({faces_[1]}, {8});
  for (int k = 0; k < kNumClasses; ++k) EXPECT_NEAR(alone[0].probs[k], a[1].probs[k], 1e-5);
  // The rows (faces, and their mirror images: flip averaging is the default) run as chunks side by side on
  // a multi-core CPU (EmotionModel::predict): 3 faces, 6 rows, split 3 + 3, and each face still gets its
  // own result.
  const auto three = m->predict({faces_[0], faces_[1], faces_[0]}, {7, 8, 7});
  ASSERT_EQ(three.size(), 3u);
  for (int k = 0; k < kNumClasses; ++k) {
    EXPECT_NEAR(three[0].probs[k], a[0].probs[k], 1e-5);
    EXPECT_NEAR(three[1].probs[k], a[1].probs[k], 1e-5);
    EXPECT_NEAR(three[2].probs[k], a[0].probs[k], 1e-5);
  }
  EXPECT_EQ(three[2].trajectory.size(), a[0].trajectory.size());
  const auto k4 = m->predict(faces_, {7, 8}, 4);
  float spread = 0;
  for (float s : k4[0].spread) spread += s;
  EXPECT_GT(spread, 0.f);
  m->setTimesteps(2);
  EXPECT_EQ(m->predict(faces_)[0].trajectory.size(), 3u);
}

TEST_F(EmotionModelTest, BadInputsAndFilesAreClearErrors) {
  auto m = load();
  ModelInput wrong = faces_[0];
  wrong.crop = cv::Mat(40, 40, CV_8UC1, cv::Scalar(0));
  EXPECT_THROW(m->predict({wrong}), std::invalid_argument);
  EXPECT_THROW(m->predict(faces_, {1}), std::invalid_argument);
  EXPECT_THROW(EmotionModel::load(*dir_ / "none.ckpt"), ModelLoadError);
  EXPECT_THROW(EmotionModel::load(test::faceImage("portrait-005.jpg")), ModelLoadError);
  EXPECT_THROW(EmotionModel::load(*dir_ / "untrained.ckpt", {"tpu", 0}), ModelLoadError);
  if (!cudaAvailable()) {
    try {
      EmotionModel::load(*dir_ / "untrained.ckpt", {"cuda", 0});
      ADD_FAILURE() << "cuda accepted on a machine without it";
    } catch (const ModelLoadError& e) {
      EXPECT_NE(std::string(e.what()).find("CUDA"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace lldif
