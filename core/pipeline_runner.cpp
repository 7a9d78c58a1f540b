#include "core/pipeline_runner.h"

#include <chrono>

#include "core/fer_face.h"
#include "core/image_io.h"
#include "core/stopwatch.h"

namespace lldif {

namespace {

ModelInput inputOf(const AlignedFace& a) { return {a.crop, a.heatmaps}; }

}  // namespace

cv::Mat FrameProcessor::darkFrame(const cv::Mat& image, const ProcessorSettings& s, std::uint64_t index) {
  if (!sampler_ || sampler_->params() != s.lowlight) sampler_ = std::make_unique<DarkenSampler>(s.lowlight);
  return sampler_->apply(image, s.seed * 1000003ull + index);
}

ProcessedFrame FrameProcessor::process(const Frame& frame, bool track) {
  const ProcessorSettings s = settings();
  const auto t_start = Clock::now();
  ProcessedFrame out;
  out.settings = s;
  out.raw = frame.image;
  out.frame = frame;
  const auto index = static_cast<std::uint64_t>(frame.index);
  const bool darkroom = s.darkroom && !s.compare;
  if (darkroom) {
    const auto t0 = Clock::now();
    out.frame.image = darkFrame(frame.image, s, index);
    out.darken_ms = msSince(t0);
  }
  if (s.camera_dark) out.preview = enhance(out.frame.image);
  // A still photo (an image, an image folder) is searched as one (FaceAnalyzer::analyzeStill), whatever
  // track says: it is unrelated to the frame before it.
  out.analysis =
      frame.still ? analyzer_->analyzeStill(out.frame.image) : analyzer_->analyze(out.frame.image, track);
  if (s.perturbation != Perturbation::kNone && !darkroom && !out.analysis.faces.empty()) {
    std::vector<cv::Rect> regions;
    for (const FaceResult& f : out.analysis.faces)
      regions.push_back(f.face_crop ? cv::Rect(f.box) : ferFramingOfBox(f.box));
    out.frame.image = perturbFaces(out.frame.image, s.perturbation, regions, s.seed * 1000003ull + index);
    const cv::Mat gray = toGray(out.frame.image);
    for (FaceResult& f : out.analysis.faces) f.aligned = cutSameFace(gray, f, analyzer_->options().align);
    out.perturbed = true;
  }
  if (s.compare) {
    const auto t0 = Clock::now();
    out.dark = darkFrame(out.frame.image, s, index);
    out.darken_ms = msSince(t0);
  }

  if (model_ && s.emotions && !out.analysis.faces.empty()) {
    const auto t0 = Clock::now();
    std::vector<ModelInput> inputs;
    std::vector<std::uint64_t> seeds;
    cv::Mat dark_gray;
    std::vector<AlignedFace> dark_aligned;
    for (const FaceResult& f : out.analysis.faces) {
      inputs.push_back(inputOf(f.aligned));
      seeds.push_back(static_cast<std::uint64_t>(f.track_id));
    }
    if (s.compare) {
      dark_gray = toGray(out.dark);
      for (const FaceResult& f : out.analysis.faces) {
        dark_aligned.push_back(cutSameFace(dark_gray, f, analyzer_->options().align));
        inputs.push_back(inputOf(dark_aligned.back()));
        seeds.push_back(static_cast<std::uint64_t>(f.track_id));  // same noise: only the light differs
      }
    }
    out.mirrored =
        s.mirror == MirrorAveraging::kAlways || (s.mirror == MirrorAveraging::kStills && frame.still);
    model_->setFlipAverage(out.mirrored);  // this thread is the only one that runs the model
    const std::vector<EmotionPrediction> preds = model_->predict(inputs, seeds, std::max(1, s.noise_seeds));
    const std::size_t n = out.analysis.faces.size();
    out.emotions.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      out.emotions[i].main = preds[i];
      if (s.compare) {
        out.emotions[i].has_dark = true;
        out.emotions[i].dark = preds[n + i];
      }
    }
    out.model_ms = msSince(t0);
  }
  out.processing_ms = msSince(t_start);
  return out;
}

void FrameProcessor::setSettings(const ProcessorSettings& s) {
  std::lock_guard<std::mutex> lock(settings_mutex_);
  settings_ = s;
}

