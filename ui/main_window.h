// main_window.h - the viewer's main window: video with overlays, source menus, dark-room toggle, status.
#pragma once

#include <QLabel>
#include <QMainWindow>
#include <QString>
#include <memory>

#include "ui/viewer_session.h"

class QAction;
class QComboBox;

namespace lldif::ui {

class VideoView;

struct MainWindowOptions {
  QString screenshot_path;    // when set: save a screenshot after quit_after_frames frames, then quit
  int quit_after_frames = 0;  // 0: never quit by itself
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

  // For tests and automation.
  VideoView* videoView() const { return view_; }
  ViewerSession* session() const { return session_; }
  int framesShown() const { return frames_shown_; }
  QString lastError() const { return last_error_; }

 signals:
  void frameShown(int count);
  void errorShown(const QString& message);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private slots:
  void onFrame(lldif::ui::ProcessedFramePtr frame, lldif::RunnerStats stats);
  void onFailed(const QString& message);
  void onEnded();

 private:
  void buildMenus();
  void applyDarkroom();
  void showError(const QString& message);

  VideoView* view_;
  ViewerSession* session_;
  MainWindowOptions options_;
  QLabel* status_source_;
  QLabel* status_perf_;
  QLabel* status_dropped_;
  QAction* darkroom_action_ = nullptr;
  QAction* pause_action_ = nullptr;
  QComboBox* level_combo_ = nullptr;
  int frames_shown_ = 0;
  QString last_error_;
  bool screenshot_done_ = false;
};

}  // namespace lldif::ui
