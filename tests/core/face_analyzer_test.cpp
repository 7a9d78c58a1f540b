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

}  // namespace
}  // namespace lldif
