#include "ui/viewer_session.h"

#include <QMetaObject>
#include <QPointer>

namespace lldif::ui {

ViewerSession::ViewerSession(std::shared_ptr<FrameProcessor> processor, QObject* parent)
    : QObject(parent), processor_(std::move(processor)) {
  qRegisterMetaType<ProcessedFramePtr>();
  qRegisterMetaType<lldif::RunnerStats>();
}

ViewerSession::~ViewerSession() { close(); }

bool ViewerSession::open(const QString& spec) {
  std::unique_ptr<FrameSource> source;
  try {
    source = openSource(spec.toStdString());
  } catch (const std::exception& e) {
    emit failed(QString::fromStdString(e.what()));
    return false;
  }
  close();
  processor_->analyzer().resetTracking();
  description_ = QString::fromStdString(source->description());

  // Callbacks run on the engine's threads: hand everything to the UI thread through queued calls.
  QPointer<ViewerSession> self(this);
  RunnerCallbacks cb;
  // The newest result wins here too: if the UI thread has not yet taken the previous one, it is replaced
  // (and counted), so a slow UI never builds a queue of old frames.
  cb.on_result = [this, self](const ProcessedFrame& f, const RunnerStats& s) {
    auto frame = std::make_shared<const ProcessedFrame>(f);
    bool post = false;
    {
      std::lock_guard<std::mutex> lock(handoff_mutex_);
      if (pending_) ++ui_dropped_;
      pending_ = frame;
      pending_stats_ = s;
      post = !posted_;
      posted_ = true;
    }
    if (!post) return;
    QMetaObject::invokeMethod(
        self.data(),
        [self] {
          if (self) self->deliverPending();
        },
        Qt::QueuedConnection);
  };
  cb.on_error = [self](const std::string& msg) {
    const QString m = QString::fromStdString(msg);
    QMetaObject::invokeMethod(
        self.data(),
        [self, m] {
          if (self) emit self->failed(m);
        },
        Qt::QueuedConnection);
  };
  cb.on_end = [self] {
    QMetaObject::invokeMethod(
        self.data(),
        [self] {
          if (!self) return;
          self->ended_ = true;
          emit self->ended();
        },
        Qt::QueuedConnection);
  };
  runner_ = std::make_unique<PipelineRunner>(std::move(source), processor_, std::move(cb));
  runner_->setPaused(paused_);
  runner_->setLoop(loop_);
  runner_->setSpeed(speed_);
  runner_->start();
  spec_ = spec;
  ended_ = false;
  return true;
}

void ViewerSession::deliverPending() {
  ProcessedFramePtr frame;
  RunnerStats stats;
  {
    std::lock_guard<std::mutex> lock(handoff_mutex_);
    frame = std::move(pending_);
    pending_.reset();
    stats = pending_stats_;
    stats.dropped += ui_dropped_;
    posted_ = false;
  }
  if (frame) emit frameProcessed(frame, stats);
}

void ViewerSession::close() {
  if (runner_) runner_->stop();
  runner_.reset();
  std::lock_guard<std::mutex> lock(handoff_mutex_);
  pending_.reset();
  ui_dropped_ = 0;
}

void ViewerSession::seek(std::int64_t index) {
  if (!runner_ || index < 0 || runner_->frameCount() <= 0) return;
  if (ended_ && !open(spec_)) return;  // the source ended: open it again, then seek
  runner_->requestSeek(std::min<std::int64_t>(index, std::max<std::int64_t>(0, runner_->frameCount() - 1)));
}

void ViewerSession::step(int delta) {
  if (!runner_) return;
  if (delta == 1) {
    runner_->requestStep();
    return;
  }
  const std::int64_t pos = runner_->position();
  if (pos >= 0) seek(std::max<std::int64_t>(0, pos + delta));
}

void ViewerSession::setLoop(bool loop) {
  loop_ = loop;
  if (runner_) runner_->setLoop(loop);
}

void ViewerSession::setSpeed(double speed) {
  speed_ = speed;
  if (runner_) runner_->setSpeed(speed);
}

std::int64_t ViewerSession::position() const { return runner_ ? runner_->position() : -1; }
double ViewerSession::sourceFps() const { return runner_ ? runner_->source().fps() : 0.0; }
std::int64_t ViewerSession::frameCount() const { return runner_ ? runner_->frameCount() : 0; }

void ViewerSession::setPaused(bool paused) {
  paused_ = paused;
  if (runner_) runner_->setPaused(paused);
}

RunnerStats ViewerSession::stats() const { return runner_ ? runner_->stats() : RunnerStats{}; }

}  // namespace lldif::ui
