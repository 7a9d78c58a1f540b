#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>

#include "core/lowlight.h"
#include "ui/image_convert.h"
#include "ui/video_view.h"

namespace lldif::ui {

MainWindow::MainWindow(std::shared_ptr<FrameProcessor> processor, const MainWindowOptions& options,
                       QWidget* parent)
    : QMainWindow(parent),
      view_(new VideoView(this)),
      session_(new ViewerSession(std::move(processor), this)),
      options_(options),
      status_source_(new QLabel(this)),
      status_perf_(new QLabel(this)),
      status_dropped_(new QLabel(this)) {
  setWindowTitle(tr("LLDif Viewer"));
  setCentralWidget(view_);
  setAcceptDrops(true);
  statusBar()->addWidget(status_source_, 1);
  statusBar()->addPermanentWidget(status_perf_);
  statusBar()->addPermanentWidget(status_dropped_);
  buildMenus();
  connect(session_, &ViewerSession::frameProcessed, this, &MainWindow::onFrame);
  connect(session_, &ViewerSession::failed, this, &MainWindow::onFailed);
  connect(session_, &ViewerSession::ended, this, &MainWindow::onEnded);
  view_->clear(tr("Open a camera, a video, an image or a folder (File menu), or drop a file here."));
  resize(1000, 760);
}

MainWindow::~MainWindow() { session_->close(); }

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open_file = file->addAction(tr("&Open File..."), this, [this] {
    const QString f =
        QFileDialog::getOpenFileName(this, tr("Open image or video"), QDir::homePath(),
                                     tr("Images and videos (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp "
                                        "*.mp4 *.avi *.mkv *.mov *.webm);;All files (*)"));
    if (!f.isEmpty()) openSource(f);
  });
  open_file->setShortcut(QKeySequence::Open);
  file->addAction(tr("Open &Folder..."), this,
                  [this] {
                    const QString d = QFileDialog::getExistingDirectory(this, tr("Open folder of images"),
                                                                        QDir::homePath());
                    if (!d.isEmpty()) openSource(d);
                  })
      ->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
  QMenu* cameras = file->addMenu(tr("&Camera"));
  for (int i = 0; i < 4; ++i) {
    cameras->addAction(tr("Camera %1").arg(i), this,
                       [this, i] { openSource(QStringLiteral("camera:%1").arg(i)); });
  }
  file->addAction(tr("&Demo"), this, [this] { openSource(QStringLiteral("demo")); });
  file->addSeparator();
  file->addAction(tr("Save &Screenshot..."), this,
                  [this] {
                    const QString f = QFileDialog::getSaveFileName(this, tr("Save screenshot"),
                                                                   QDir::homePath() + "/lldif.png",
                                                                   tr("PNG images (*.png)"));
                    if (!f.isEmpty()) saveScreenshot(f);
                  })
      ->setShortcut(QKeySequence(tr("Ctrl+S")));
  file->addSeparator();
  file->addAction(tr("&Quit"), qApp, &QApplication::quit)->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  QAction* lm = view->addAction(tr("Show &Landmarks"));
  lm->setCheckable(true);
  lm->setChecked(true);
  lm->setShortcut(QKeySequence(tr("L")));
  connect(lm, &QAction::toggled, view_, &VideoView::setShowLandmarks);

  QToolBar* tb = addToolBar(tr("Controls"));
  tb->setObjectName("controls");
  pause_action_ = tb->addAction(tr("Pause"));
  pause_action_->setCheckable(true);
  pause_action_->setShortcut(QKeySequence(Qt::Key_Space));
  connect(pause_action_, &QAction::toggled, session_, &ViewerSession::setPaused);
  tb->addSeparator();
  darkroom_action_ = tb->addAction(tr("Dark room"));
  darkroom_action_->setCheckable(true);
  darkroom_action_->setShortcut(QKeySequence(tr("D")));
  darkroom_action_->setToolTip(tr("Darken the clear feed with the physical low-light sensor model"));
  level_combo_ = new QComboBox(this);
  for (const auto& name : lowLightPresetNames()) level_combo_->addItem(QString::fromStdString(name));
  tb->addWidget(level_combo_);
  connect(darkroom_action_, &QAction::toggled, this, &MainWindow::applyDarkroom);
  connect(level_combo_, &QComboBox::currentIndexChanged, this, &MainWindow::applyDarkroom);
  view->addAction(darkroom_action_);
}

