#include "core/landmarker.h"

#include <fstream>

#include <gtest/gtest.h>

#include "core/face_detector.h"
#include "core/image_io.h"
#include "test_support.h"

namespace lldif {
namespace {

TEST(Landmarker, SixtyEightPointsInsideTheFaceBoxOnRealPortraits) {
  auto lm = test::sharedLandmarker();
  FaceDetector det(DetectorOptions::stills());
  auto files = test::portraitFixtures();
  files.push_back(test::graceHopper());
  for (const auto& f : files) {
    const cv::Mat img = loadImageBgr(f);
    const auto boxes = det.detect(img);
    ASSERT_EQ(boxes.size(), 1u) << f;
    const cv::Rect2f box = boxes[0].rect;
    const Landmarks l = lm->predict(img, box);
    // dlib's box is tight: the jaw line may poke out a little; allow a 15% margin.
    const cv::Rect2f loose(box.x - 0.15f * box.width, box.y - 0.15f * box.height, 1.3f * box.width,
                           1.3f * box.height);
    int inside = 0;
    for (const auto& p : l) inside += loose.contains(p);
    EXPECT_EQ(inside, kNumLandmarks) << f;
    // Anatomy: eyes above the nose tip, nose tip above the mouth, left eye left of the right eye.
    EXPECT_LT(leftEyeCentre(l).x, rightEyeCentre(l).x) << f;
    EXPECT_LT(leftEyeCentre(l).y, l[30].y) << f;
    EXPECT_LT(l[30].y, l[57].y) << f;
  }
}

TEST(Landmarker, MissingOrWrongModelFileIsAClearError) {
  try {
    Landmarker lm("/no/such/model.dat");
    FAIL();
  } catch (const ModelFileError& e) {
    EXPECT_NE(std::string(e.what()).find("/no/such/model.dat"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("libdlib-data"), std::string::npos);
  }
  test::TempDir dir;
  std::ofstream(dir / "fake.dat") << "definitely not a shape predictor";
  EXPECT_THROW(Landmarker(dir / "fake.dat"), ModelFileError);
  EXPECT_THROW(Landmarker(test::faceImage("portrait-005.jpg")), ModelFileError);
}

TEST(Landmarker, MirrorMapIsAnInvolutionThatSwapsSides) {
  for (int i = 0; i < kNumLandmarks; ++i) EXPECT_EQ(mirroredLandmark(mirroredLandmark(i)), i);
  EXPECT_EQ(mirroredLandmark(36), 45);
  EXPECT_EQ(mirroredLandmark(48), 54);
  EXPECT_EQ(mirroredLandmark(8), 8);
  EXPECT_EQ(mirroredLandmark(30), 30);
}

}  // namespace
}  // namespace lldif
