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
  cb.on_result = [self](const ProcessedFrame& f, const RunnerStats& s) {
    auto frame = std::make_shared<const ProcessedFrame>(f);
    QMetaObject::invokeMethod(
        self.data(),
        [self, frame, s] {
          if (self) emit self->frameProcessed(frame, s);
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
          if (self) emit self->ended();
        },
        Qt::QueuedConnection);
  };
  runner_ = std::make_unique<PipelineRunner>(std::move(source), processor_, std::move(cb));
  runner_->setPaused(paused_);
  runner_->start();
  return true;
}

void ViewerSession::close() {
  if (runner_) runner_->stop();
  runner_.reset();
}

void ViewerSession::setPaused(bool paused) {
  paused_ = paused;
  if (runner_) runner_->setPaused(paused);
}

RunnerStats ViewerSession::stats() const { return runner_ ? runner_->stats() : RunnerStats{}; }

}  // namespace lldif::ui
