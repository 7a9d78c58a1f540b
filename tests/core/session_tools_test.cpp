// The viewer's session helpers in core: smoothing, histograms, the results log and the video recorder.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/videoio.hpp>

#include "core/confidence_histogram.h"
#include "core/emotion_smoother.h"
#include "core/results_log.h"
#include "core/video_recorder.h"
#include "test_support.h"

using namespace lldif;

TEST(EmotionSmoother, MovesTowardsNewFramesAndForgetsStaleTracks) {
  EmotionSmoother s(0.5, 1.0);
  Probs a{}, b{};
  a[0] = 1;
  b[1] = 1;
  EXPECT_EQ(s.update(7, a, 0.0), a);  // first sample: as is
  const Probs m = s.update(7, b, 0.1);
  EXPECT_FLOAT_EQ(m[0], 0.5f);
  EXPECT_FLOAT_EQ(m[1], 0.5f);
  EXPECT_EQ(s.update(7, b, 5.0), b);  // unseen for too long: starts again
  s.setAlpha(1.0);                    // off
  EXPECT_EQ(s.update(7, a, 5.1), a);
  s.update(8, a, 5.2);
  EXPECT_EQ(s.tracks(), 2u);
  s.update(9, a, 10.0);
  EXPECT_EQ(s.tracks(), 1u);
}

TEST(ConfidenceHistogram, CountsBinsAndMean) {
  ConfidenceHistogram h(10);
  for (double c : {0.05, 0.15, 0.95, 1.0, 1.7, -0.2}) h.add(c);
  EXPECT_EQ(h.total(), 6);
  EXPECT_EQ(h.counts()[0], 2);  // 0.05 and the clamped -0.2
  EXPECT_EQ(h.counts()[9], 3);  // 0.95, 1.0 and the clamped 1.7
  EXPECT_NEAR(h.mean(), (0.05 + 0.15 + 0.95 + 1 + 1 + 0) / 6, 1e-12);
  double sum = 0;
  for (double v : h.shares()) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-12);
  h.reset();
  EXPECT_EQ(h.total(), 0);
  EXPECT_THROW(ConfidenceHistogram(0), std::invalid_argument);
}

namespace {
ProcessedFrame fakeResult(bool compare) {
  ProcessedFrame f;
  f.frame.timestamp_s = 1.5;
  f.frame.index = 45;
  f.settings.compare = compare;
  FaceResult face;
  face.track_id = 3;
  face.box = cv::Rect2f(10, 20, 100, 120);
  f.analysis.faces.push_back(face);
  FaceEmotion e;
  e.main.probs = {0.1f, 0.6f, 0.1f, 0.05f, 0.05f, 0.04f, 0.03f, 0.03f};
  e.main.top = 1;
  e.has_dark = compare;
  e.dark.probs = {0.3f, 0.4f, 0.1f, 0.05f, 0.05f, 0.04f, 0.03f, 0.03f};
  e.dark.top = 1;
  f.emotions.push_back(e);
  return f;
}
}  // namespace

TEST(ResultsLog, WritesValidCsvAndJsonAtomicallyAndNeverSilentlyOverwrites) {
  ResultsLog log;
  EXPECT_EQ(log.add(fakeResult(true)), 1);
  EXPECT_EQ(log.add(fakeResult(false)), 1);
  test::TempDir dir;
  log.writeJson(dir / "r.json");
  log.writeCsv(dir / "r.csv");
  std::ifstream in(dir / "r.json");
  const auto j = nlohmann::json::parse(in);
  ASSERT_EQ(j["rows"].size(), 2u);
  EXPECT_EQ(j["rows"][0]["track_id"], 3);
  EXPECT_EQ(j["rows"][0]["emotion"], "happiness");
  EXPECT_NEAR(j["rows"][0]["clear_confidence"].get<double>(), 0.6, 1e-6);
  EXPECT_NEAR(j["rows"][0]["dark_confidence"].get<double>(), 0.4, 1e-6);
  EXPECT_TRUE(j["rows"][1]["dark_confidence"].is_null());
  std::ifstream csv(dir / "r.csv");
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  EXPECT_EQ(std::count(header.begin(), header.end(), ','), std::count(row.begin(), row.end(), ','));
  EXPECT_NE(row.find("compare,3,10,20,100,120,happiness"), std::string::npos);
  EXPECT_THROW(log.writeCsv(dir / "r.csv"), FileExistsError);
  EXPECT_NO_THROW(log.writeCsv(dir / "r.csv", true));
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().string().find(".part"), std::string::npos) << e.path();
  EXPECT_THROW(log.writeCsv(dir / "no/such/folder/r.csv"), std::runtime_error);
}

TEST(VideoRecorder, WritesAPlayableVideoUnderItsFinalNameOnlyWhenClosed) {
  test::TempDir dir;
  VideoRecorder rec;
  rec.open(dir / "out.mp4", 25, {321, 240});
  cv::Mat frame(240, 321, CV_8UC3, cv::Scalar(30, 120, 200));
  for (int i = 0; i < 10; ++i) rec.write(frame);
  EXPECT_FALSE(std::filesystem::exists(dir / "out.mp4"));
  EXPECT_EQ(rec.close(), 10);
  cv::VideoCapture cap((dir / "out.mp4").string());
  ASSERT_TRUE(cap.isOpened());
  cv::Mat back;
  ASSERT_TRUE(cap.read(back));
  EXPECT_EQ(back.cols, 320);  // even width for the encoder
  EXPECT_NEAR(cv::mean(back)[2], 200, 12);
  EXPECT_THROW(rec.open(dir / "out.mp4", 25, {320, 240}), FileExistsError);
  EXPECT_THROW(rec.open(dir / "out.gif", 25, {320, 240}), std::runtime_error);
}
