// Widget tests of the viewer window (QT_QPA_PLATFORM=offscreen), on the real pipeline with the real
// landmark model and the shipped emotion model.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QValueAxis>
#include <QtTest>
#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/videoio.hpp>

#include "core/emotion_model.h"
#include "core/face_analyzer.h"
#include "core/image_io.h"
#include "test_support.h"
#include "ui/chart_axes.h"
#include "ui/face_panel.h"
#include "ui/histogram_panel.h"
#include "ui/light_panel.h"
#include "ui/main_window.h"
#include "ui/tsne_panel.h"
#include "ui/video_view.h"

using namespace lldif;
using namespace lldif::ui;

namespace {
std::shared_ptr<EmotionModel> shippedModel() {
  static std::shared_ptr<EmotionModel> m =
      EmotionModel::load(std::filesystem::path(LLDIF_SOURCE_DIR) / "models/lldif.ckpt");
  return m;
}
MainWindowOptions noSettings() {
  MainWindowOptions o;
  o.use_settings = false;
  return o;
}
double meanGray(const QImage& img) {
  double sum = 0;
  int n = 0;
  for (int y = 0; y < img.height(); y += 4)
    for (int x = 0; x < img.width(); x += 4, ++n) sum += qGray(img.pixel(x, y));
  return sum / n;
}
}  // namespace

class MainWindowTest : public QObject {
  Q_OBJECT

 private:
  std::shared_ptr<FrameProcessor> processor(bool with_model = true) {
    return std::make_shared<FrameProcessor>(
        std::make_unique<FaceAnalyzer>(AnalyzerOptions{}, test::sharedLandmarker()),
        with_model ? shippedModel() : nullptr);
  }
  QString portrait(const char* name) { return QString::fromStdString(test::faceImage(name).string()); }

 private slots:
  void chartAxesTickOnRoundNumbers() {
    QCOMPARE(niceTickInterval(1.0, 5), 0.2);     // probabilities: 0, 0.2, ... 1
    QCOMPARE(niceTickInterval(10.0, 6), 2.0);    // a 10-second timeline
    QCOMPARE(niceTickInterval(120.0, 6), 20.0);  // the longest one
    QCOMPARE(niceTickInterval(3.0, 6), 0.5);
    QCOMPARE(niceTickInterval(0.575, 5), 0.2);  // a histogram's share axis
    QCOMPARE(niceTickInterval(0.11, 5), 0.05);
    QValueAxis axis;
    setNiceRange(&axis, -10, 0, 6);
    QCOMPARE(axis.tickType(), QValueAxis::TicksDynamic);
    QCOMPARE(axis.tickInterval(), 2.0);
    QCOMPARE(axis.tickAnchor(), 0.0);
    QCOMPARE(axis.labelFormat(), QStringLiteral("%.0f"));
    setNiceRange(&axis, 0, 0.11);
    QCOMPARE(axis.labelFormat(), QStringLiteral("%.2f"));
    QCOMPARE(axis.max(), 0.11);
  }

  void demoFramesArriveWithEmotionOverlaysAndPanels() {
    MainWindow w(processor(), noSettings());
    w.show();
    QVERIFY(w.openSource("demo"));
    QTRY_VERIFY_WITH_TIMEOUT(w.framesShown() >= 5, 30000);
    QCOMPARE(w.videoView()->frame().image.size(), QSize(640, 480));
    QTRY_VERIFY_WITH_TIMEOUT(!w.videoView()->frame().faces.empty(), 10000);
    const FaceOverlay& f = w.videoView()->frame().faces[0];
    QVERIFY(f.has_emotion);
    float sum = 0;
    for (float p : f.probs) sum += p;
    QVERIFY(std::abs(sum - 1.0f) < 1e-3f);
    w.videoView()->repaint();
    QVERIFY(w.videoView()->overlaysDrawn() >= 1);
    QVERIFY(w.videoView()->emotionLabelsDrawn() >= 1);
    // Side panel follows a face; clear-mode confidences go to the clear histogram only.
    QTRY_VERIFY_WITH_TIMEOUT(w.facePanel()->samples() >= 2, 10000);
    QVERIFY(w.facePanel()->selectedTrack() >= 0);
    QVERIFY(w.histogramPanel()->clear().total() >= 2);
    QCOMPARE(w.histogramPanel()->lowLight().total(), 0LL);
    QVERIFY(!w.results().rows().empty());
    QVERIFY(w.lastError().isEmpty());
  }

