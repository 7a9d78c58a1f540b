#include "core/face_detector.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/face_tracker.h"
#include "core/image_io.h"
#include "core/landmarker.h"
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
  // Nor, with the stills' fallback to weaker boxes, in the lower 40% and the left 30% of every CC0
  // portrait (clothes, hands, backgrounds; the astronaut's lower part has a mission patch that dlib
  // scores as a face even at its default threshold).
  for (const auto& f : test::portraitFixtures()) {
    if (f.filename().string().rfind("portrait-", 0) != 0) continue;
    const cv::Mat img = loadImageBgr(f);
    EXPECT_TRUE(det.detect(img(cv::Rect(0, img.rows * 6 / 10, img.cols, img.rows * 4 / 10)).clone()).empty())
        << f;
    EXPECT_TRUE(det.detect(img(cv::Rect(0, 0, img.cols * 3 / 10, img.rows)).clone()).empty()) << f;
  }
}

TEST(FaceDetector, StillsKeepTheBestBoxOfATurnedFaceThatScoresBelowTheDefault) {
  // Two CC0 portraits whose faces are turned away from the camera: dlib's frontal detector scores them
  // between -0.4 and 0, so its default threshold finds nothing; the stills' fallback keeps that one box.
  DetectorOptions strict = DetectorOptions::stills();
  strict.fallback_threshold = strict.threshold;
  FaceDetector with_fallback(DetectorOptions::stills()), without(strict);
  const auto landmarker = test::sharedLandmarker();
  for (const char* name : {"portrait-018.jpg", "portrait-095.jpg"}) {
    const cv::Mat img = loadImageBgr(test::dataDir() / "turned-faces" / name);
    EXPECT_TRUE(without.detect(img).empty()) << name;
    const auto boxes = with_fallback.detect(img);
    ASSERT_EQ(boxes.size(), 1u) << name;
    EXPECT_LT(boxes[0].score, 0.0) << name;
    EXPECT_GE(boxes[0].score, -0.4) << name;
    // On the face: a face-sized box, and the landmarks fitted in it put the eyes above the mouth, inside it.
    const cv::Rect2f& r = boxes[0].rect;
    EXPECT_GT(r.width, 0.2f * img.cols) << name;
    EXPECT_LT(r.width, 0.5f * img.cols) << name;
    const Landmarks lm = landmarker->predict(img, r);
    const float eyes_y = (lm[36].y + lm[45].y) / 2, mouth_y = (lm[48].y + lm[54].y) / 2;
    EXPECT_LT(eyes_y + 0.15f * r.height, mouth_y) << name;
    EXPECT_TRUE(r.contains(lm[30])) << name << ": nose tip in the box";
  }
}

}  // namespace
}  // namespace lldif
