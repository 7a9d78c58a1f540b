#include "core/face_detector.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/face_tracker.h"
#include "core/image_io.h"
#include "test_support.h"

namespace lldif {
namespace {

DetectorOptions fullScale() { return DetectorOptions::stills(); }

TEST(FaceDetector, FindsExactlyOneFaceInEachRealPortrait) {
  FaceDetector det(fullScale());
  auto files = test::portraitFixtures();
  files.push_back(test::graceHopper());
  ASSERT_GE(files.size(), 6u);
  for (const auto& f : files) {
    const cv::Mat img = loadImageBgr(f);
    const auto boxes = det.detect(img);
    ASSERT_EQ(boxes.size(), 1u) << f;
    const cv::Rect2f& r = boxes[0].rect;
    EXPECT_GT(r.width, 0.15f * img.cols) << f;
    EXPECT_GE(r.x, -0.1f * img.cols) << f;
    EXPECT_LE(r.x + r.width, 1.1f * img.cols) << f;
  }
}

TEST(FaceDetector, DownscaledDetectionMapsBoxesBackToFrameCoordinates) {
  const cv::Mat img =
      test::placeOnCanvas(loadImageBgr(test::faceImage("portrait-020.jpg")), {1280, 960}, 150, 0);
  DetectorOptions one;
  one.scale = 1.0;
  one.max_side = 2000;
  FaceDetector full(one);
  DetectorOptions half;
  half.scale = 0.5;
  FaceDetector small(half);
  const auto a = full.detect(img);
  const auto b = small.detect(img);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_GT(iou(a[0].rect, b[0].rect), 0.6f);
}

TEST(FaceDetector, FindsTwoFacesSideBySide) {
  const cv::Mat a = loadImageBgr(test::faceImage("portrait-005.jpg"));
  const cv::Mat b = loadImageBgr(test::faceImage("portrait-020.jpg"));
  cv::Mat both;
  cv::hconcat(a, b, both);  // 1000 x 500
  FaceDetector det(fullScale());
  const auto boxes = det.detect(both);
  ASSERT_EQ(boxes.size(), 2u);
  const bool left_first = boxes[0].rect.x < boxes[1].rect.x;
  EXPECT_LT((left_first ? boxes[0] : boxes[1]).rect.x + 10, 500.0f);
  EXPECT_GT((left_first ? boxes[1] : boxes[0]).rect.x, 500.0f);
}

TEST(FaceDetector, FindsNoFaceWhereThereIsNone) {
  FaceDetector det(fullScale());
  cv::Mat noise(480, 640, CV_8UC3);
  cv::randu(noise, 0, 255);
  EXPECT_TRUE(det.detect(noise).empty());
  cv::Mat flat(480, 640, CV_8UC3, cv::Scalar(90, 120, 150));
  EXPECT_TRUE(det.detect(flat).empty());
  // A real photo's background: the top-left corner of a portrait, upscaled.
  const cv::Mat p = loadImageBgr(test::faceImage("portrait-020.jpg"));
  cv::Mat corner;
  cv::resize(p(cv::Rect(0, 0, 120, 90)), corner, {640, 480});
  EXPECT_TRUE(det.detect(corner).empty());
  EXPECT_TRUE(det.detect(cv::Mat()).empty());
}

}  // namespace
}  // namespace lldif