ProcessorSettings FrameProcessor::settings() const {
  std::lock_guard<std::mutex> lock(settings_mutex_);
  return settings_;
}

PipelineRunner::PipelineRunner(std::unique_ptr<FrameSource> source, std::shared_ptr<FrameProcessor> processor,
                               RunnerCallbacks callbacks)
    : source_(std::move(source)), processor_(std::move(processor)), callbacks_(std::move(callbacks)) {
  frame_count_ = source_->frameCount();
}

PipelineRunner::~PipelineRunner() { stop(); }

void PipelineRunner::start() {
  if (running_) return;
  stop_ = false;
  running_ = true;
  slot_.reopen();
  process_thread_ = std::thread(&PipelineRunner::processLoop, this);
  capture_thread_ = std::thread(&PipelineRunner::captureLoop, this);
}

void PipelineRunner::stop() {
  stop_ = true;
  slot_.close();
  if (capture_thread_.joinable()) capture_thread_.join();
  if (process_thread_.joinable()) process_thread_.join();
  running_ = false;
}

RunnerStats PipelineRunner::stats() const {
  RunnerStats s;
  s.captured = captured_;
  s.processed = processed_;
  s.dropped = slot_.dropped();
  s.processing_fps = fps_;
  return s;
}

void PipelineRunner::captureLoop() {
  const bool paced = !source_->isLive() && source_->fps() > 0;
  Clock::time_point anchor_wall = Clock::now();
  double anchor_media = -1;
  double anchor_speed = speed_;
  while (!stop_) {
    if (const int l = loop_.exchange(-1); l >= 0) source_->setLoop(l == 1);
    const std::int64_t seek = seek_to_.exchange(-1);
    if (seek >= 0) {
      source_->seek(seek);
      anchor_media = -1;
    }
    const bool one_frame = (seek >= 0 && paused_) || step_.exchange(false);
    if (paused_ && !one_frame) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      anchor_media = -1;  // re-anchor after a pause
      continue;
    }
    Frame frame;
    const std::int64_t pos = source_->position();
    const ReadStatus st = source_->read(frame);
    if (st == ReadStatus::kError) {
      if (callbacks_.on_error && !stop_) callbacks_.on_error(source_->error());
      break;
    }
    if (st == ReadStatus::kEnd) break;
    position_ = pos;
    if (paced && !one_frame) {
      // Present the frame at its media time (scaled by speed) relative to the first one.
      if (anchor_media < 0 || frame.timestamp_s < anchor_media || anchor_speed != speed_) {
        anchor_media = frame.timestamp_s;
        anchor_wall = Clock::now();
        anchor_speed = speed_;
      }
      const auto due =
          anchor_wall + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>((frame.timestamp_s - anchor_media) / anchor_speed));
      while (!stop_ && Clock::now() < due) {
        std::this_thread::sleep_until(std::min(due, Clock::now() + std::chrono::milliseconds(50)));
      }
    }
    frame.captured_at = Clock::now();
    ++captured_;
    slot_.put(std::move(frame));
    if (source_->fps() <= 0) break;  // a still image: one frame
  }
  slot_.close();
}

void PipelineRunner::processLoop() {
  Clock::time_point last = Clock::now();
  bool first = true;
  while (true) {
    std::optional<Frame> frame = slot_.take(std::chrono::milliseconds(100));
    if (!frame) {
      if (slot_.closed()) break;
      continue;
    }
    if (stop_) break;
    ProcessedFrame result = processor_->process(*frame);
    const auto t1 = Clock::now();
    result.latency_ms = std::chrono::duration<double, std::milli>(t1 - frame->captured_at).count();
    ++processed_;
    const double dt = std::chrono::duration<double>(t1 - last).count();
    last = t1;
    if (!first && dt > 0) fps_ = fps_ == 0 ? 1.0 / dt : 0.9 * fps_ + 0.1 / dt;
    first = false;
    if (callbacks_.on_result && !stop_) callbacks_.on_result(result, stats());
  }
  if (callbacks_.on_end && !stop_) callbacks_.on_end();
}

}  // namespace lldif
