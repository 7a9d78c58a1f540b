#include "core/lowlight.h"

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/image_io.h"
#include "test_support.h"

namespace lldif {
namespace {

namespace fs = std::filesystem;

double meanAll(const cv::Mat& m) {
  const cv::Scalar s = cv::mean(m);
  double t = 0;
  for (int c = 0; c < m.channels(); ++c) t += s[c];
  return t / m.channels();
}

// The reference figures (tests/data/lowlight_reference.json) were computed once by
// tests/tools/lowlight_reference_stats.py running ../shared/tools/lowlight_ref.py on these images.
TEST(LowLight, MeanBrightnessAndNoiseAgreeWithTheReferenceModel) {
  std::ifstream in(test::dataDir() / "lowlight_reference.json");
  ASSERT_TRUE(in) << "missing tests/data/lowlight_reference.json";
  const nlohmann::json ref = nlohmann::json::parse(in);
  int checked = 0;
  for (const auto& row : ref["rows"]) {
    fs::path path = row["path"].get<std::string>();
    if (path.is_relative()) path = fs::path(LLDIF_SOURCE_DIR) / path;
    if (!fs::exists(path)) {
      ADD_FAILURE() << "fixture missing: " << path;
      continue;
    }
    const bool gray = row["mode"] == "L";
    const cv::Mat img = cv::imread(path.string(), gray ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    LowLightParams p;
    p.ev = row["ev"];
    p.read_noise = row["read_noise"];
    p.cast_g = row["cast_g"];
    p.cast_b = row["cast_b"];
    LowLightParams clean_p = p;
    clean_p.noise = false;
    const cv::Mat clean = darken(img, clean_p, 1234);
    // Both samplers: the exact one and the tabulated one the viewer uses.
    for (const bool fast : {false, true}) {
      const cv::Mat out = fast ? DarkenSampler(p).apply(img, 1234) : darken(img, p, 1234);
      cv::Mat diff;
      cv::subtract(out, clean, diff, cv::noArray(), CV_64F);
      cv::Scalar mu, sd;
      cv::meanStdDev(diff.reshape(1), mu, sd);

      const double ref_mean = row["mean"], ref_noise = row["noise_std"];
      const std::string what = row["file"].get<std::string>() + " " + row["mode"].get<std::string>() + " " +
                               row["level"].get<std::string>() + (fast ? " (DarkenSampler)" : " (darken)");
      EXPECT_NEAR(meanAll(out), ref_mean, std::max(0.3, 0.02 * ref_mean)) << what;
      EXPECT_NEAR(sd[0], ref_noise, 0.07 * ref_noise) << what;
    }
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

TEST(LowLight, SameSeedSameOutputRegardlessOfThreads) {
  const cv::Mat img = loadImageBgr(test::faceImage("portrait-020.jpg"));
  const LowLightParams p = lowLightPreset("xll").sample(7);
  const int threads = cv::getNumThreads();
  cv::setNumThreads(1);
  const cv::Mat a = darken(img, p, 99);
  cv::setNumThreads(std::max(2, threads));
  const cv::Mat b = darken(img, p, 99);
  cv::setNumThreads(threads);
  const cv::Mat c = darken(img, p, 100);
  EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(a, c, cv::NORM_L1), 0.0);
}

TEST(LowLight, TabulatedSamplerIsRepeatableAndKeepsShape) {
  const cv::Mat img = loadImageBgr(test::faceImage("portrait-020.jpg"));
  const DarkenSampler sampler(lowLightPreset("ll").typical());
  const int threads = cv::getNumThreads();
  cv::setNumThreads(1);
  const cv::Mat a = sampler.apply(img, 5);
  cv::setNumThreads(std::max(2, threads));
  const cv::Mat b = sampler.apply(img, 5);
  cv::setNumThreads(threads);
  const cv::Mat c = sampler.apply(img, 6);
  EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(a, c, cv::NORM_L1), 0.0);
  EXPECT_EQ(a.size(), img.size());
  EXPECT_EQ(a.type(), img.type());
  cv::Mat gray;
  cv::cvtColor(img, gray, cv::COLOR_BGR2GRAY);
  EXPECT_EQ(sampler.apply(gray, 5).type(), CV_8UC1);
  EXPECT_LT(meanAll(a), 0.5 * meanAll(img));  // darker
  EXPECT_THROW(DarkenSampler(LowLightParams{-1.0}), std::invalid_argument);
  EXPECT_THROW(sampler.apply(cv::Mat(), 1), std::invalid_argument);
}

TEST(LowLight, GrayColourAndAlphaKeepTheirShape) {
  const cv::Mat bgr = loadImageBgr(test::faceImage("portrait-040.jpg"));
  cv::Mat gray, bgra;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
  const LowLightParams p = lowLightPreset("ll").typical();
  for (const cv::Mat& m : {gray, bgr, bgra}) {
    const cv::Mat out = darken(m, p, 1);
    EXPECT_EQ(out.size(), m.size());
    EXPECT_EQ(out.type(), m.type());
    EXPECT_LT(meanLuminance(out), 0.5 * meanLuminance(m));  // luminance ignores alpha
  }
  std::vector<cv::Mat> planes;
  cv::split(darken(bgra, p, 1), planes);
  EXPECT_EQ(cv::countNonZero(planes[3] != 255), 0);  // alpha untouched
  // Warm cast: blue loses more than red.
  const cv::Scalar m = cv::mean(darken(bgr, p, 1));
  const cv::Scalar m0 = cv::mean(bgr);
  EXPECT_LT(m[0] / m0[0], m[2] / m0[2]);
}

TEST(LowLight, PresetsDrawFromTheirRangesAndRejectNonsense) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const LowLightParams ll = lowLightPreset("ll").sample(seed);
    EXPECT_GE(ll.ev, 3.0);
    EXPECT_LE(ll.ev, 4.5);
    EXPECT_GE(ll.read_noise, 1.5);
    EXPECT_LE(ll.read_noise, 3.0);
    const LowLightParams xll = lowLightPreset("xll").sample(seed);
    EXPECT_GE(xll.ev, 5.0);
    EXPECT_LE(xll.ev, 6.5);
    EXPECT_GE(xll.cast_b, 0.45);
    EXPECT_LE(xll.cast_b, 0.75);
  }
  EXPECT_EQ(lowLightPreset("ll").sample(3).ev, lowLightPreset("ll").sample(3).ev);
  EXPECT_THROW(lowLightPreset("dim"), std::invalid_argument);
  const cv::Mat img(8, 8, CV_8UC1, cv::Scalar(100));
  LowLightParams bad;
  bad.ev = -1;
  EXPECT_THROW(darken(img, bad, 0), std::invalid_argument);
  bad = {};
  bad.full_well = 0;
  EXPECT_THROW(darken(img, bad, 0), std::invalid_argument);
  EXPECT_THROW(darken(cv::Mat(), LowLightParams{}, 0), std::invalid_argument);
  EXPECT_THROW(darken(cv::Mat(4, 4, CV_32F), LowLightParams{}, 0), std::invalid_argument);
}

TEST(LowLight, NoiseFreeZeroEvIsTheIdentity) {
  const cv::Mat img = loadImageBgr(test::faceImage("portrait-005.jpg"));
  LowLightParams p;
  p.ev = 0;
  p.cast_g = p.cast_b = 1.0;
  p.noise = false;
  EXPECT_EQ(cv::norm(darken(img, p, 0), img, cv::NORM_INF), 0.0);
}

TEST(Enhance, BrightensDarkFramesAndLeavesGoodOnesAlmostAlone) {
  const cv::Mat img = loadImageBgr(test::faceImage("portrait-005.jpg"));
  const cv::Mat dark = darken(img, lowLightPreset("xll").typical(), 5);
  const cv::Mat bright = enhance(dark);
  EXPECT_EQ(bright.size(), dark.size());
  EXPECT_EQ(bright.type(), dark.type());
  EXPECT_GT(meanLuminance(bright), 3.0 * meanLuminance(dark));
  EnhanceParams gamma_only;
  gamma_only.mode = EnhanceParams::Mode::kGamma;
  EXPECT_NEAR(meanLuminance(enhance(img, gamma_only)), meanLuminance(img), 0.1 * meanLuminance(img));
  cv::Mat gray;
  cv::cvtColor(dark, gray, cv::COLOR_BGR2GRAY);
  EXPECT_EQ(enhance(gray).channels(), 1);
}

}  // namespace
}  // namespace lldif
