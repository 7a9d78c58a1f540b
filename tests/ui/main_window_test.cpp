// Widget tests of the viewer window (QT_QPA_PLATFORM=offscreen), on the real pipeline.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "core/face_analyzer.h"
#include "test_support.h"
#include "ui/main_window.h"
#include "ui/video_view.h"

using namespace lldif;
using namespace lldif::ui;

class MainWindowTest : public QObject {
  Q_OBJECT

 private:
  std::shared_ptr<FrameProcessor> processor() {
    return std::make_shared<FrameProcessor>(
        std::make_unique<FaceAnalyzer>(AnalyzerOptions{}, test::sharedLandmarker()));
  }

 private slots:
  void demoFramesArriveWithFaceOverlays() {
    MainWindow w(processor());
    w.show();
    QVERIFY(w.openSource("demo"));
    QTRY_VERIFY_WITH_TIMEOUT(w.framesShown() >= 5, 20000);
    QVERIFY(!w.videoView()->image().isNull());
    QCOMPARE(w.videoView()->image().size(), QSize(640, 480));
    QTRY_VERIFY_WITH_TIMEOUT(!w.videoView()->faces().empty(), 10000);
    w.videoView()->repaint();
    QVERIFY(w.videoView()->overlaysDrawn() >= 1);
    QVERIFY(w.lastError().isEmpty());
  }

  void stillImageIsShownAndEnds() {
    MainWindow w(processor());
    w.show();
    QSignalSpy ended(w.session(), &ViewerSession::ended);
    QVERIFY(w.openSource(QString::fromStdString(test::faceImage("portrait-040.jpg").string())));
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);
    QCOMPARE(w.videoView()->faces().size(), std::size_t(1));
    QCOMPARE(w.videoView()->faces()[0].landmarks.size(), std::size_t(68));
  }

  void badFileShowsAnErrorAndKeepsRunning() {
    QTemporaryDir dir;
    const QString bad = dir.filePath("broken.jpg");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not a jpeg");
    f.close();
    MainWindow w(processor());
    w.show();
    QVERIFY(w.openSource("demo"));
    QTRY_VERIFY_WITH_TIMEOUT(w.framesShown() >= 2, 20000);
    QSignalSpy errors(&w, &MainWindow::errorShown);
    QVERIFY(!w.openSource(bad));
    QCOMPARE(errors.count(), 1);
    QVERIFY(w.lastError().contains("broken.jpg"));
    QVERIFY(!w.openSource("camera:42"));
    QVERIFY(w.lastError().contains("Camera 42"));
    // The demo keeps playing behind the error.
    const int before = w.framesShown();
    QTRY_VERIFY_WITH_TIMEOUT(w.framesShown() > before + 2, 20000);
  }

  void darkroomToggleDarkensTheAnalysedFrame() {
    MainWindow w(processor());
    w.show();
    ProcessorSettings s;
    s.darkroom = true;
    s.lowlight = lowLightPreset("xll").typical();
    w.session()->processor().setSettings(s);
    QVERIFY(w.openSource(QString::fromStdString(test::faceImage("portrait-040.jpg").string())));
    QTRY_COMPARE_WITH_TIMEOUT(w.framesShown(), 1, 10000);
    const QImage img = w.videoView()->image();
    double sum = 0;
    for (int y = 0; y < img.height(); y += 4)
      for (int x = 0; x < img.width(); x += 4) sum += qGray(img.pixel(x, y));
    const double mean = sum / ((img.height() / 4) * (img.width() / 4));
    QVERIFY2(mean < 25, qPrintable(QString("mean %1").arg(mean)));
  }

  void screenshotIsWritten() {
    QTemporaryDir dir;
    MainWindow w(processor());
    w.show();
    QVERIFY(w.openSource("demo"));
    QTRY_VERIFY_WITH_TIMEOUT(w.framesShown() >= 1, 20000);
    const QString path = dir.filePath("shot.png");
    QVERIFY(w.saveScreenshot(path));
    QImage shot(path);
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), w.size());
  }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
