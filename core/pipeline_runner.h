// pipeline_runner.h - runs source -> frame -> faces on two threads of its own and reports results.
//
//   capture thread:    FrameSource::read(), paced to the source's frame rate, -> LatestFrameSlot
//   processing thread: LatestFrameSlot::take() -> FrameProcessor -> on_result callback
//
// The engine knows nothing of any UI: results leave through callbacks, called on the processing
// thread; a UI must hand them to its own thread (Qt: a queued signal).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/emotion_model.h"
#include "core/face_analyzer.h"
#include "core/frame_source.h"
#include "core/latest_frame_slot.h"
#include "core/lowlight.h"
#include "core/perturbation.h"

namespace lldif {

// What the processing thread does to each frame. Settings may be changed from any thread; they apply
// from the next frame on.
//   clear:    faces and emotions on the frame as captured
//   darkroom: the frame is darkened by the low-light model first; faces and emotions on the dark frame
//   compare:  faces on the clear frame; emotions on the clear face AND on the same face cut (with the same
//             landmarks) from the darkened frame: two model passes, the gap is the model's, not dlib's
// A perturbation (blur, JPEG, sunglasses, a mask, ...: faces from elsewhere) changes each face found, in a
// FERPlus-like frame around it (ferFramingOfBox), before the model reads it and before compare mode
// darkens the frame, with the landmarks found on the unchanged face (as `lldif eval --perturb` frames a
// face from the unchanged image). Not in dark-room mode, whose faces are found on the dark frame.
// When a face is also read mirrored and the two readings averaged (ModelOptions::flip_average): more
// accurate, twice the model's rows. kStills: photos and image folders, where time is no object; video
// frames are many views of a face already (the viewer's smoothing averages them) and keep one pass, so
// that the live view keeps up with the camera.
enum class MirrorAveraging { kOff = 0, kStills = 1, kAlways = 2 };

struct ProcessorSettings {
  bool darkroom = false;
  bool compare = false;      // wins over darkroom
  bool camera_dark = false;  // "the camera is already dark": add an enhanced preview for people to see
  bool emotions = true;      // run the model (when one is loaded)
  int noise_seeds = 1;       // K >= 1 noise draws per face: the spread is an uncertainty measure
  MirrorAveraging mirror = MirrorAveraging::kStills;
  Perturbation perturbation = Perturbation::kNone;  // clear and compare modes (above)
  LowLightParams lowlight;
  std::uint64_t seed = 1;  // noise seed (frame index is mixed in, so noise changes per frame)
};

// Emotions of one face (same order as FrameAnalysis::faces).
struct FaceEmotion {
  EmotionPrediction main;  // on what was analysed (clear, or dark in darkroom mode)
  bool has_dark = false;   // compare mode: the same face darkened
  EmotionPrediction dark;
};

struct ProcessedFrame {
  Frame frame;                 // what was analysed (darkened when darkroom is on; faces perturbed)
  cv::Mat raw;                 // the frame as captured
  cv::Mat dark;                // compare mode: the darkened frame (of the perturbed one)
  bool perturbed = false;      // the faces were changed (ProcessorSettings::perturbation)
  cv::Mat preview;             // camera_dark: the enhanced frame to show (the model never sees it)
  ProcessorSettings settings;  // as applied to this frame
  FrameAnalysis analysis;
  std::vector<FaceEmotion> emotions;  // empty when no model ran
  double darken_ms = 0;
  double model_ms = 0;       // all faces, all passes
  bool mirrored = false;     // each face was also read mirrored (ProcessorSettings::mirror)
  double processing_ms = 0;  // darken + faces + model
  double latency_ms = 0;     // capture -> result
};

struct RunnerStats {
  std::uint64_t captured = 0;
  std::uint64_t processed = 0;
  std::uint64_t dropped = 0;  // frames overwritten before processing (the pipeline was busy)
  double processing_fps = 0;  // smoothed
};

// frame -> (darken) -> faces -> emotions. process() is not thread safe (one analyzer and one model, used
// only on the runner's processing thread); setSettings()/settings() may be called from any thread.
class FrameProcessor {
 public:
  // model: may be null (faces only).
  explicit FrameProcessor(std::unique_ptr<FaceAnalyzer> analyzer,
                          std::shared_ptr<EmotionModel> model = nullptr)
      : analyzer_(std::move(analyzer)), model_(std::move(model)) {}
  // track = false: the frame is unrelated to the one before. A still photo (frame.still) is always
  // searched as one (FaceAnalyzer::analyzeStill: full size, weaker boxes kept when there is no other).
  ProcessedFrame process(const Frame& frame, bool track = true);
  void setSettings(const ProcessorSettings& s);
  ProcessorSettings settings() const;
  FaceAnalyzer& analyzer() { return *analyzer_; }
  const EmotionModel* model() const { return model_.get(); }

 private:
  cv::Mat darkFrame(const cv::Mat& image, const ProcessorSettings& s, std::uint64_t index);
  std::unique_ptr<FaceAnalyzer> analyzer_;
  std::shared_ptr<EmotionModel> model_;
  std::unique_ptr<DarkenSampler> sampler_;  // rebuilt when the low-light parameters change
  mutable std::mutex settings_mutex_;
  ProcessorSettings settings_;
};

struct RunnerCallbacks {
  std::function<void(const ProcessedFrame&, const RunnerStats&)> on_result;
  std::function<void(const std::string&)> on_error;  // the source failed (camera unplugged, ...)
  std::function<void()> on_end;                      // the source is exhausted and all frames processed
};

// Thread safe: start/stop from one controlling thread; stats() from any.
class PipelineRunner {
 public:
  PipelineRunner(std::unique_ptr<FrameSource> source, std::shared_ptr<FrameProcessor> processor,
                 RunnerCallbacks callbacks);
  ~PipelineRunner();  // stops and joins

  void start();
  void stop();  // returns when both threads have ended; callbacks are not called afterwards
  bool running() const { return running_; }
  void setPaused(bool paused) { paused_ = paused; }
  void setSpeed(double speed) { speed_ = speed > 0.01 ? speed : 0.01; }
  // Seekable sources (video files, folders): jump to frame/image index before the next read; while
  // paused, the frame there is still delivered (so seeking and next/previous work when paused).
  void requestSeek(std::int64_t index) { seek_to_ = index; }
  void requestStep() { step_ = true; }  // while paused: deliver one more frame
  void setLoop(bool loop) { loop_ = loop ? 1 : 0; }
  std::int64_t position() const { return position_; }  // index of the frame last captured, -1 if none
  std::int64_t frameCount() const { return frame_count_; }
  RunnerStats stats() const;
  const FrameSource& source() const { return *source_; }

 private:
  void captureLoop();
  void processLoop();

  std::unique_ptr<FrameSource> source_;
  std::shared_ptr<FrameProcessor> processor_;
  RunnerCallbacks callbacks_;
  LatestFrameSlot slot_;
  std::thread capture_thread_, process_thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stop_{false};
  std::atomic<bool> paused_{false};
  std::atomic<double> speed_{1.0};
  std::atomic<std::int64_t> seek_to_{-1};
  std::atomic<bool> step_{false};
  std::atomic<int> loop_{-1};  // -1: leave the source as opened
  std::atomic<std::int64_t> position_{-1};
  std::int64_t frame_count_ = 0;
  std::atomic<std::uint64_t> captured_{0}, processed_{0};
  std::atomic<double> fps_{0};
};

}  // namespace lldif
