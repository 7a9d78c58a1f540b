#include "core/perturbation.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/fer_face.h"
#include "core/image_io.h"
#include "test_support.h"

namespace lldif {
namespace {

cv::Mat portraitGray() {
  cv::Mat gray;
  cv::cvtColor(loadImageBgr(test::faceImage("portrait-005.jpg")), gray, cv::COLOR_BGR2GRAY);
  return gray;
}

double detail(const cv::Mat& gray) {  // variance of the Laplacian: fine detail, what blur removes
  cv::Mat lap;
  cv::Laplacian(gray, lap, CV_64F);
  cv::Scalar mean, sd;
  cv::meanStdDev(lap, mean, sd);
  return sd[0] * sd[0];
}

double stddev(const cv::Mat& gray) {
  cv::Scalar mean, sd;
  cv::meanStdDev(gray, mean, sd);
  return sd[0];
}

TEST(Perturbation, NamesRoundTripAndAnUnknownOneIsExplained) {
  for (const auto& n : perturbationNames()) EXPECT_EQ(perturbationName(perturbationFromName(n)), n);
  EXPECT_EQ(perturbationNames().size(), 10u);
  try {
    perturbationFromName("fog");
    FAIL() << "no error for an unknown perturbation";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'fog'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sunglasses"), std::string::npos) << "names the known kinds";
  }
}

TEST(Perturbation, EachKindChangesAPhotoTheWayItsNameSays) {
  const cv::Mat g = portraitGray();
  const cv::Rect all(0, 0, g.cols, g.rows);
  auto p = [&](Perturbation k) {
    const cv::Mat out = perturb(g, k, all, 3);
    EXPECT_EQ(out.size(), g.size());
    EXPECT_EQ(out.type(), g.type());
    return out;
  };
  EXPECT_EQ(cv::norm(p(Perturbation::kNone), g, cv::NORM_INF), 0);
  const double d = detail(g);
  EXPECT_LT(detail(p(Perturbation::kBlur)), 0.5 * d);
  EXPECT_LT(detail(p(Perturbation::kLowRes)), 0.5 * d);
  EXPECT_GT(detail(p(Perturbation::kSharpen)), 1.5 * d);
  EXPECT_NEAR(stddev(p(Perturbation::kLowContrast)) / stddev(g), 0.45, 0.02);
  EXPECT_GT(cv::mean(p(Perturbation::kGamma))[0], cv::mean(g)[0] + 20) << "brighter mid-tones";
  const cv::Mat jpeg = p(Perturbation::kJpeg);
  EXPECT_GT(cv::norm(jpeg, g, cv::NORM_L1) / g.total(), 0.5) << "quality 15 loses detail";
  EXPECT_LT(cv::norm(jpeg, g, cv::NORM_L1) / g.total(), 10.0) << "but it is the same picture";
  // Noise: a standard deviation of ~12 levels (less where clipped), the same for a seed, new for another.
  const cv::Mat noisy = p(Perturbation::kNoise);
  cv::Mat diff;
  cv::subtract(noisy, g, diff, cv::noArray(), CV_32F);
  EXPECT_NEAR(stddev(diff), 12.0, 1.5);
  EXPECT_EQ(cv::norm(noisy, perturb(g, Perturbation::kNoise, all, 3), cv::NORM_INF), 0);
  EXPECT_GT(cv::norm(noisy, perturb(g, Perturbation::kNoise, all, 4), cv::NORM_INF), 0);
}

TEST(Perturbation, LowResolutionAndBlurFollowTheFaceBoxSize) {
  // 4-px bars: a 192-px face box seen 20 px across (or blurred at sigma 1.2 / 48 of 192 px) washes them
  // out; a 48-px face box (a FERPlus crop) keeps them visible.
  cv::Mat g(300, 400, CV_8UC1);
  for (int x = 0; x < g.cols; ++x) g.col(x).setTo((x / 4) % 2 ? 200 : 50);
  const cv::Rect inner(100, 100, 200, 100);  // away from the borders
  for (const Perturbation k : {Perturbation::kLowRes, Perturbation::kBlur}) {
    const double big = stddev(perturb(g, k, cv::Rect(100, 50, 192, 192))(inner));
    const double small = stddev(perturb(g, k, cv::Rect(100, 50, 48, 48))(inner));
    EXPECT_LT(big, 10.0) << perturbationName(k);
    EXPECT_GT(small, 20.0) << perturbationName(k);
  }
}

TEST(Perturbation, OccludersCoverTheEyesOrMouthOfTheFaceBoxGiven) {
  // A face box in the lower right of a flat image: the bar and the patch land in it, nothing else changes.
  const cv::Mat g(300, 400, CV_8UC1, cv::Scalar(128));
  const cv::Rect face(200, 100, 192, 192);  // 4 px per 48th
  const cv::Mat glasses = perturb(g, Perturbation::kSunglasses, face);
  const cv::Rect bar(200 + 8 * 4, 100 + 15 * 4, 32 * 4, 8 * 4);
  EXPECT_EQ(cv::countNonZero(glasses != 128), bar.area());
  EXPECT_EQ(cv::countNonZero(glasses(bar) == 20), bar.area());
  const cv::Mat mask = perturb(g, Perturbation::kMask, face);
  const cv::Rect patch(200 + 12 * 4, 100 + 32 * 4, 24 * 4, 12 * 4);
  EXPECT_EQ(cv::countNonZero(mask != 128), patch.area());
  EXPECT_EQ(cv::countNonZero(mask(patch) == 200), patch.area());
  // Colour images keep their channels; a face box reaching out of the image is clipped to it.
  const cv::Mat colour(60, 60, CV_8UC3, cv::Scalar(10, 100, 200));
  EXPECT_EQ(perturb(colour, Perturbation::kMask, cv::Rect(-10, -10, 100, 100)).type(), CV_8UC3);
  EXPECT_THROW(perturb(cv::Mat(), Perturbation::kBlur, face), std::invalid_argument);
}

TEST(Perturbation, FacesInAFrameAreChangedInTheirFerPlusFramingAndNothingElse) {
  // dlib's box covers x 0.08, y 0.13, w 0.84, h 0.84 of a FERPlus frame: 84 px of a 100-px frame.
  EXPECT_EQ(ferFramingOfBox(cv::Rect2f(108, 63, 84, 84)), cv::Rect(100, 50, 100, 100));
  const cv::Mat g(300, 400, CV_8UC1, cv::Scalar(128));
  const std::vector<cv::Rect> faces = {cv::Rect(0, 0, 96, 96),
                                       cv::Rect(300, 200, 192, 192)};  // one past the edge
  const cv::Mat out = perturbFaces(g, Perturbation::kSunglasses, faces);
  // The first face's bar (rows 15-23, columns 8-40 of its 48ths), and the part of the second's in the frame.
  const cv::Rect bar0(16, 30, 64, 16), bar1(300 + 32, 200 + 60, 400 - 332, 32);
  EXPECT_EQ(cv::countNonZero(out(bar0) == 20), bar0.area());
  EXPECT_EQ(cv::countNonZero(out(bar1) == 20), bar1.area());
  EXPECT_EQ(cv::countNonZero(out != 128), bar0.area() + bar1.area());
  // Blur changes the faces' regions only; none changes nothing.
  cv::Mat noisy(300, 400, CV_8UC1);
  cv::randu(noisy, 0, 255);
  const cv::Mat blurred = perturbFaces(noisy, Perturbation::kBlur, {cv::Rect(50, 50, 100, 100)});
  EXPECT_EQ(cv::norm(blurred(cv::Rect(200, 0, 200, 300)), noisy(cv::Rect(200, 0, 200, 300)), cv::NORM_INF),
            0.0);
  EXPECT_LT(detail(blurred(cv::Rect(60, 60, 80, 80))), 0.5 * detail(noisy(cv::Rect(60, 60, 80, 80))));
  EXPECT_EQ(cv::norm(perturbFaces(noisy, Perturbation::kNone, faces), noisy, cv::NORM_INF), 0.0);
}

}  // namespace
}  // namespace lldif
