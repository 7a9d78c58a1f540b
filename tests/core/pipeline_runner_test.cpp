#include "core/pipeline_runner.h"
#include "core/emotion_model.h"

#include <array>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/fer_face.h"
#include "core/image_io.h"
#include "core/image_source.h"
#include "core/video_file_source.h"
#include "test_support.h"

namespace lldif {
namespace {

struct Collector {
  std::mutex m;
  std::condition_variable cv;
  int results = 0;
  int with_face = 0;
  bool ended = false;
  std::string error;
  RunnerStats last;
  std::thread::id thread;

  RunnerCallbacks callbacks() {
    RunnerCallbacks cb;
    cb.on_result = [this](const ProcessedFrame& f, const RunnerStats& s) {
      std::lock_guard<std::mutex> l(m);
      ++results;
      with_face += !f.analysis.faces.empty();
      last = s;
      thread = std::this_thread::get_id();
    };
    cb.on_end = [this] {
      std::lock_guard<std::mutex> l(m);
      ended = true;
      cv.notify_all();
    };
    cb.on_error = [this](const std::string& e) {
      std::lock_guard<std::mutex> l(m);
      error = e;
      cv.notify_all();
    };
    return cb;
  }
  bool waitEnd(std::chrono::seconds t) {
    std::unique_lock<std::mutex> l(m);
    return cv.wait_for(l, t, [this] { return ended; });
  }
};

std::shared_ptr<FrameProcessor> processor() {
  return std::make_shared<FrameProcessor>(
      std::make_unique<FaceAnalyzer>(AnalyzerOptions{}, test::sharedLandmarker()));
}

TEST(PipelineRunner, ProcessesARealVideoOffTheCallingThreadAndAccountsForEveryFrame) {
  test::TempDir dir;
  test::writeTestVideo(dir / "clip.avi", loadImageBgr(test::faceImage("portrait-005.jpg")), 40, 50.0);
  Collector c;
  PipelineRunner runner(std::make_unique<VideoFileSource>(dir / "clip.avi"), processor(), c.callbacks());
  runner.start();
  ASSERT_TRUE(c.waitEnd(std::chrono::seconds(60)));
  runner.stop();
  const RunnerStats s = runner.stats();
  EXPECT_EQ(s.captured, 40u);
  EXPECT_EQ(s.processed + s.dropped, s.captured);  // every frame either processed or counted as dropped
  EXPECT_EQ(static_cast<std::uint64_t>(c.results), s.processed);
  EXPECT_GT(c.with_face, 0);
  EXPECT_NE(c.thread, std::this_thread::get_id());
  EXPECT_TRUE(c.error.empty());
}

TEST(PipelineRunner, AStillPhotoIsSearchedAtFullSizeSoASmallFaceIsFound) {
  // A 3000 x 2000 photo with a 500 px portrait in it: a video frame is searched at 640 px, where the face
  // is ~40 px (under dlib's ~80), a still photo (the viewer's image and folder sources) at 1600.
  cv::Mat photo(2000, 3000, CV_8UC3, cv::Scalar(70, 90, 110));
  loadImageBgr(test::faceImage("portrait-020.jpg")).copyTo(photo(cv::Rect(1900, 600, 500, 500)));
  Frame video_frame;
  video_frame.image = photo;
  EXPECT_TRUE(processor()->process(video_frame).analysis.faces.empty()) << "as a video frame";

  test::TempDir dir;
  saveImage(dir / "photo.png", photo);
  Collector c;
  int faces = -1;
  bool still = false;
  RunnerCallbacks cb = c.callbacks();
  const auto count = cb.on_result;
  cb.on_result = [&](const ProcessedFrame& f, const RunnerStats& s) {
    faces = static_cast<int>(f.analysis.faces.size());
    still = f.frame.still;
    count(f, s);
  };
  PipelineRunner runner(std::make_unique<ImageSource>(dir / "photo.png"), processor(), cb);
  runner.start();
  ASSERT_TRUE(c.waitEnd(std::chrono::seconds(60)));
  runner.stop();
  EXPECT_TRUE(still);
  ASSERT_EQ(faces, 1) << "as a still photo";
  EXPECT_TRUE(c.error.empty());
}

TEST(PipelineRunner, PhotosOfAFolderAreNotTrackedFromOneToTheNext) {
  // Two frames with a face at the same place: as video frames the face keeps its track id (and the
  // viewer's smoothing and timeline follow it); as photos of a folder each face is a new one, so one
  // person's emotions are never blended into the next photo's.
  Frame f;
  f.image = test::placeOnCanvas(loadImageBgr(test::faceImage("portrait-005.jpg")), {640, 480});
  auto p = processor();
  const int first = p->process(f).analysis.faces.at(0).track_id;
  EXPECT_EQ(p->process(f).analysis.faces.at(0).track_id, first) << "video: tracked";
  f.still = true;
  const int photo1 = p->process(f).analysis.faces.at(0).track_id;
  const int photo2 = p->process(f).analysis.faces.at(0).track_id;
  EXPECT_NE(photo1, first);
  EXPECT_NE(photo2, photo1) << "photos: each face is new";
}

TEST(PipelineRunner, DarkroomModeDarkensFramesBeforeAnalysis) {
  auto p = processor();
  ProcessorSettings s;
  s.darkroom = true;
  s.lowlight = lowLightPreset("ll").typical();
  p->setSettings(s);
  Frame f;
  f.image = test::placeOnCanvas(loadImageBgr(test::faceImage("portrait-005.jpg")), {640, 480});
  const ProcessedFrame r = p->process(f, false);
  EXPECT_LT(meanLuminance(r.frame.image), 0.4 * meanLuminance(r.raw));
  EXPECT_GT(r.darken_ms, 0.0);
  EXPECT_EQ(r.analysis.faces.size(), 1u);
}

TEST(PipelineRunner, CompareModeRunsTheShippedModelOnTheClearAndTheDarkFace) {
  auto model = EmotionModel::load(std::filesystem::path(LLDIF_SOURCE_DIR) / "models/lldif.ckpt");
  auto p = std::make_shared<FrameProcessor>(
      std::make_unique<FaceAnalyzer>(AnalyzerOptions{}, test::sharedLandmarker()), std::move(model));
  ProcessorSettings s;
  s.compare = true;
  s.lowlight = lowLightPreset("xll").typical();
  s.noise_seeds = 3;
  p->setSettings(s);
  Frame f;
  f.image = test::placeOnCanvas(loadImageBgr(test::faceImage("portrait-005.jpg")), {640, 480});
  const ProcessedFrame r = p->process(f, false);
  ASSERT_EQ(r.analysis.faces.size(), 1u);
  ASSERT_EQ(r.emotions.size(), 1u);
  EXPECT_EQ(meanLuminance(r.frame.image), meanLuminance(r.raw));  // faces found on the clear frame
  EXPECT_LT(meanLuminance(r.dark), 0.3 * meanLuminance(r.raw));
  const FaceEmotion& e = r.emotions[0];
  ASSERT_TRUE(e.has_dark);
  float sum = 0, diff = 0, spread = 0;
  for (int k = 0; k < kNumClasses; ++k) {
    sum += e.dark.probs[k];
    diff += std::abs(e.dark.probs[k] - e.main.probs[k]);
    spread += e.main.spread[k];
  }
  EXPECT_NEAR(sum, 1.0f, 1e-4f);
  EXPECT_GT(diff, 1e-4f);                   // the dark pass saw other pixels
  EXPECT_GT(spread, 0.0f);                  // 3 noise seeds: a spread
  EXPECT_EQ(e.main.trajectory.size(), 5u);  // Z_4 .. Z_0
  EXPECT_GT(r.model_ms, 0.0);
  EXPECT_GE(r.processing_ms, r.model_ms + r.darken_ms);
}

// A face crop (a FERPlus-like 48x48 image opened in the viewer) is read in its own framing; compare mode's
// dark pass cuts it the same way, so with a darkening that changes nothing the two readings are the same.
TEST(PipelineRunner, CompareModeFramesAFaceCropsDarkPassAsItsClearOne) {
  auto p = std::make_shared<FrameProcessor>(
      std::make_unique<FaceAnalyzer>(AnalyzerOptions{}, test::sharedLandmarker()),
      EmotionModel::load(std::filesystem::path(LLDIF_SOURCE_DIR) / "models/lldif.ckpt"));
  ProcessorSettings s;
  s.compare = true;
  s.lowlight.ev = 0;  // no exposure drop, no cast, no noise: the "dark" frame is the frame
  s.lowlight.cast_g = s.lowlight.cast_b = 1.0;
  s.lowlight.noise = false;
  p->setSettings(s);
  Frame f;
  cv::cvtColor(test::ferLikeFace(test::faceImage("portrait-005.jpg")), f.image, cv::COLOR_GRAY2BGR);
  f.still = true;
  const ProcessedFrame r = p->process(f, false);
  ASSERT_EQ(r.analysis.faces.size(), 1u);
  ASSERT_TRUE(r.analysis.faces[0].own_framing);
  EXPECT_EQ(cv::norm(r.dark, r.raw, cv::NORM_INF), 0.0);
  ASSERT_TRUE(r.emotions[0].has_dark);
  for (int k = 0; k < kNumClasses; ++k)
    EXPECT_NEAR(r.emotions[0].dark.probs[k], r.emotions[0].main.probs[k], 1e-5f) << k;
}

// "Faces from elsewhere": the face found is changed (here covered by sunglasses) before the model reads it,
// and before compare mode darkens the frame; dark room leaves it alone.
TEST(PipelineRunner, APerturbationChangesTheFaceTheModelReadsInClearAndCompareModes) {
  auto p = std::make_shared<FrameProcessor>(
      std::make_unique<FaceAnalyzer>(AnalyzerOptions{}, test::sharedLandmarker()),
      EmotionModel::load(std::filesystem::path(LLDIF_SOURCE_DIR) / "models/lldif.ckpt"));
  Frame f;
  f.image = test::placeOnCanvas(loadImageBgr(test::faceImage("portrait-005.jpg")), {640, 480});
  ProcessorSettings s;
  p->setSettings(s);
  const ProcessedFrame as_is = p->process(f, false);
  s.perturbation = Perturbation::kSunglasses;
  p->setSettings(s);
  const ProcessedFrame covered = p->process(f, false);
  ASSERT_EQ(as_is.analysis.faces.size(), 1u);
  ASSERT_EQ(covered.analysis.faces.size(), 1u);
  EXPECT_FALSE(as_is.perturbed);
  EXPECT_TRUE(covered.perturbed);
  // The bar is in the frame shown and in the crop the model read, over the eyes (crop rows ~14-22).
  const FaceResult& face = covered.analysis.faces[0];
  const cv::Rect region = ferFramingOfBox(face.box);
  const cv::Mat shown = toGray(covered.frame.image)(cv::Rect(
      region.x + region.width / 4, region.y + region.height * 19 / 48, region.width / 2, region.height / 24));
  EXPECT_LT(cv::mean(shown)[0], 25.0);
  EXPECT_LT(cv::mean(face.aligned.crop(cv::Rect(12, 16, 24, 4)))[0], 40.0);
  EXPECT_GT(cv::mean(as_is.analysis.faces[0].aligned.crop(cv::Rect(12, 16, 24, 4)))[0], 40.0);
  float diff = 0;
  for (int k = 0; k < kNumClasses; ++k)
    diff += std::abs(covered.emotions[0].main.probs[k] - as_is.emotions[0].main.probs[k]);
  EXPECT_GT(diff, 1e-3f);
  // Compare: the dark frame is the covered one darkened (its eyes darker still than the face around them).
  s.compare = true;
  s.lowlight = lowLightPreset("ll").typical();
  p->setSettings(s);
  const ProcessedFrame both = p->process(f, false);
  ASSERT_TRUE(both.perturbed);
  const cv::Mat dark = toGray(both.dark);
  const cv::Rect eyes(region.x + region.width / 4, region.y + region.height * 19 / 48, region.width / 2,
                      region.height / 24);
  const cv::Rect cheeks(eyes.x, region.y + region.height * 28 / 48, eyes.width, eyes.height);
  EXPECT_LT(cv::mean(dark(eyes))[0] * 3, cv::mean(dark(cheeks))[0]);
  // Dark room: faces are found on the dark frame; nothing is changed.
  s.compare = false;
  s.darkroom = true;
  p->setSettings(s);
  EXPECT_FALSE(p->process(f, false).perturbed);
}

// The viewer's "Mirror averaging" reaches the model: each face gets the reading of a model loaded with
// flip averaging when the setting asks for it (always; photos only and the frame is a photo), and the
// one-pass reading otherwise (off; photos only and the frame is from a video).
TEST(PipelineRunner, MirrorAveragingFollowsTheSettingsAndTheKindOfFrame) {
  const std::filesystem::path file = std::filesystem::path(LLDIF_SOURCE_DIR) / "models/lldif.ckpt";
  std::shared_ptr<EmotionModel> model = EmotionModel::load(file);
  ModelOptions one_pass;
  one_pass.flip_average = false;
  auto single = EmotionModel::load(file, one_pass);
  auto flipping = EmotionModel::load(file);
  auto p = std::make_shared<FrameProcessor>(
      std::make_unique<FaceAnalyzer>(AnalyzerOptions{}, test::sharedLandmarker()), model);
  Frame f;
  f.image = test::placeOnCanvas(loadImageBgr(test::faceImage("portrait-005.jpg")), {640, 480});
  ProcessorSettings s;
  EXPECT_EQ(s.mirror, MirrorAveraging::kStills) << "photos only by default, as in the viewer";
  struct Case {
    MirrorAveraging mirror;
    bool still;
    bool flips;
  };
  std::vector<std::array<float, kNumClasses>> flipped, unflipped;
  for (const Case c :
       {Case{MirrorAveraging::kOff, true, false}, Case{MirrorAveraging::kStills, true, true},
        Case{MirrorAveraging::kStills, false, false}, Case{MirrorAveraging::kAlways, false, true}}) {
    s.mirror = c.mirror;
    p->setSettings(s);
    f.still = c.still;
    const ProcessedFrame r = p->process(f, false);
    ASSERT_EQ(r.emotions.size(), 1u);
    EXPECT_EQ(model->flipAverage(), c.flips) << static_cast<int>(c.mirror) << " still " << c.still;
    EXPECT_EQ(r.mirrored, c.flips) << "the frame says how it was read";
    const FaceResult& face = r.analysis.faces.at(0);
    const ModelInput in{face.aligned.crop, face.aligned.heatmaps};
    const std::uint64_t seed = static_cast<std::uint64_t>(face.track_id);
    const EmotionPrediction want = (c.flips ? flipping : single)->predict({in}, {seed})[0];
    for (int k = 0; k < kNumClasses; ++k) EXPECT_NEAR(r.emotions[0].main.probs[k], want.probs[k], 1e-5);
    (c.flips ? flipped : unflipped).push_back(r.emotions[0].main.probs);
  }
  float differs = 0;
  for (int k = 0; k < kNumClasses; ++k) differs += std::abs(flipped[0][k] - unflipped[0][k]);
  EXPECT_GT(differs, 1e-5f) << "a face and its mirror image read (slightly) differently";
}

class FailingSource : public FrameSource {
 public:
  ReadStatus read(Frame& out) override {
    if (n_++ < 3) {
      out.image = cv::Mat(120, 160, CV_8UC3, cv::Scalar(40, 40, 40));
      out.index = n_;
      return ReadStatus::kFrame;
    }
    error_ = "camera 9 stopped delivering frames (unplugged)";
    return ReadStatus::kError;
  }
  std::string description() const override { return "failing"; }
  double fps() const override { return 30; }
  bool isLive() const override { return true; }

 private:
  int n_ = 0;
};

TEST(PipelineRunner, AVanishingSourceIsReportedNotFatal) {
  Collector c;
  PipelineRunner runner(std::make_unique<FailingSource>(), processor(), c.callbacks());
  runner.start();
  ASSERT_TRUE(c.waitEnd(std::chrono::seconds(30)));
  runner.stop();
  EXPECT_NE(c.error.find("unplugged"), std::string::npos);
  EXPECT_EQ(runner.stats().captured, 3u);
}

TEST(PipelineRunner, StopReturnsPromptlyOnAnEndlessSource) {
  Collector c;
  PipelineRunner runner(openSource("demo"), processor(), c.callbacks());
  runner.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto t0 = std::chrono::steady_clock::now();
  runner.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_FALSE(runner.running());
}

}  // namespace
}  // namespace lldif
