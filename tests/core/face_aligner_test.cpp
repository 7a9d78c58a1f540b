#include "core/face_aligner.h"

#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/face_detector.h"
#include "core/fer_face.h"
#include "core/image_io.h"
#include "test_support.h"

namespace lldif {
namespace {

double eyeAngleDeg(const Landmarks& l) {
  const cv::Point2f a = leftEyeCentre(l), b = rightEyeCentre(l);
  return std::atan2(b.y - a.y, b.x - a.x) * 180.0 / M_PI;
}

AlignedFace alignFirstFace(const cv::Mat& bgr) {
  FaceDetector det(DetectorOptions::stills());
  const auto boxes = det.detect(bgr);
  if (boxes.size() != 1) throw std::runtime_error("expected one face, found " + std::to_string(boxes.size()));
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  return alignFace(gray, test::sharedLandmarker()->predictGray(gray, boxes[0].rect));
}

TEST(FaceTemplate, IsLevelSymmetricAndFramedLikeFerPlus) {
  const Landmarks& t = ferplusTemplate();
  EXPECT_NEAR(eyeAngleDeg(t), 0.0, 1e-3);
  for (int i = 0; i < kNumLandmarks; ++i) {
    EXPECT_NEAR(t[i].x, 47.0f - t[mirroredLandmark(i)].x, 1e-3);
    EXPECT_GE(t[i].x, 0.0f);
    EXPECT_LE(t[i].x, 47.5f);
  }
  // FERPlus faces fill the frame: eyes in the upper half, chin near the bottom edge.
  EXPECT_GT(leftEyeCentre(t).y, 12.0f);
  EXPECT_LT(leftEyeCentre(t).y, 24.0f);
  EXPECT_GT(t[8].y, 42.0f);
  EXPECT_GT(rightEyeCentre(t).x - leftEyeCentre(t).x, 12.0f);
}

TEST(FaceAligner, RealPortraitsComeOutLevelAt48x48Gray) {
  auto files = test::portraitFixtures();
  files.push_back(test::graceHopper());
  for (const auto& f : files) {
    const AlignedFace a = alignFirstFace(loadImageBgr(f));
    EXPECT_EQ(a.crop.size(), cv::Size(kCropSize, kCropSize)) << f;
    EXPECT_EQ(a.crop.type(), CV_8UC1) << f;
    cv::Scalar mean, sd;
    cv::meanStdDev(a.crop, mean, sd);
    EXPECT_GT(sd[0], 15.0) << f << ": crop looks flat";
    EXPECT_LT(std::abs(eyeAngleDeg(a.landmarks)), 2.0) << f;
    // The aligned landmarks sit close to the template (a face, framed like FERPlus).
    double err = 0;
    for (int i = 27; i <= 47; ++i) err += cv::norm(a.landmarks[i] - ferplusTemplate()[i]);
    EXPECT_LT(err / 21.0, 3.5) << f;  // px at 48x48; the yawed, tilted portrait-040 is ~3.2
  }
}

TEST(FaceAligner, UndoesInPlaneRotation) {
  const cv::Mat img = loadImageBgr(test::faceImage("portrait-020.jpg"));
  const AlignedFace upright = alignFirstFace(img);
  for (double angle : {-15.0, 12.0}) {
    cv::Mat rotated;
    cv::warpAffine(img, rotated, cv::getRotationMatrix2D({250, 250}, angle, 1.0), img.size(),
                   cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    const AlignedFace a = alignFirstFace(rotated);
    EXPECT_LT(std::abs(eyeAngleDeg(a.landmarks)), 2.0) << angle;
    // The same face comes out: the crops of the rotated and the upright photo agree.
    cv::Mat corr;
    cv::matchTemplate(a.crop, upright.crop, corr, cv::TM_CCOEFF_NORMED);
    EXPECT_GT(corr.at<float>(0, 0), 0.9f) << angle;
  }
}

TEST(FaceAligner, HeatmapsHaveOneChannelPerPartPeakingAtTheLandmarks) {
  AlignedFace a = alignFirstFace(loadImageBgr(test::faceImage("portrait-005.jpg")));
  ASSERT_EQ(a.heatmaps.dims, 3);
  EXPECT_EQ(a.heatmaps.size[0], kHeatmapChannels);
  EXPECT_EQ(a.heatmaps.size[1], kCropSize);
  EXPECT_EQ(a.heatmaps.size[2], kCropSize);
  for (int c = 0; c < kHeatmapChannels; ++c) {
    const cv::Mat plane(kCropSize, kCropSize, CV_32F, a.heatmaps.ptr<float>(c));
    double lo, hi;
    cv::minMaxLoc(plane, &lo, &hi);
    EXPECT_GE(lo, 0.0);
    EXPECT_LE(hi, 1.0);
    EXPECT_GT(hi, 0.7);
    const LandmarkPart& part = kLandmarkParts[c];
    const cv::Point2f p = a.landmarks[part.first];
    const int x = std::clamp(static_cast<int>(std::lround(p.x)), 0, kCropSize - 1);
    const int y = std::clamp(static_cast<int>(std::lround(p.y)), 0, kCropSize - 1);
    EXPECT_GT(plane.at<float>(y, x), 0.6f) << part.name;
  }
  // Eyes channel is dark at the mouth.
  const cv::Mat eyes(kCropSize, kCropSize, CV_32F, a.heatmaps.ptr<float>(3));
  EXPECT_LT(eyes.at<float>(static_cast<int>(a.landmarks[57].y), static_cast<int>(a.landmarks[57].x)), 0.05f);
}

TEST(FaceAligner, SimilarityIsExactForAKnownTransform) {
  const Landmarks& t = ferplusTemplate();
  Landmarks moved;
  const double s = 3.5, th = 0.3;
  for (int i = 0; i < kNumLandmarks; ++i) {
    moved[i] = cv::Point2f(static_cast<float>(s * (std::cos(th) * t[i].x - std::sin(th) * t[i].y) + 100),
                           static_cast<float>(s * (std::sin(th) * t[i].x + std::cos(th) * t[i].y) + 40));
  }
  const cv::Matx23d m = estimateSimilarity(moved, t);
  for (int i = 0; i < kNumLandmarks; ++i) {
    const double x = m(0, 0) * moved[i].x + m(0, 1) * moved[i].y + m(0, 2);
    const double y = m(1, 0) * moved[i].x + m(1, 1) * moved[i].y + m(1, 2);
    EXPECT_NEAR(x, t[i].x, 1e-3);
    EXPECT_NEAR(y, t[i].y, 1e-3);
  }
}

Landmarks inImage(const AlignedFace& a) {
  cv::Matx23d inv;
  cv::invertAffineTransform(a.frame_to_crop, inv);
  return transformLandmarks(a.landmarks, inv);
}

TEST(FerFaceAligner, KeepFramingGivesTheImageItselfWithTheSameLandmarks) {
  const cv::Mat img = test::ferLikeFace(test::faceImage("portrait-005.jpg"));
  FerFaceAligner aligned(test::sharedLandmarker());
  FerFaceOptions keep_opt;
  keep_opt.align = false;
  FerFaceAligner keep(test::sharedLandmarker(), keep_opt);
  const FerFace a = aligned.align(img), k = keep.align(img);
  EXPECT_EQ(a.detected, k.detected);
  // The crop is the image itself, not a warp of it.
  ASSERT_EQ(k.aligned.crop.size(), cv::Size(48, 48));
  EXPECT_EQ(cv::norm(k.aligned.crop, img, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(a.aligned.crop, img, cv::NORM_L1) / (48 * 48), 1.0) << "alignment moved the face";
  // Both framings found the same landmarks: mapped back to the working image they coincide.
  const auto la = inImage(a.aligned), lk = inImage(k.aligned);
  for (std::size_t i = 0; i < la.size(); ++i) EXPECT_LT(cv::norm(la[i] - lk[i]), 0.05) << "landmark " << i;
  // The keep-framing landmarks are in the 48x48 image's pixels: the eyes in the upper half, the chin low.
  EXPECT_LT(leftEyeCentre(k.aligned.landmarks).y, 26.0f);
  EXPECT_GT(k.aligned.landmarks[8].y, 32.0f);
  // Heatmaps follow the landmarks of the chosen framing.
  EXPECT_GT(
      k.aligned.heatmaps.at<float>(4, cvRound(k.aligned.landmarks[48].y), cvRound(k.aligned.landmarks[48].x)),
      0.5f);
}

}  // namespace
}  // namespace lldif
