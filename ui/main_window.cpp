#include "ui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScrollArea>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <algorithm>
#include <cmath>
#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "core/lowlight.h"
#include "ui/face_panel.h"
#include "ui/histogram_panel.h"
#include "ui/image_convert.h"
#include "ui/light_panel.h"
#include "ui/tsne_panel.h"
#include "ui/video_view.h"

namespace lldif::ui {

namespace {

ProbArray toArray(const std::array<float, kNumClasses>& a) { return a; }

cv::Mat toBgr(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
  cv::Mat m(rgb.height(), rgb.width(), CV_8UC3, const_cast<uchar*>(rgb.constBits()),
            static_cast<std::size_t>(rgb.bytesPerLine()));
  cv::Mat bgr;
  cv::cvtColor(m, bgr, cv::COLOR_RGB2BGR);
  return bgr;
}

}  // namespace

MainWindow::MainWindow(std::shared_ptr<FrameProcessor> processor, const MainWindowOptions& options,
                       QWidget* parent)
    : QMainWindow(parent),
      view_(new VideoView(this)),
      session_(new ViewerSession(std::move(processor), this)),
      options_(options),
      status_source_(new QLabel(this)),
      status_perf_(new QLabel(this)),
      status_dropped_(new QLabel(this)),
      status_device_(new QLabel(this)),
      status_rec_(new QLabel(this)) {
  setWindowTitle(tr("LLDif Viewer"));
  setCentralWidget(view_);
  setAcceptDrops(true);
  statusBar()->addWidget(status_source_, 1);
  statusBar()->addPermanentWidget(status_rec_);
  statusBar()->addPermanentWidget(status_perf_);
  statusBar()->addPermanentWidget(status_dropped_);
  statusBar()->addPermanentWidget(status_device_);
  const EmotionModel* model = session_->processor().model();
  device_ = model ? QString::fromStdString(model->info().device) : tr("no model");
  status_device_->setText(model ? tr("model on %1").arg(device_) : tr("no model: faces only"));
  if (model && !model->info().trained) status_device_->setText(tr("UNTRAINED model on %1").arg(device_));
  buildDocks();
  buildMenus();
  connect(session_, &ViewerSession::frameProcessed, this, &MainWindow::onFrame);
  connect(session_, &ViewerSession::failed, this, &MainWindow::onFailed);
  connect(session_, &ViewerSession::ended, this, &MainWindow::onEnded);
  connect(view_, &VideoView::faceClicked, face_panel_, &FacePanel::select);
  connect(view_, &VideoView::faceClicked, view_, &VideoView::setSelectedTrack);
  view_->clear(tr("Open a camera, a video, an image or a folder (File menu), or drop a file here."));
  resize(1600, 920);

  if (options_.use_settings) {
    QSettings s;
    restoreGeometry(s.value("window/geometry").toByteArray());
    restoreState(s.value("window/state").toByteArray());
    last_dir_ = s.value("window/last_dir", QDir::homePath()).toString();
    light_panel_->loadSettings();
  } else {
    last_dir_ = QDir::homePath();
  }
  if (options_.mode == "darkroom") light_panel_->setMode(ViewMode::kDarkroom);
  if (options_.mode == "compare") light_panel_->setMode(ViewMode::kCompare);
  if (options_.mode == "clear") light_panel_->setMode(ViewMode::kClear);
  if (!options_.level.isEmpty()) light_panel_->setPreset(options_.level);
  if (!options_.faces.isEmpty())
    light_panel_->setPerturbation(perturbationFromName(options_.faces.toStdString()));
  if (options_.tab == "histograms") tabs_->setCurrentWidget(histogram_panel_);
  if (options_.tab == "tsne") tabs_->setCurrentWidget(tsne_panel_);
  applyLight();
  if (!options_.model_error.isEmpty())
    QTimer::singleShot(0, this, [this] { showError(options_.model_error); });
}

MainWindow::~MainWindow() {
  session_->close();
  try {
    recorder_.close();
  } catch (...) {
  }
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (options_.use_settings) {
    QSettings s;
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
    s.setValue("window/last_dir", last_dir_);
    s.setValue("view/landmarks", view_->showLandmarks());
    light_panel_->saveSettings();
  }
  stopRecording();
  session_->close();
  QMainWindow::closeEvent(event);
}

void MainWindow::buildDocks() {
  light_panel_ = new LightPanel(this);
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(light_panel_);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(light_panel_->minimumSizeHint().width() + 24);  // no clipped controls
  auto* light_dock = new QDockWidget(tr("Light"), this);
  light_dock->setObjectName("light_dock");
  light_dock->setWidget(scroll);
  addDockWidget(Qt::LeftDockWidgetArea, light_dock);
  connect(light_panel_, &LightPanel::changed, this, &MainWindow::applyLight);

  tabs_ = new QTabWidget(this);
  face_panel_ = new FacePanel(tabs_);
  histogram_panel_ = new HistogramPanel(tabs_);
  tsne_panel_ = new TsnePanel(tabs_);
  tabs_->addTab(face_panel_, tr("Face"));
  tabs_->addTab(histogram_panel_, tr("Histograms"));
  tabs_->addTab(tsne_panel_, tr("t-SNE"));
  tabs_->setMinimumWidth(420);
  auto* dock = new QDockWidget(tr("Analysis"), this);
  dock->setObjectName("analysis_dock");
  dock->setWidget(tabs_);
  addDockWidget(Qt::RightDockWidgetArea, dock);
  resizeDocks({light_dock, dock}, {370, 430}, Qt::Horizontal);  // most of the width for the video

  // The shipped reference trajectories for the t-SNE (optional).
  const auto ref = defaultReferenceTrajectoriesPath();
  if (!ref.empty()) {
    try {
      tsne_panel_->setReference(loadTrajectorySet(ref));
    } catch (const std::exception& e) {
      statusBar()->showMessage(tr("t-SNE reference set not loaded: %1").arg(e.what()), 8000);
    }
  }
}

void MainWindow::fillCameraMenu(QMenu* menu) {
  menu->clear();
  int found = 0;
  for (int i = 0; i < 16; ++i) {
    if (!std::filesystem::exists("/dev/video" + std::to_string(i))) continue;
    ++found;
    menu->addAction(tr("Camera %1 (/dev/video%1)").arg(i), this,
                    [this, i] { openSource(QStringLiteral("camera:%1").arg(i)); });
  }
  if (!found) menu->addAction(tr("No camera found"))->setEnabled(false);
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open_file = file->addAction(tr("&Open File..."), this, [this] {
    const QString f =
        QFileDialog::getOpenFileName(this, tr("Open image or video"), last_dir_,
                                     tr("Images and videos (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp "
                                        "*.mp4 *.avi *.mkv *.mov *.webm);;All files (*)"));
    if (!f.isEmpty()) openSource(f);
  });
  open_file->setShortcut(QKeySequence::Open);
  QAction* open_folder = file->addAction(tr("Open &Folder..."), this, [this] {
    const QString d = QFileDialog::getExistingDirectory(this, tr("Open folder of images"), last_dir_);
    if (!d.isEmpty()) openSource(d);
  });
  open_folder->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
  QMenu* cameras = file->addMenu(tr("&Camera"));
  connect(cameras, &QMenu::aboutToShow, this, [this, cameras] { fillCameraMenu(cameras); });
  fillCameraMenu(cameras);
  QAction* demo = file->addAction(tr("&Demo"), this, [this] { openSource(QStringLiteral("demo")); });
  demo->setShortcut(QKeySequence(tr("Ctrl+D")));
  file->addSeparator();
  file->addAction(tr("Save &Screenshot..."), this,
                  [this] {
                    bool ow = false;
                    const QString f = askSavePath(tr("Save screenshot"), "lldif-screenshot.png",
                                                  tr("PNG images (*.png)"), &ow);
                    if (!f.isEmpty()) saveScreenshot(f);
                  })
      ->setShortcut(QKeySequence(tr("Ctrl+S")));
  record_action_ = file->addAction(tr("&Record Annotated Video..."));
  record_action_->setCheckable(true);
  record_action_->setShortcut(QKeySequence(tr("Ctrl+R")));
  connect(record_action_, &QAction::triggered, this, [this](bool on) {
    if (!on) {
      stopRecording();
      return;
    }
    bool ow = false;
    const QString f =
        askSavePath(tr("Record annotated video"), "lldif-recording.mp4", tr("Videos (*.mp4 *.avi)"), &ow);
    if (f.isEmpty() || !startRecording(f, ow)) record_action_->setChecked(false);
  });
  QAction* export_results = file->addAction(tr("&Export Results (CSV or JSON)..."), this, [this] {
    bool ow = false;
    const QString f = askSavePath(tr("Export per-frame results"), "lldif-results.csv",
                                  tr("CSV (*.csv);;JSON (*.json)"), &ow);
    if (!f.isEmpty()) exportResults(f, ow);
  });
  export_results->setShortcut(QKeySequence(tr("Ctrl+E")));
  file->addAction(tr("Clear Logged Results"), this, [this] {
    results_.clear();
    statusBar()->showMessage(tr("Logged results cleared"), 3000);
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), this, &QWidget::close)->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  QAction* lm = view->addAction(tr("Show &Landmarks"));
  lm->setCheckable(true);
  lm->setChecked(options_.use_settings ? QSettings().value("view/landmarks", true).toBool() : true);
  view_->setShowLandmarks(lm->isChecked());
  lm->setShortcut(QKeySequence(tr("L")));
  connect(lm, &QAction::toggled, view_, &VideoView::setShowLandmarks);
  QAction* bars = view->addAction(tr("Show Probability &Bars"));
  bars->setCheckable(true);
  bars->setChecked(true);
  bars->setShortcut(QKeySequence(tr("B")));
  connect(bars, &QAction::toggled, view_, &VideoView::setShowBars);
  view->addSeparator();
  auto* modes = new QActionGroup(this);
  const QStringList names = {tr("&Clear"), tr("&Dark Room"), tr("C&ompare Clear vs Dark")};
  const QStringList keys = {"1", "2", "3"};
  for (int i = 0; i < 3; ++i) {
    mode_actions_[i] = view->addAction(names[i]);
    mode_actions_[i]->setCheckable(true);
    mode_actions_[i]->setShortcut(QKeySequence(keys[i]));
    modes->addAction(mode_actions_[i]);
    connect(mode_actions_[i], &QAction::triggered, this,
            [this, i] { light_panel_->setMode(static_cast<ViewMode>(i)); });
  }
  QAction* dark_toggle = view->addAction(tr("Toggle Dark Room"));
  dark_toggle->setShortcut(QKeySequence(tr("D")));
  connect(dark_toggle, &QAction::triggered, this, [this] {
    light_panel_->setMode(light_panel_->mode() == ViewMode::kDarkroom ? ViewMode::kClear
                                                                      : ViewMode::kDarkroom);
  });
  QAction* ll = view->addAction(tr("Preset &ll"), this, [this] { light_panel_->setPreset("ll"); });
  ll->setShortcut(QKeySequence(tr("Ctrl+1")));
  QAction* xll = view->addAction(tr("Preset &xll"), this, [this] { light_panel_->setPreset("xll"); });
  xll->setShortcut(QKeySequence(tr("Ctrl+2")));

  QMenu* play = menuBar()->addMenu(tr("&Playback"));
  pause_action_ = play->addAction(tr("&Pause"));
  pause_action_->setCheckable(true);
  pause_action_->setShortcut(QKeySequence(Qt::Key_Space));
  connect(pause_action_, &QAction::toggled, session_, &ViewerSession::setPaused);
  QAction* next = play->addAction(tr("&Next Frame / Image"), this, [this] { session_->step(+1); });
  next->setShortcut(QKeySequence(Qt::Key_Right));
  QAction* prev = play->addAction(tr("P&revious Frame / Image"), this, [this] { session_->step(-1); });
  prev->setShortcut(QKeySequence(Qt::Key_Left));
  loop_action_ = play->addAction(tr("&Loop"));
  loop_action_->setCheckable(true);
  loop_action_->setShortcut(QKeySequence(tr("Ctrl+L")));
  connect(loop_action_, &QAction::toggled, session_, &ViewerSession::setLoop);

  QMenu* analysis = menuBar()->addMenu(tr("&Analysis"));
  analysis->addAction(tr("&Refresh t-SNE"), tsne_panel_, &TsnePanel::refresh)
      ->setShortcut(QKeySequence(tr("T")));
  analysis->addAction(tr("Export t-SNE as PNG..."), this, [this] {
    bool ow = false;
    const QString f = askSavePath(tr("Export t-SNE"), "lldif-tsne.png", tr("PNG images (*.png)"), &ow);
    if (!f.isEmpty() && !tsne_panel_->exportPng(f))
      showError(tr("No t-SNE snapshot to export yet (Refresh first), or %1 cannot be written.").arg(f));
  });
  analysis->addAction(tr("Export Histograms as PNG..."), this, [this] {
    bool ow = false;
    const QString f =
        askSavePath(tr("Export histograms"), "lldif-histograms.png", tr("PNG images (*.png)"), &ow);
    if (!f.isEmpty() && !histogram_panel_->exportPng(f)) showError(tr("Could not write %1").arg(f));
  });
  analysis->addAction(tr("Reset &Histograms"), histogram_panel_, &HistogramPanel::reset)
      ->setShortcut(QKeySequence(tr("Ctrl+Shift+R")));

  QToolBar* tb = addToolBar(tr("Controls"));
  tb->setObjectName("controls");
  tb->addAction(open_file);
  tb->addAction(demo);
  tb->addSeparator();
  tb->addAction(prev);
  tb->addAction(pause_action_);
  tb->addAction(next);
  tb->addAction(loop_action_);
  speed_ = new QComboBox(this);
  for (const char* s : {"0.25x", "0.5x", "1x", "1.5x", "2x"}) speed_->addItem(s);
  speed_->setCurrentIndex(2);
  speed_->setToolTip(tr("Playback speed (video files and folders)"));
  connect(speed_, &QComboBox::currentIndexChanged, this, [this](int i) {
    static const double v[] = {0.25, 0.5, 1.0, 1.5, 2.0};
    session_->setSpeed(v[std::clamp(i, 0, 4)]);
  });
  tb->addWidget(speed_);
  seek_ = new QSlider(Qt::Horizontal, this);
  seek_->setMinimumWidth(200);
  seek_->setEnabled(false);
  seek_->setToolTip(tr("Position in the video or folder"));
  connect(seek_, &QSlider::sliderPressed, this, [this] { seek_dragging_ = true; });
  connect(seek_, &QSlider::sliderReleased, this, [this] {
    seek_dragging_ = false;
    session_->seek(seek_->value());
  });
  tb->addWidget(seek_);
  tb->addSeparator();
  for (QAction* a : mode_actions_) tb->addAction(a);
  tb->addSeparator();
  tb->addAction(record_action_);
}

void MainWindow::applyLight() {
  ProcessorSettings s = light_panel_->apply(session_->processor().settings());
  session_->processor().setSettings(s);
  const int m = static_cast<int>(light_panel_->mode());
  if (mode_actions_[m]) mode_actions_[m]->setChecked(true);
  smoother_.setAlpha(light_panel_->smoothingAlpha());
  dark_smoother_.setAlpha(light_panel_->smoothingAlpha());
  view_->setShowUncertainty(light_panel_->uncertainty());
}

QString MainWindow::askSavePath(const QString& title, const QString& suggested, const QString& filter,
                                bool* overwrite) {
  // QFileDialog asks before replacing an existing file; only then may the writer overwrite it.
  const QString f = QFileDialog::getSaveFileName(this, title, QDir(last_dir_).filePath(suggested), filter);
  if (!f.isEmpty()) last_dir_ = QFileInfo(f).absolutePath();
  *overwrite = !f.isEmpty() && QFileInfo::exists(f);
  return f;
}

QString MainWindow::sourceStatus() const { return status_source_->text(); }

bool MainWindow::openSource(const QString& spec) {
  frames_shown_ = 0;
  if (!session_->open(spec)) return false;
  status_source_->setText(session_->sourceDescription());
  view_->clear(tr("Opening %1 ...").arg(session_->sourceDescription()));
  smoother_.reset();
  dark_smoother_.reset();
  const QFileInfo fi(spec);
  if (fi.exists()) last_dir_ = fi.isDir() ? fi.absoluteFilePath() : fi.absolutePath();
  seek_->setEnabled(session_->frameCount() > 1);
  seek_->setRange(0, static_cast<int>(std::max<std::int64_t>(0, session_->frameCount() - 1)));
  return true;
}

void MainWindow::updateSeekBar() {
  if (seek_dragging_ || session_->frameCount() <= 1) return;
  const auto pos = session_->position();
  if (pos >= 0) {
    const QSignalBlocker block(seek_);
    seek_->setValue(static_cast<int>(pos));
  }
}

void MainWindow::onFrame(ProcessedFramePtr frame, RunnerStats stats) {
  const ProcessorSettings& s = frame->settings;
  // A file that loaded but is damaged (a JPEG cut short) says so beside the source's name.
  const QString warning = QString::fromStdString(frame->frame.warning);
  status_source_->setText(warning.isEmpty()
                              ? session_->sourceDescription()
                              : tr("%1 | warning: %2").arg(session_->sourceDescription(), warning));
  const double t = frame->frame.timestamp_s;
  const bool low_light_main = (s.darkroom && !s.compare) || light_panel_->cameraDark();
  ViewFrame vf;
  vf.image = toQImage(!frame->preview.empty() ? frame->preview : frame->frame.image);
  if (s.compare) {
    vf.dark = toQImage(frame->dark);
    vf.caption = tr("clear");
    vf.dark_caption = tr("dark (EV -%1)").arg(s.lowlight.ev, 0, 'f', 2);
  } else if (s.darkroom) {
    vf.caption = tr("dark room (EV -%1)").arg(s.lowlight.ev, 0, 'f', 2);
  } else if (!frame->preview.empty()) {
    vf.caption = tr("enhanced preview (the model sees the raw frame)");
  }
  if (frame->perturbed) {
    const QString kind = QString::fromStdString(perturbationName(s.perturbation));
    vf.caption = vf.caption.isEmpty() ? tr("faces: %1").arg(kind) : tr("%1, faces: %2").arg(vf.caption, kind);
  }
  bool selected_seen = false;
  for (std::size_t i = 0; i < frame->analysis.faces.size(); ++i) {
    const FaceResult& f = frame->analysis.faces[i];
    FaceOverlay o;
    o.track_id = f.track_id;
    o.box = QRectF(f.box.x, f.box.y, f.box.width, f.box.height);
    o.detected = f.detected;
    for (const auto& p : f.landmarks) o.landmarks.emplace_back(p.x, p.y);
    if (i < frame->emotions.size()) {
      const FaceEmotion& e = frame->emotions[i];
      o.has_emotion = true;
      o.probs = smoother_.update(f.track_id, toArray(e.main.probs), t);
      o.spread = e.main.spread;
      const float conf = e.main.probs[static_cast<std::size_t>(e.main.top)];
      if (low_light_main)
        histogram_panel_->addLowLight(conf);
      else
        histogram_panel_->addClear(conf);
      if (e.has_dark) {
        o.has_dark = true;
        o.dark_probs = dark_smoother_.update(f.track_id, toArray(e.dark.probs), t);
        histogram_panel_->addLowLight(e.dark.probs[static_cast<std::size_t>(e.dark.top)]);
      }
      tsne_panel_->addFace(t, f.track_id, e.main.trajectory, e.main.top);
      face_panel_->addSample(t, f.track_id, o.probs, o.spread);
      selected_seen = selected_seen || f.track_id == face_panel_->selectedTrack();
    }
    vf.faces.push_back(std::move(o));
  }
  if (!selected_seen) face_panel_->noFace();
  view_->setSelectedTrack(face_panel_->selectedTrack());
  view_->setFrame(std::move(vf));
  results_.add(*frame);
  if (recorder_.isOpen()) {
    try {
      // Constant-rate file, real timing: a frame the pipeline dropped is covered by repeating the last
      // shown one, so the recording lasts as long as the source did.
      int copies = 1;
      if (last_recorded_t_ >= 0 && t > last_recorded_t_)
        copies = std::clamp(static_cast<int>(std::lround((t - last_recorded_t_) * recorder_fps_)), 1, 30);
      last_recorded_t_ = t;
      const cv::Mat annotated = toBgr(view_->renderAnnotated());
      for (int c = 0; c < copies; ++c) recorder_.write(annotated);
      status_rec_->setText(tr("REC %1 frames").arg(recorder_.frames()));
    } catch (const std::exception& e) {
      stopRecording();
      showError(tr("Recording stopped: %1").arg(e.what()));
    }
  }
  ++frames_shown_;
  updateSeekBar();

  const StageTimes& st = frame->analysis.times;
  status_perf_->setText(tr("%1 face(s) | %2 fps | latency %3 ms (darken %4, detect %5, landmarks %6, "
                           "model %7%9)%8")
                            .arg(frame->analysis.faces.size())
                            .arg(stats.processing_fps, 0, 'f', 1)
                            .arg(frame->latency_ms, 0, 'f', 1)
                            .arg(frame->darken_ms, 0, 'f', 1)
                            .arg(st.detect_ms, 0, 'f', 1)
                            .arg(st.landmarks_ms, 0, 'f', 1)
                            .arg(frame->model_ms, 0, 'f', 1)
                            .arg(frame->analysis.enhanced ? tr(", enhanced for detection") : QString())
                            .arg(frame->mirrored ? tr(" with mirror images") : QString()));
  status_dropped_->setText(tr("dropped %1 of %2").arg(stats.dropped).arg(stats.captured));
  emit frameShown(frames_shown_);
  if (!options_.screenshot_path.isEmpty() && !screenshot_done_ &&
      frames_shown_ >= options_.quit_after_frames) {
    screenshot_done_ = true;
    // Let this frame paint first; with the t-SNE tab shown, wait for its snapshot.
    if (options_.tab == "tsne") {
      connect(tsne_panel_, &TsnePanel::snapshotReady, this, [this] {
        QTimer::singleShot(100, this,
                           [this] { QApplication::exit(saveScreenshot(options_.screenshot_path) ? 0 : 1); });
      });
      session_->setPaused(true);
      tsne_panel_->refresh();
      if (!tsne_panel_->computing())
        QTimer::singleShot(100, this,
                           [this] { QApplication::exit(saveScreenshot(options_.screenshot_path) ? 0 : 1); });
    } else {
      QTimer::singleShot(300, this, [this] {
        histogram_panel_->redraw();
        QApplication::exit(saveScreenshot(options_.screenshot_path) ? 0 : 1);
      });
    }
  } else if (options_.screenshot_path.isEmpty() && options_.quit_after_frames > 0 &&
             frames_shown_ >= options_.quit_after_frames) {
    QApplication::exit(0);
  }
}

bool MainWindow::saveScreenshot(const QString& path) {
  const QPixmap shot = grab();
  if (!shot.save(path, "PNG")) {
    showError(tr("Could not save the screenshot to %1").arg(path));
    return false;
  }
  statusBar()->showMessage(tr("Screenshot saved to %1").arg(path), 4000);
  return true;
}

bool MainWindow::exportResults(const QString& path, bool overwrite) {
  try {
    if (path.endsWith(".json", Qt::CaseInsensitive))
      results_.writeJson(path.toStdString(), overwrite);
    else
      results_.writeCsv(path.toStdString(), overwrite);
  } catch (const std::exception& e) {
    showError(tr("Results not exported: %1").arg(e.what()));
    return false;
  }
  statusBar()->showMessage(tr("%1 rows exported to %2").arg(results_.rows().size()).arg(path), 5000);
  return true;
}

bool MainWindow::startRecording(const QString& path, bool overwrite) {
  const QImage shown = view_->renderAnnotated();
  if (shown.isNull()) {
    showError(tr("Nothing to record yet: open a source first."));
    return false;
  }
  const double source_fps = session_->sourceFps();
  recorder_fps_ = source_fps > 1 && source_fps <= 120 ? source_fps : 30.0;
  last_recorded_t_ = -1;
  try {
    recorder_.open(path.toStdString(), recorder_fps_, cv::Size(shown.width(), shown.height()), overwrite);
  } catch (const std::exception& e) {
    showError(tr("Cannot record: %1").arg(e.what()));
    return false;
  }
  if (record_action_) record_action_->setChecked(true);
  status_rec_->setText(tr("REC"));
  return true;
}

void MainWindow::stopRecording() {
  if (!recorder_.isOpen()) return;
  const QString file = QString::fromStdString(recorder_.file().string());
  try {
    const long long n = recorder_.close();
    statusBar()->showMessage(tr("Recorded %1 frames to %2").arg(n).arg(file), 6000);
  } catch (const std::exception& e) {
    showError(e.what());
  }
  if (record_action_) record_action_->setChecked(false);
  status_rec_->clear();
}

void MainWindow::onFailed(const QString& message) { showError(message); }

void MainWindow::onEnded() {
  if (frames_shown_ == 0) view_->clear(tr("%1 delivered no frames.").arg(session_->sourceDescription()));
  statusBar()->showMessage(tr("End of %1").arg(session_->sourceDescription()), 5000);
  if (!options_.screenshot_path.isEmpty() && !screenshot_done_ && frames_shown_ > 0) {
    screenshot_done_ = true;
    QTimer::singleShot(300, this,
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
