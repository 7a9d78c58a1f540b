#include "core/face_analyzer.h"

#include <set>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/image_io.h"
#include "core/lowlight.h"
#include "core/video_file_source.h"
#include "test_support.h"

namespace lldif {
namespace {

TEST(FaceAnalyzer, KeepsOneTrackThroughARealVideoAndBridgesFramesWithoutAFace) {
  test::TempDir dir;
  const std::vector<int> blank = {12, 13};
  test::writeTestVideo(dir / "walk.avi", loadImageBgr(test::faceImage("portrait-020.jpg")), 30, 25.0,
                       {640, 480}, 4, blank);
  VideoFileSource src(dir / "walk.avi");
  FaceAnalyzer analyzer({}, test::sharedLandmarker());
  Frame f;
  std::set<int> ids;
  int coasting = 0;
  while (src.read(f) == ReadStatus::kFrame) {
    const FrameAnalysis r = analyzer.analyze(f.image);
    ASSERT_EQ(r.faces.size(), 1u) << "frame " << f.index;
    ids.insert(r.faces[0].track_id);
    const bool is_blank = std::find(blank.begin(), blank.end(), f.index) != blank.end();
    EXPECT_EQ(r.faces[0].detected, !is_blank) << "frame " << f.index;
    coasting += !r.faces[0].detected;
    EXPECT_GT(r.times.detect_ms, 0.0);
  }
  EXPECT_EQ(ids.size(), 1u) << "the face changed identity";
  EXPECT_EQ(coasting, 2);
}

TEST(FaceAnalyzer, EnhancesDarkFramesForDetectionButAlignsTheRawFrame) {
  AnalyzerOptions enhance;
  enhance.detector = DetectorOptions::stills();
  AnalyzerOptions no_enhance = enhance;
  no_enhance.enhance_dark = false;
  FaceAnalyzer analyzer(enhance, test::sharedLandmarker());
  FaceAnalyzer plain(no_enhance, test::sharedLandmarker());
  int found = 0, found_plain = 0, total = 0;
  // Portraits whose faces dlib finds with a clear margin (score > 0.8) in daylight.
  const std::vector<std::filesystem::path> photos = {
      test::faceImage("portrait-005.jpg"), test::faceImage("portrait-020.jpg"), test::graceHopper(),
      test::resourcesDir() / "demo/portrait-009.jpg", test::resourcesDir() / "demo/portrait-074.jpg"};
  for (const auto& name : photos) {
    const cv::Mat clear = test::placeOnCanvas(loadImageBgr(name), {640, 480});
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
      const cv::Mat dark = darken(clear, lowLightPreset("xll").typical(), seed);
      const FrameAnalysis r = analyzer.analyze(dark, false);
      EXPECT_TRUE(r.enhanced);
      EXPECT_LT(r.mean_luminance, 30.0);
      ++total;
      if (!r.faces.empty()) {
        ++found;
        // The crop is the raw (dark) face: what the model must learn to read.
        EXPECT_LT(cv::mean(r.faces[0].aligned.crop)[0], 40.0) << name;
        // Cut again from the same frame: the same crop (a photo's face is aligned to the template).
        EXPECT_FALSE(r.faces[0].own_framing);
        EXPECT_EQ(cv::norm(cutSameFace(toGray(dark), r.faces[0], enhance.align).crop, r.faces[0].aligned.crop,
                           cv::NORM_INF),
                  0.0);
      }
      const FrameAnalysis p = plain.analyze(dark, false);
      EXPECT_FALSE(p.enhanced);
      found_plain += !p.faces.empty();
    }
  }
  EXPECT_GE(found, total * 3 / 4);
  EXPECT_GE(found, found_plain);
}

TEST(FaceAnalyzer, FindsBothFacesOfAPairAndNoneInAnEmptyRoom) {
  const cv::Mat a = loadImageBgr(test::faceImage("portrait-005.jpg"));
  const cv::Mat b = loadImageBgr(test::faceImage("portrait-020.jpg"));
  cv::Mat both;
  cv::hconcat(a, b, both);
  AnalyzerOptions o;
  o.detector = DetectorOptions::stills();
  FaceAnalyzer analyzer(o, test::sharedLandmarker());
  const FrameAnalysis r = analyzer.analyze(both, false);
  ASSERT_EQ(r.faces.size(), 2u);
  EXPECT_NE(r.faces[0].track_id, r.faces[1].track_id);
  for (const auto& f : r.faces) EXPECT_EQ(f.aligned.crop.size(), cv::Size(48, 48));
  EXPECT_TRUE(analyzer.analyze(cv::Mat(480, 640, CV_8UC3, cv::Scalar(50, 50, 50)), false).faces.empty());
  EXPECT_TRUE(analyzer.analyze(cv::Mat(), false).faces.empty());
}

// FERPlus-size images are face crops: read whole, in their own framing (as the model was trained and as
// lldif eval reads them), with dlib's landmarks where it finds the face and fitted ones where it does not,
// by the camera's options and the still-image ones alike.
TEST(FaceAnalyzer, ReadsASmallImageAsAFaceCropInItsOwnFraming) {
  AnalyzerOptions stills;
  stills.detector = DetectorOptions::stills();
  FaceAnalyzer analyzer(stills, test::sharedLandmarker());
  const cv::Mat upright = test::ferLikeFace(test::faceImage("portrait-005.jpg"));
  FaceAnalyzer camera({}, test::sharedLandmarker());
  for (FaceAnalyzer* a : {&analyzer, &camera}) {
    const FrameAnalysis found = a->analyze(upright, false);
    ASSERT_EQ(found.faces.size(), 1u);
    EXPECT_TRUE(found.faces[0].detected) << "dlib finds the 48x48 face (searched upsampled)";
    EXPECT_TRUE(found.faces[0].face_crop);
    EXPECT_EQ(found.faces[0].box, cv::Rect2f(0, 0, 48, 48));
    EXPECT_EQ(cv::norm(found.faces[0].aligned.crop, upright, cv::NORM_INF), 0.0) << "its own framing";
    EXPECT_TRUE(found.faces[0].own_framing);
    // Cut again from a darkened copy of the crop (compare mode's dark pass): the same framing, so the
    // two readings differ only by the light. Aligned to the template instead, it would be moved and scaled.
    const cv::Mat darker = upright * 0.25;
    const AlignedFace again = cutSameFace(darker, found.faces[0], stills.align);
    EXPECT_EQ(cv::norm(again.crop, darker, cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(again.heatmaps, found.faces[0].aligned.heatmaps, cv::NORM_INF), 0.0);
    EXPECT_GT(cv::norm(alignFace(darker, found.faces[0].landmarks, stills.align).crop, darker, cv::NORM_L1),
              48 * 48 * 2.0);
    // The landmarks are dlib's: the eyes above the mouth, inside the image.
    const Landmarks& lm = found.faces[0].landmarks;
    EXPECT_LT((lm[36].y + lm[45].y) / 2 + 5, (lm[48].y + lm[54].y) / 2);
  }
  // Turned upside down, dlib's frontal detector finds nothing: the whole image is the face, as it is.
  cv::Mat flipped;
  cv::flip(upright, flipped, -1);
  const FrameAnalysis crop = analyzer.analyze(flipped, false);
  ASSERT_EQ(crop.faces.size(), 1u);
  const FaceResult& f = crop.faces[0];
  EXPECT_FALSE(f.detected);
  EXPECT_TRUE(f.face_crop);
  EXPECT_EQ(f.box, cv::Rect2f(0, 0, 48, 48));
  EXPECT_EQ(cv::norm(f.aligned.crop, flipped, cv::NORM_INF), 0.0);
  ASSERT_EQ(f.landmarks.size(), 68u);
  for (const auto& p : f.landmarks) EXPECT_TRUE(cv::Rect2f(-2, -2, 52, 52).contains(p)) << p;
  // Not for camera-size frames: an empty room holds no face, and neither does a blank 97 px image.
  EXPECT_TRUE(analyzer.analyze(cv::Mat(480, 640, CV_8UC3, cv::Scalar(90, 90, 90)), false).faces.empty());
  EXPECT_TRUE(analyzer.analyze(cv::Mat(97, 97, CV_8UC1, cv::Scalar(90)), false).faces.empty());
  cv::Mat big_crop, tiny_crop;
  cv::resize(upright, big_crop, cv::Size(96, 96));
  EXPECT_EQ(analyzer.analyze(big_crop, false).faces.size(), 1u);
  // Nor are a blank crop and a few pixels: no face to read.
  EXPECT_TRUE(analyzer.analyze(cv::Mat(96, 96, CV_8UC1, cv::Scalar(90)), false).faces.empty());
  cv::resize(upright, tiny_crop, cv::Size(12, 12), 0, 0, cv::INTER_AREA);
  EXPECT_TRUE(analyzer.analyze(tiny_crop, false).faces.empty());
  cv::resize(upright, tiny_crop, cv::Size(16, 16), 0, 0, cv::INTER_AREA);
  EXPECT_EQ(analyzer.analyze(tiny_crop, false).faces.size(), 1u);
  AnalyzerOptions off;
  off.face_crop_max_side = 0;
  FaceAnalyzer strict(off, test::sharedLandmarker());
  EXPECT_TRUE(strict.analyze(flipped, false).faces.empty());
}

}  // namespace
}  // namespace lldif
