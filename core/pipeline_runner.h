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

#include "core/face_analyzer.h"
#include "core/frame_source.h"
#include "core/latest_frame_slot.h"
#include "core/lowlight.h"

namespace lldif {

// What the processing thread does to each frame. Settings may be changed from any thread; they apply
// from the next frame on.
struct ProcessorSettings {
  bool darkroom = false;  // darken the clear frame with the low-light model before analysis
  LowLightParams lowlight;
  std::uint64_t seed = 1;  // noise seed (frame index is mixed in, so noise changes per frame)
};

struct ProcessedFrame {
  Frame frame;  // what was analysed (darkened when darkroom is on)
  cv::Mat raw;  // the frame as captured
  FrameAnalysis analysis;
  double darken_ms = 0;
  double latency_ms = 0;  // capture -> result
};

struct RunnerStats {
  std::uint64_t captured = 0;
  std::uint64_t processed = 0;
  std::uint64_t dropped = 0;  // frames overwritten before processing (the pipeline was busy)
  double processing_fps = 0;  // smoothed
};

// Not thread safe itself: one analyzer, used only on the runner's processing thread.
class FrameProcessor {
 public:
  explicit FrameProcessor(std::unique_ptr<FaceAnalyzer> analyzer) : analyzer_(std::move(analyzer)) {}
  ProcessedFrame process(const Frame& frame, bool track = true);
  void setSettings(const ProcessorSettings& s);
  ProcessorSettings settings() const;
  FaceAnalyzer& analyzer() { return *analyzer_; }

 private:
  std::unique_ptr<FaceAnalyzer> analyzer_;
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
  std::atomic<std::uint64_t> captured_{0}, processed_{0};
  std::atomic<double> fps_{0};
};

}  // namespace lldif
