// lldif-viewer - the desktop viewer.
#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <cstdio>
#include <memory>

#include "core/data_paths.h"
#include "core/face_analyzer.h"
#include "core/pipeline_runner.h"
#include "ui/main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("lldif-viewer");
  QApplication::setOrganizationName("LLDif");
  QApplication::setApplicationVersion(LLDIF_VERSION);

  QCommandLineParser parser;
  parser.setApplicationDescription("LLDif Viewer - facial-emotion recognition that works in the dark");
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption source(
      {"s", "source"}, "Source: demo (default), camera:N, an image, a folder or a video.", "SOURCE", "demo");
  QCommandLineOption screenshot("screenshot", "Save a screenshot of the window to FILE, then quit.", "FILE");
  QCommandLineOption quit_after("quit-after-frames",
                                "Quit after N processed frames (with --screenshot: "
                                "take it then).",
                                "N", "0");
  parser.addOptions({source, screenshot, quit_after});
  parser.process(app);

  bool ok = false;
  lldif::ui::MainWindowOptions opts;
  opts.screenshot_path = parser.value(screenshot);
  opts.quit_after_frames = parser.value(quit_after).toInt(&ok);
  if (!ok || opts.quit_after_frames < 0) {
    std::fprintf(stderr, "lldif-viewer: --quit-after-frames needs a number >= 0\n");
    return 2;
  }
  if (!opts.screenshot_path.isEmpty() && opts.quit_after_frames == 0) opts.quit_after_frames = 1;

  std::shared_ptr<lldif::FrameProcessor> processor;
  try {
    processor = std::make_shared<lldif::FrameProcessor>(std::make_unique<lldif::FaceAnalyzer>());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lldif-viewer: %s\n", e.what());
    if (opts.screenshot_path.isEmpty()) QMessageBox::critical(nullptr, "LLDif Viewer", e.what());
    return 1;
  }

  lldif::ui::MainWindow window(processor, opts);
  window.show();
  if (!window.openSource(parser.value(source))) {
    std::fprintf(stderr, "lldif-viewer: %s\n", qPrintable(window.lastError()));
    if (!opts.screenshot_path.isEmpty()) return 1;
  }
  return app.exec();
}