void MainWindow::applyDarkroom() {
  ProcessorSettings s = session_->processor().settings();
  s.darkroom = darkroom_action_->isChecked();
  s.lowlight = lowLightPreset(level_combo_->currentText().toStdString()).typical();
  session_->processor().setSettings(s);
}

bool MainWindow::openSource(const QString& spec) {
  frames_shown_ = 0;
  if (!session_->open(spec)) return false;
  status_source_->setText(session_->sourceDescription());
  view_->clear(tr("Opening %1 ...").arg(session_->sourceDescription()));
  return true;
}

void MainWindow::onFrame(ProcessedFramePtr frame, RunnerStats stats) {
  view_->setFrame(toQImage(frame->frame.image), frame->analysis.faces);
  ++frames_shown_;
  const StageTimes& t = frame->analysis.times;
  status_perf_->setText(
      tr("%1 face(s)  |  %2 fps  |  latency %3 ms (detect %4, landmarks %5, align %6)%7  |  CPU")
          .arg(frame->analysis.faces.size())
          .arg(stats.processing_fps, 0, 'f', 1)
          .arg(frame->latency_ms, 0, 'f', 1)
          .arg(t.detect_ms, 0, 'f', 1)
          .arg(t.landmarks_ms, 0, 'f', 1)
          .arg(t.align_ms, 0, 'f', 1)
          .arg(frame->analysis.enhanced ? tr(", enhanced") : QString()));
  status_dropped_->setText(tr("dropped %1 of %2").arg(stats.dropped).arg(stats.captured));
  emit frameShown(frames_shown_);
  if (!options_.screenshot_path.isEmpty() && !screenshot_done_ &&
      frames_shown_ >= options_.quit_after_frames) {
    screenshot_done_ = true;
    // Let this frame paint first.
    QTimer::singleShot(50, this, [this] {
      const bool ok = saveScreenshot(options_.screenshot_path);
      QApplication::exit(ok ? 0 : 1);
    });
  } else if (options_.screenshot_path.isEmpty() && options_.quit_after_frames > 0 &&
             frames_shown_ >= options_.quit_after_frames) {
    QApplication::exit(0);
  }
}

bool MainWindow::saveScreenshot(const QString& path) {
  const QPixmap shot = grab();
  if (!shot.save(path)) {
    showError(tr("Could not save the screenshot to %1").arg(path));
    return false;
  }
  statusBar()->showMessage(tr("Screenshot saved to %1").arg(path), 4000);
  return true;
}

void MainWindow::onFailed(const QString& message) { showError(message); }

void MainWindow::onEnded() {
  if (frames_shown_ == 0) view_->clear(tr("%1 delivered no frames.").arg(session_->sourceDescription()));
  statusBar()->showMessage(tr("End of %1").arg(session_->sourceDescription()), 5000);
  // A still image or a finished video: if an automated screenshot is pending, take it now.
  if (!options_.screenshot_path.isEmpty() && !screenshot_done_ && frames_shown_ > 0) {
    screenshot_done_ = true;
    QTimer::singleShot(50, this,
                       [this] { QApplication::exit(saveScreenshot(options_.screenshot_path) ? 0 : 1); });
  }
}

void MainWindow::showError(const QString& message) {
  last_error_ = message;
  statusBar()->showMessage(message, 8000);
  auto* box = new QMessageBox(QMessageBox::Warning, tr("LLDif Viewer"), message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();  // non-blocking: the pipeline keeps running
  emit errorShown(message);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (!urls.isEmpty() && urls.first().isLocalFile()) openSource(urls.first().toLocalFile());
}

}  // namespace lldif::ui
