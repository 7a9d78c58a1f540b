// viewer_session.h - the bridge between the engine's pipeline threads and the Qt UI thread.
#pragma once

#include <QObject>
#include <QString>
#include <memory>
#include <mutex>

#include "core/pipeline_runner.h"

namespace lldif::ui {

using ProcessedFramePtr = std::shared_ptr<const ProcessedFrame>;

// Owns the PipelineRunner of the current source. Results arrive on the engine's processing thread and are
// re-emitted on this object's (the UI) thread through queued signals; the UI thread never runs the pipeline.
// UI thread only (create, open, close).
class ViewerSession : public QObject {
  Q_OBJECT
 public:
  // processor: shared by successive sources (it holds the loaded landmark model).
  explicit ViewerSession(std::shared_ptr<FrameProcessor> processor, QObject* parent = nullptr);
  ~ViewerSession() override;

  // Opens a source ("demo", "camera:N", file or folder) and starts processing. On failure emits
  // failed() with the reason and returns false; the previous source keeps running.
  bool open(const QString& spec);
  void close();
  void setPaused(bool paused);
  bool paused() const { return paused_; }

  // Video files and folders: seek to a frame / image index; step(+1 / -1) = next / previous frame or image
  // (works while paused); loop at the end; playback speed.
  void seek(std::int64_t index);
  void step(int delta);
  void setLoop(bool loop);
  void setSpeed(double speed);
  std::int64_t position() const;    // index of the frame last captured (-1: none or not seekable)
  std::int64_t frameCount() const;  // 0: not seekable (camera, demo, still image)
  double sourceFps() const;         // the source's frame rate; 0 for a still image or no source

  QString sourceDescription() const { return description_; }
  QString sourceSpec() const { return spec_; }
  RunnerStats stats() const;
  FrameProcessor& processor() { return *processor_; }

 signals:
  void frameProcessed(lldif::ui::ProcessedFramePtr frame, lldif::RunnerStats stats);
  void failed(const QString& message);  // could not open, or the source broke mid-stream
  void ended();                         // source exhausted (video end, still image shown)

 private:
  void deliverPending();

  std::shared_ptr<FrameProcessor> processor_;
  std::unique_ptr<PipelineRunner> runner_;
  QString description_, spec_;
  bool paused_ = false;
  bool loop_ = false;
  bool ended_ = false;
  double speed_ = 1.0;
  // Hand-off of the newest result from the processing thread to the UI thread.
  std::mutex handoff_mutex_;
  ProcessedFramePtr pending_;
  RunnerStats pending_stats_;
  bool posted_ = false;
  std::uint64_t ui_dropped_ = 0;
};

}  // namespace lldif::ui

Q_DECLARE_METATYPE(lldif::ui::ProcessedFramePtr)
Q_DECLARE_METATYPE(lldif::RunnerStats)
