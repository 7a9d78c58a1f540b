// video_view.h - shows the newest frame with its overlays: face boxes, track ids, landmarks, the top
// emotion with its probability and a compact bar of all 8 probabilities per face. In compare mode the
// clear and the darkened frame are shown side by side, each with its own predictions and the confidence
// gap per face.
#pragma once

#include <QImage>
#include <QWidget>
#include <array>
#include <vector>

#include "core/model/model_config.h"

namespace lldif::ui {

using ProbArray = std::array<float, kNumClasses>;

struct FaceOverlay {
  int track_id = 0;
  QRectF box;  // image coordinates
  bool detected = true;
  std::vector<QPointF> landmarks;
  bool has_emotion = false;
  ProbArray probs{};   // shown on the main (left) image, smoothed when smoothing is on
  ProbArray spread{};  // standard deviation over noise seeds
  bool has_dark = false;
  ProbArray dark_probs{};  // compare mode: on the dark (right) image
};

struct ViewFrame {
  QImage image;  // the main image (clear; dark in dark-room mode; the enhanced preview if asked)
  QImage dark;   // compare mode: the darkened frame, shown on the right; null otherwise
  QString caption, dark_caption;
  std::vector<FaceOverlay> faces;
};

// Where a face's label goes (panel pixels): above its box, or inside the top of the box when there is no
// room above it (a face that fills the image, e.g. a face crop). Stateless.
QRectF labelPlacement(const QRectF& box, const QSizeF& label, const QSizeF& panel);
// Where the bar of the 8 probabilities goes: under the box, or inside its bottom when there is no room.
QRectF barsPlacement(const QRectF& box, const QSizeF& bars, const QSizeF& panel);

// UI thread only. Holds a copy of the last frame and its overlays; paints them scaled to fit.
class VideoView : public QWidget {
  Q_OBJECT
 public:
  explicit VideoView(QWidget* parent = nullptr);

  void setFrame(ViewFrame frame);
  void clear(const QString& message);
  void setShowLandmarks(bool on);
  void setShowBars(bool on);
  void setShowUncertainty(bool on);
  void setSelectedTrack(int track_id);
  bool showLandmarks() const { return show_landmarks_; }

  const ViewFrame& frame() const { return frame_; }
  int overlaysDrawn() const { return overlays_drawn_; }       // faces painted in the last paint (tests)
  int emotionLabelsDrawn() const { return emotions_drawn_; }  // emotion labels painted in the last paint
  // The frame with its overlays at the image's own resolution (recording, screenshots of the video only).
  QImage renderAnnotated() const;

  QSize sizeHint() const override { return {800, 600}; }

 signals:
  void faceClicked(int track_id);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  // Draws the scene into a target area of the given size; returns the per-panel image rectangles.
  std::vector<QRectF> paintScene(QPainter& p, const QSizeF& area, int* overlays, int* emotions) const;
  void paintFaces(QPainter& p, const QRectF& target, double scale, bool dark_side, int* overlays,
                  int* emotions) const;

  ViewFrame frame_;
  QString message_;
  bool show_landmarks_ = true;
  bool show_bars_ = true;
  bool show_uncertainty_ = false;
  int selected_track_ = -1;
  int overlays_drawn_ = 0;
  int emotions_drawn_ = 0;
  std::vector<QRectF> panels_;  // where the images were painted last (for clicks)
};

// The colour of a class for the UI.
QColor classColor(int k);

}  // namespace lldif::ui
