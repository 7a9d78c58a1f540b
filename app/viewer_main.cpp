// lldif-viewer - the desktop viewer.
#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <utility>

#include "core/blas_kernels.h"
#include "core/data_paths.h"
#include "core/emotion_model.h"
#include "core/face_analyzer.h"
#include "core/perturbation.h"
#include "core/pipeline_runner.h"
#include "ui/main_window.h"

int main(int argc, char** argv) {
  lldif::ensureFastBlasKernels();  // before any matrix product (core/blas_kernels.h)
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
  QCommandLineOption model_opt("model", "Model checkpoint (default: the shipped models/lldif.ckpt).", "FILE");
  QCommandLineOption device_opt("device", "auto (CUDA when available), cpu or cuda.", "DEVICE", "auto");
  QCommandLineOption mode_opt("mode", "Start in mode clear, darkroom or compare.", "MODE");
  QCommandLineOption level_opt("level", "Low-light preset ll or xll.", "LEVEL");
  QCommandLineOption tab_opt("tab", "Analysis tab to show: face, histograms or tsne.", "TAB");
  QCommandLineOption faces_opt(
      "faces",
      "Change each face before the model reads it (clear and compare modes): none, blur, "
      "lowres, sharpen, contrast, gamma, jpeg, noise, sunglasses or mask.",
      "KIND");
  QCommandLineOption no_settings("no-settings", "Neither read nor write the saved settings.");
  parser.addOptions({source, screenshot, quit_after, model_opt, device_opt, mode_opt, level_opt, tab_opt,
                     faces_opt, no_settings});
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

  opts.mode = parser.value(mode_opt);
  opts.level = parser.value(level_opt);
  opts.tab = parser.value(tab_opt);
  opts.faces = parser.value(faces_opt);
  opts.use_settings = !parser.isSet(no_settings) && opts.screenshot_path.isEmpty();
  QStringList faceKinds{""};  // --faces: the perturbations core/perturbation.h knows, "none" first
  for (const std::string& n : lldif::perturbationNames()) faceKinds << QString::fromStdString(n);
  for (const auto& [value, allowed] : {std::pair{opts.mode, QStringList{"", "clear", "darkroom", "compare"}},
                                       std::pair{opts.level, QStringList{"", "ll", "xll"}},
                                       std::pair{opts.tab, QStringList{"", "face", "histograms", "tsne"}},
                                       std::pair{opts.faces, faceKinds}}) {
    if (!allowed.contains(value)) {
      std::fprintf(stderr, "lldif-viewer: unknown value '%s' (expected one of: %s)\n", qPrintable(value),
                   qPrintable(allowed.mid(1).join(", ")));
      return 2;
    }
  }

  // The emotion model: without one the viewer still shows faces, and says why.
  std::shared_ptr<lldif::EmotionModel> model;
  const std::filesystem::path model_path = parser.isSet(model_opt)
                                               ? std::filesystem::path(parser.value(model_opt).toStdString())
                                               : lldif::defaultModelPath();
  if (model_path.empty()) {
    opts.model_error = "No emotion model found (models/lldif.ckpt or $LLDIF_MODEL): showing faces only.";
  } else {
    try {
      lldif::ModelOptions mo;
      mo.device = parser.value(device_opt).toStdString();
      model = lldif::EmotionModel::load(model_path, mo);
    } catch (const std::exception& e) {
      opts.model_error =
          QString("The emotion model could not be loaded, showing faces only: %1").arg(e.what());
    }
  }
  if (!opts.model_error.isEmpty()) std::fprintf(stderr, "lldif-viewer: %s\n", qPrintable(opts.model_error));

  std::shared_ptr<lldif::FrameProcessor> processor;
  try {
    processor = std::make_shared<lldif::FrameProcessor>(std::make_unique<lldif::FaceAnalyzer>(), model);
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
