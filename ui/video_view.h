// video_view.h - shows the newest frame with face boxes, track ids and landmarks drawn over it.
#pragma once

#include <QImage>
#include <QWidget>
#include <vector>

#include "core/face_analyzer.h"

namespace lldif::ui {

// UI thread only. Holds a copy of the last frame and its faces; paints them scaled to fit.
class VideoView : public QWidget {
  Q_OBJECT
 public:
  explicit VideoView(QWidget* parent = nullptr);

  void setFrame(const QImage& image, std::vector<FaceResult> faces);
  void clear(const QString& message);
  void setShowLandmarks(bool on);
  bool showLandmarks() const { return show_landmarks_; }

  const QImage& image() const { return image_; }
  const std::vector<FaceResult>& faces() const { return faces_; }
  int overlaysDrawn() const { return overlays_drawn_; }  // faces painted in the last paint (tests)

  QSize sizeHint() const override { return {800, 600}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QImage image_;
  std::vector<FaceResult> faces_;
  QString message_;
  bool show_landmarks_ = true;
  int overlays_drawn_ = 0;
};

}  // namespace lldif::ui