  void compareModeShowsClearAndDarkWithTheirOwnPredictions() {
    MainWindow w(processor(), noSettings());
    w.show();
    w.lightPanel()->setPreset("xll");
    w.lightPanel()->setMode(ViewMode::kCompare);
    QVERIFY(w.openSource(portrait("portrait-040.jpg")));
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 15000);
    const ViewFrame& vf = w.videoView()->frame();
    QVERIFY(!vf.dark.isNull());
    QCOMPARE(vf.dark.size(), vf.image.size());
    QVERIFY(meanGray(vf.dark) < 0.3 * meanGray(vf.image));
    QCOMPARE(vf.faces.size(), std::size_t(1));
    QVERIFY(vf.faces[0].has_dark);
    QVERIFY(vf.faces[0].dark_probs != vf.faces[0].probs);  // a real second pass on other pixels
    w.videoView()->repaint();
    QCOMPARE(w.videoView()->emotionLabelsDrawn(), 2);  // one per side
    QCOMPARE(w.histogramPanel()->clear().total(), 1LL);
    QCOMPARE(w.histogramPanel()->lowLight().total(), 1LL);
    const QImage annotated = w.videoView()->renderAnnotated();
    QCOMPARE(annotated.width(), 2 * vf.image.width() + 8);
    w.histogramPanel()->reset();
    QCOMPARE(w.histogramPanel()->clear().total(), 0LL);
  }

  void darkroomModeDarkensWhatIsAnalysed() {
    MainWindow w(processor(), noSettings());
    w.show();
    w.lightPanel()->setPreset("xll");
    w.lightPanel()->setMode(ViewMode::kDarkroom);
    QVERIFY(w.openSource(portrait("portrait-040.jpg")));
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 15000);
    const double mean = meanGray(w.videoView()->frame().image);
    QVERIFY2(mean < 25, qPrintable(QString("mean %1").arg(mean)));
    QCOMPARE(w.histogramPanel()->lowLight().total(),
             static_cast<long long>(w.videoView()->frame().faces.size()));
  }

  // A photo cut short still opens, and the status bar says what is wrong with it.
  void aDamagedPhotoOpensWithAWarning() {
    QTemporaryDir dir;
    const QString whole = portrait("portrait-040.jpg"), cut = dir.filePath("cut.jpg");
    QFile in(whole);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray bytes = in.readAll();
    QFile out(cut);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(bytes.left(bytes.size() * 2 / 3));
    out.close();
    MainWindow w(processor(), noSettings());
    w.show();
    QVERIFY(w.openSource(cut));
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 15000);
    QVERIFY2(w.sourceStatus().contains("cut short"), qPrintable(w.sourceStatus()));
    QVERIFY(w.openSource(whole));
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 15000);
    QVERIFY2(!w.sourceStatus().contains("warning"), qPrintable(w.sourceStatus()));
  }

  // "Faces": the chosen change reaches the processor in clear and compare modes, and the view says so;
  // dark room turns it off (its faces are found on the dark frame).
  void facesFromElsewhereReachTheProcessorOutsideTheDarkRoom() {
    MainWindow w(processor(), noSettings());
    w.show();
    QCOMPARE(w.lightPanel()->perturbation(), Perturbation::kNone);
    w.lightPanel()->setPerturbation(Perturbation::kMask);
    QCOMPARE(w.lightPanel()->apply({}).perturbation, Perturbation::kMask);
    w.lightPanel()->setMode(ViewMode::kCompare);
    QCOMPARE(w.lightPanel()->apply({}).perturbation, Perturbation::kMask);
    w.lightPanel()->setMode(ViewMode::kDarkroom);
    QCOMPARE(w.lightPanel()->apply({}).perturbation, Perturbation::kNone);
    w.lightPanel()->setMode(ViewMode::kClear);
    QVERIFY(w.openSource(portrait("portrait-040.jpg")));
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 15000);
    QVERIFY2(w.videoView()->frame().caption.contains("mask"), qPrintable(w.videoView()->frame().caption));
  }

  // "Mirror averaging" (photos only by default) reaches the model: the same photo reads differently with
  // it off, and the model was set as asked (video frames: tests/core/pipeline_runner_test.cpp).
  void mirrorAveragingReachesTheModel() {
    std::vector<std::array<float, kNumClasses>> read;
    for (const MirrorAveraging m : {MirrorAveraging::kStills, MirrorAveraging::kOff}) {
      MainWindow w(processor(), noSettings());
      w.show();
      QCOMPARE(w.lightPanel()->mirrorAveraging(), MirrorAveraging::kStills);
      w.lightPanel()->setMirrorAveraging(m);
      QCOMPARE(w.lightPanel()->apply({}).mirror, m);
      QVERIFY(w.openSource(portrait("portrait-040.jpg")));
      QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 15000);
      QCOMPARE(w.videoView()->frame().faces.size(), std::size_t(1));
      read.push_back(w.videoView()->frame().faces[0].probs);
      QCOMPARE(shippedModel()->flipAverage(), m == MirrorAveraging::kStills);  // the photo is processed
    }
    float differs = 0;
    for (int k = 0; k < kNumClasses; ++k) differs += std::abs(read[0][k] - read[1][k]);
    QVERIFY2(differs > 1e-5f, qPrintable(QString("differs %1").arg(differs)));
  }

  void aFaceCropFillsTheViewWithItsLabelInside() {
    MainWindow w(processor(), noSettings());
    w.show();
    QTemporaryDir dir;
    const std::string file = dir.filePath("face48.png").toStdString();
    saveImage(file, test::ferLikeFace(test::faceImage("portrait-005.jpg")));
    QVERIFY(w.openSource(QString::fromStdString(file)));
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 10000);
    const ViewFrame& vf = w.videoView()->frame();
    QCOMPARE(vf.faces.size(), std::size_t(1));
    QCOMPARE(vf.faces[0].box, QRectF(0, 0, 48, 48));
    QCOMPARE(vf.faces[0].landmarks.size(), std::size_t(68));
    QVERIFY(vf.faces[0].has_emotion);
    w.videoView()->repaint();
    QCOMPARE(w.videoView()->emotionLabelsDrawn(), 1);
  }

  void labelsAndBarsStayInsideTheImage() {
    const QSizeF panel(700, 700), label(150, 24), bars(300, 40);
    // Room above and below the face: the label on top of the box, the bars under it.
    QCOMPARE(labelPlacement(QRectF(100, 200, 300, 300), label, panel), QRectF(100, 176, 150, 24));
    QCOMPARE(barsPlacement(QRectF(100, 200, 300, 300), bars, panel), QRectF(100, 504, 300, 40));
    // A face that fills the image (a face crop): both inside it.
    QCOMPARE(labelPlacement(QRectF(0, 0, 700, 700), label, panel), QRectF(0, 0, 150, 24));
    QCOMPARE(barsPlacement(QRectF(0, 0, 700, 700), bars, panel), QRectF(0, 656, 300, 40));
    // A face cut by the right edge: the label slides left to stay readable.
    QCOMPARE(labelPlacement(QRectF(650, 300, 100, 100), label, panel), QRectF(550, 276, 150, 24));
  }

  void stillImageIsShownAndEnds() {
    MainWindow w(processor(false), noSettings());
    w.show();
    QSignalSpy ended(w.session(), &ViewerSession::ended);
    QVERIFY(w.openSource(portrait("portrait-040.jpg")));
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);
    QCOMPARE(w.videoView()->frame().faces.size(), std::size_t(1));
    QCOMPARE(w.videoView()->frame().faces[0].landmarks.size(), std::size_t(68));
    QVERIFY(!w.videoView()->frame().faces[0].has_emotion);  // no model: faces only
  }

  void folderNextAndPreviousWhilePaused() {
    QTemporaryDir dir;
    for (const char* n : {"portrait-005.jpg", "portrait-020.jpg", "portrait-040.jpg"})
      QVERIFY(QFile::copy(portrait(n), dir.filePath(n)));
    MainWindow w(processor(false), noSettings());
    w.show();
    w.session()->setPaused(true);
    QVERIFY(w.openSource(dir.path()));
    QCOMPARE(w.session()->frameCount(), 3);
    w.session()->step(+1);
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 10000);
    QCOMPARE(w.session()->position(), 0);
    w.session()->step(+1);
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 2, 10000);
    QCOMPARE(w.session()->position(), 1);
    w.session()->step(-1);
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 3, 10000);
    QCOMPARE(w.session()->position(), 0);
  }

  void exportsAreValidAndNeverSilentlyOverwrite() {
    QTemporaryDir dir;
    MainWindow w(processor(), noSettings());
    w.show();
    w.lightPanel()->setMode(ViewMode::kCompare);
    QVERIFY(w.openSource(portrait("portrait-020.jpg")));
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.results().rows().empty(), 5000);
    const QString csv = dir.filePath("r.csv"), json = dir.filePath("r.json");
    QVERIFY(w.exportResults(csv));
    QVERIFY(w.exportResults(json));
    std::ifstream in(json.toStdString());
    const nlohmann::json j = nlohmann::json::parse(in);
    QCOMPARE(j["rows"].size(), w.results().rows().size());
    const auto& row = j["rows"][0];
    QCOMPARE(row["mode"].get<std::string>(), std::string("compare"));
    QCOMPARE(row["box"].size(), std::size_t(4));
    double sum = 0;
    for (const auto& [k, v] : row["probs"].items()) sum += v.get<double>();
    QVERIFY(std::abs(sum - 1.0) < 1e-3);
    QVERIFY(row["clear_confidence"].is_number() && row["dark_confidence"].is_number());
    QVERIFY(row["mirrored"].get<bool>());  // a photo: read with its mirror image by default
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), static_cast<int>(w.results().rows().size()) + 1);
    QCOMPARE(lines[0].split(',').size(), lines[1].split(',').size());
    QVERIFY(lines[0].startsWith("time_s,frame,mode,track_id"));
    QVERIFY(lines[0].endsWith(",mirrored") && lines[1].endsWith(",1"));
    // A second export to the same file is refused with a message; the file is untouched.
    QSignalSpy errors(&w, &MainWindow::errorShown);
    const auto size_before = QFileInfo(csv).size();
    QVERIFY(!w.exportResults(csv));
    QCOMPARE(errors.count(), 1);
    QVERIFY(w.lastError().contains("already exists"));
    QCOMPARE(QFileInfo(csv).size(), size_before);
    QVERIFY(w.exportResults(csv, /*overwrite=*/true));
  }

  void recordsAnAnnotatedVideo() {
    QTemporaryDir dir;
    MainWindow w(processor(), noSettings());
    w.show();
    QVERIFY(w.openSource("demo"));
    QTRY_VERIFY_WITH_TIMEOUT(w.framesShown() >= 1, 30000);
    const QString file = dir.filePath("rec.mp4");
    QVERIFY(w.startRecording(file));
    QTRY_VERIFY_WITH_TIMEOUT(w.recordedFrames() >= 5, 30000);
    w.stopRecording();
    cv::VideoCapture cap(file.toStdString());
    QVERIFY(cap.isOpened());
    cv::Mat frame;
    QVERIFY(cap.read(frame));
    QCOMPARE(frame.cols, 640);
    QVERIFY(!QFileInfo::exists(dir.filePath(".rec.part.mp4")));
    QVERIFY(!w.startRecording(file));  // exists: refused
  }

  void tsneRunsInTheBackgroundAndExports() {
    QTemporaryDir dir;
    MainWindow w(processor(), noSettings());
    w.show();
    QVERIFY(w.openSource("demo"));
    QTRY_VERIFY_WITH_TIMEOUT(w.tsnePanel()->sessionFaces() >= 5, 60000);
    w.session()->setPaused(true);
    QSignalSpy ready(w.tsnePanel(), &TsnePanel::snapshotReady);
    w.tsnePanel()->refresh();
    QVERIFY(w.tsnePanel()->computing());  // returned at once: the UI thread is free
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 120000);
    QVERIFY(w.tsnePanel()->hasSnapshot());
    QCOMPARE(w.tsnePanel()->step(), 0);  // shows Z_0 first
    const QString png = dir.filePath("tsne.png");
    QVERIFY(w.tsnePanel()->exportPng(png));
    QVERIFY(!QImage(png).isNull());
  }

  void badFileShowsAnErrorAndKeepsRunning() {
    QTemporaryDir dir;
    const QString bad = dir.filePath("broken.jpg");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not a jpeg");
    f.close();
    MainWindow w(processor(), noSettings());
    w.show();
    QVERIFY(w.openSource("demo"));
    QTRY_VERIFY_WITH_TIMEOUT(w.framesShown() >= 2, 30000);
    QSignalSpy errors(&w, &MainWindow::errorShown);
    QVERIFY(!w.openSource(bad));
    QCOMPARE(errors.count(), 1);
    QVERIFY(w.lastError().contains("broken.jpg"));
    QVERIFY(!w.openSource("camera:42"));
    QVERIFY(w.lastError().contains("Camera 42"));
    // The demo keeps playing behind the error.
    const int before = w.framesShown();
    QTRY_VERIFY_WITH_TIMEOUT(w.framesShown() > before + 2, 30000);
  }

  void wrongModelFileIsReportedNotFatal() {
    MainWindowOptions o = noSettings();
    o.model_error =
        "The emotion model could not be loaded, showing faces only: x.ckpt: not an LLDif checkpoint";
    MainWindow w(processor(false), o);
    QSignalSpy errors(&w, &MainWindow::errorShown);
    w.show();
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 5000);
    QVERIFY(w.lastError().contains("not an LLDif checkpoint"));
    QVERIFY(w.openSource(portrait("portrait-040.jpg")));
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 10000);
  }

  void screenshotIsWritten() {
    QTemporaryDir dir;
    MainWindow w(processor(), noSettings());
    w.show();
    QVERIFY(w.openSource("demo"));
    QTRY_VERIFY_WITH_TIMEOUT(w.framesShown() >= 1, 30000);
    const QString path = dir.filePath("shot.png");
    QVERIFY(w.saveScreenshot(path));
    QImage shot(path);
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), w.size());
  }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
