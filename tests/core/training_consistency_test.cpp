// Training (LibTorch only) re-implements two pieces of the engine on tensors: landmark heatmaps and the
// low-light model. These tests hold the two implementations to each other.
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/face_aligner.h"
#include "core/image_io.h"
#include "core/lowlight.h"
#include "core/model/augment.h"
#include "test_support.h"

namespace lldif {
namespace {

TEST(TrainingConsistency, TensorHeatmapsEqualTheEngines) {
  Landmarks lm = ferplusTemplate();
  lm[30].x += 1.3f;
  torch::Tensor t = torch::empty({1, 68, 2});
  for (int i = 0; i < 68; ++i) {
    t[0][i][0] = lm[i].x;
    t[0][i][1] = lm[i].y;
  }
  const torch::Tensor th = renderHeatmapsBatch(t, 48, 1.5);
  const cv::Mat ref = renderHeatmaps(lm, 48, 1.5f);
  for (int c = 0; c < kHeatmapChannels; ++c) {
    const cv::Mat plane(48, 48, CV_32F, const_cast<float*>(ref.ptr<float>(c)));
    for (int y = 0; y < 48; y += 3) {
      for (int x = 0; x < 48; x += 3) {
        // The engine truncates each Gaussian at 3 sigma; the tensor version does not.
        EXPECT_NEAR(th[0][c][y][x].item<float>(), plane.at<float>(y, x), 0.012f) << c << " " << x << "," << y;
      }
    }
  }
}

TEST(TrainingConsistency, TensorDarkeningHasTheEnginesBrightnessAndNoise) {
  cv::Mat gray;
  cv::cvtColor(loadImageBgr(test::faceImage("portrait-005.jpg")), gray, cv::COLOR_BGR2GRAY);
  for (double ev : {3.5, 6.0}) {
    LowLightParams p;
    p.ev = ev;
    p.read_noise = 2.5;
    const cv::Mat engine = darken(gray, p, 11);
    torch::manual_seed(11);
    const torch::Tensor x =
        torch::from_blob(gray.data, {1, 1, gray.rows, gray.cols}, torch::kUInt8).to(torch::kFloat32) / 255.0;
    const torch::Tensor dark = darkenBatch(x, torch::full({1}, ev), torch::full({1}, 2.5)) * 255.0;
    p.noise = false;
    cv::Mat clean;
    darken(gray, p, 0).convertTo(clean, CV_32F);
    const torch::Tensor clean_t = torch::from_blob(clean.data, {1, 1, gray.rows, gray.cols}, torch::kFloat32);
    cv::Mat engine_f;
    engine.convertTo(engine_f, CV_32F);
    cv::Scalar m, sd;
    cv::meanStdDev(engine_f - clean, m, sd);
    EXPECT_NEAR(dark.mean().item<double>(), cv::mean(engine)[0], 0.03 * cv::mean(engine)[0] + 0.2) << ev;
    EXPECT_NEAR((dark - clean_t).std().item<double>(), sd[0], 0.07 * sd[0]) << ev;
  }
}

}  // namespace
}  // namespace lldif
