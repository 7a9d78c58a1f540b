// main_window.h - the viewer's main window: video with emotion overlays (clear, dark room, compare),
// the light controls, the selected face's probabilities and timeline, confidence histograms, the
// diffusion-step t-SNE, playback controls, recording and exports, status (fps, latency, device, drops).
#pragma once

#include <QLabel>
#include <QMainWindow>
#include <QString>
#include <memory>

#include "core/emotion_smoother.h"
#include "core/results_log.h"
#include "core/video_recorder.h"
#include "ui/viewer_session.h"

class QAction;
class QComboBox;
class QSlider;
class QTabWidget;

namespace lldif::ui {

class VideoView;
class FacePanel;
class HistogramPanel;
class TsnePanel;
class LightPanel;

struct MainWindowOptions {
  QString screenshot_path;    // when set: save a screenshot after quit_after_frames frames, then quit
  int quit_after_frames = 0;  // 0: never quit by itself
  QString mode;               // clear, darkroom or compare (empty: as last time)
  QString level;              // ll or xll (empty: as last time)
  QString tab;                // face, histograms or tsne: the analysis tab to show
  QString faces;             // a perturbation name (core/perturbation.h) for every face (empty: as last time)
  bool use_settings = true;  // read and write QSettings (tests and automation turn it off)
  QString model_error;       // why no model was loaded (shown once), empty if one was
};

// UI thread only.
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  MainWindow(std::shared_ptr<FrameProcessor> processor, const MainWindowOptions& options = {},
             QWidget* parent = nullptr);
  ~MainWindow() override;

  bool openSource(const QString& spec);
  bool saveScreenshot(const QString& path);
  // Exports everything logged since the last clear. overwrite: the user already agreed to replace it.
  bool exportResults(const QString& path, bool overwrite = false);  // .csv or .json by extension
  bool startRecording(const QString& path, bool overwrite = false);
  void stopRecording();

  // For tests and automation.
  VideoView* videoView() const { return view_; }
  ViewerSession* session() const { return session_; }
  FacePanel* facePanel() const { return face_panel_; }
  HistogramPanel* histogramPanel() const { return histogram_panel_; }
  TsnePanel* tsnePanel() const { return tsne_panel_; }
  LightPanel* lightPanel() const { return light_panel_; }
  const ResultsLog& results() const { return results_; }
  int framesShown() const { return frames_shown_; }
  QString sourceStatus() const;  // the status bar's source text (with a damaged file's warning)
  QString lastError() const { return last_error_; }
  long long recordedFrames() const { return recorder_.frames(); }

 signals:
  void frameShown(int count);
  void errorShown(const QString& message);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void closeEvent(QCloseEvent* event) override;

 private slots:
  void onFrame(lldif::ui::ProcessedFramePtr frame, lldif::RunnerStats stats);
  void onFailed(const QString& message);
  void onEnded();

 private:
  void buildMenus();
  void buildDocks();
  void applyLight();
  void showError(const QString& message);
  void updateSeekBar();
  QString askSavePath(const QString& title, const QString& suggested, const QString& filter, bool* overwrite);
  void fillCameraMenu(QMenu* menu);

  VideoView* view_;
  ViewerSession* session_;
  MainWindowOptions options_;
  FacePanel* face_panel_ = nullptr;
  HistogramPanel* histogram_panel_ = nullptr;
  TsnePanel* tsne_panel_ = nullptr;
  LightPanel* light_panel_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QLabel* status_source_;
  QLabel* status_perf_;
  QLabel* status_dropped_;
  QLabel* status_device_;
  QLabel* status_rec_;
  QAction* pause_action_ = nullptr;
  QAction* loop_action_ = nullptr;
  QAction* record_action_ = nullptr;
  QAction* mode_actions_[3] = {nullptr, nullptr, nullptr};
  QSlider* seek_ = nullptr;
  QComboBox* speed_ = nullptr;
  bool seek_dragging_ = false;
  EmotionSmoother smoother_, dark_smoother_;
  ResultsLog results_;
  VideoRecorder recorder_;
  double recorder_fps_ = 30;
  double last_recorded_t_ = -1;  // media time of the last recorded frame
  QString device_;
  int frames_shown_ = 0;
  QString last_error_;
  QString last_dir_;
  bool screenshot_done_ = false;
  bool model_warning_shown_ = false;
};

}  // namespace lldif::ui
