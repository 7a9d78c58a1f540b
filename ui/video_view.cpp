#include "ui/video_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

#include "core/emotion_colors.h"

namespace lldif::ui {

QColor classColor(int k) {
  const Rgb c = kClassColors[static_cast<std::size_t>(std::clamp(k, 0, kNumClasses - 1))];
  return QColor(c.r, c.g, c.b);
}

namespace {
int topOf(const ProbArray& p) { return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin()); }
}  // namespace

VideoView::VideoView(QWidget* parent) : QWidget(parent) {
  setAttribute(Qt::WA_OpaquePaintEvent);
  setMinimumSize(320, 240);
}

void VideoView::setFrame(ViewFrame frame) {
  frame_ = std::move(frame);
  message_.clear();
  update();
}

void VideoView::clear(const QString& message) {
  frame_ = ViewFrame{};
  message_ = message;
  update();
}

void VideoView::setShowLandmarks(bool on) {
  show_landmarks_ = on;
  update();
}
void VideoView::setShowBars(bool on) {
  show_bars_ = on;
  update();
}
void VideoView::setShowUncertainty(bool on) {
  show_uncertainty_ = on;
  update();
}
void VideoView::setSelectedTrack(int track_id) {
  selected_track_ = track_id;
  update();
}

std::vector<QRectF> VideoView::paintScene(QPainter& p, const QSizeF& area, int* overlays,
                                          int* emotions) const {
  std::vector<QRectF> panels;
  const bool two = !frame_.dark.isNull();
  const double gap = two ? 8.0 : 0.0;
  const QSizeF img = frame_.image.size();
  const QSizeF both(two ? 2 * img.width() + gap : img.width(), img.height());
  const QSizeF fitted = both.scaled(area, Qt::KeepAspectRatio);
  const double s = fitted.width() / both.width();
  const QPointF origin((area.width() - fitted.width()) / 2, (area.height() - fitted.height()) / 2);
  p.setRenderHint(QPainter::SmoothPixmapTransform);
  p.setRenderHint(QPainter::Antialiasing);
  for (int side = 0; side < (two ? 2 : 1); ++side) {
    const QRectF target(origin.x() + side * (img.width() + gap) * s, origin.y(), img.width() * s,
                        img.height() * s);
    p.drawImage(target, side == 0 ? frame_.image : frame_.dark);
    panels.push_back(target);
    const QString caption = side == 0 ? frame_.caption : frame_.dark_caption;
    if (!caption.isEmpty()) {
      QFont f = p.font();
      f.setBold(true);
      p.setFont(f);
      const QRectF r(target.left() + 6, target.top() + 6, p.fontMetrics().horizontalAdvance(caption) + 12,
                     22);
      p.fillRect(r, QColor(0, 0, 0, 160));
      p.setPen(Qt::white);
      p.drawText(r, Qt::AlignCenter, caption);
    }
    paintFaces(p, target, s, side == 1, overlays, emotions);
  }
  return panels;
}

QRectF labelPlacement(const QRectF& box, const QSizeF& label, const QSizeF& panel) {
  const double above = box.top() - label.height();
  const double y =
      above >= 0 ? above : std::clamp(box.top(), 0.0, std::max(0.0, panel.height() - label.height()));
  const double x = std::clamp(box.left(), 0.0, std::max(0.0, panel.width() - label.width()));
  return {x, y, label.width(), label.height()};
}

QRectF barsPlacement(const QRectF& box, const QSizeF& bars, const QSizeF& panel) {
  const double below = box.bottom() + 4;
  const double y =
      below + bars.height() <= panel.height()
          ? below
          : std::clamp(box.bottom() - bars.height() - 4, 0.0, std::max(0.0, panel.height() - bars.height()));
  const double x = std::clamp(box.left(), 0.0, std::max(0.0, panel.width() - bars.width()));
  return {x, y, bars.width(), bars.height()};
}

void VideoView::paintFaces(QPainter& p, const QRectF& target, double s, bool dark_side, int* overlays,
                           int* emotions) const {
  p.save();
  p.translate(target.topLeft());
  p.setClipRect(QRectF(QPointF(0, 0), target.size()));
  QFont font = p.font();
  font.setBold(true);
  font.setPixelSize(std::clamp(static_cast<int>(13 * std::max(1.0, s * 0.8)), 11, 22));
  p.setFont(font);
  const QFontMetrics fm(font);
  for (const FaceOverlay& f : frame_.faces) {
    const QRectF box(f.box.x() * s, f.box.y() * s, f.box.width() * s, f.box.height() * s);
    const bool selected = f.track_id == selected_track_;
    const QColor colour = f.detected ? QColor(80, 220, 120) : QColor(240, 190, 60);  // amber: coasting
    p.setPen(QPen(selected ? QColor(255, 255, 255) : colour, selected ? 3 : 2,
                  f.detected ? Qt::SolidLine : Qt::DashLine));
    p.setBrush(Qt::NoBrush);
    p.drawRect(box);
    if (show_landmarks_) {
      p.setPen(Qt::NoPen);
      p.setBrush(QColor(90, 200, 255));
      const double r = std::clamp(1.2 * s, 1.5, 3.5);  // screen pixels, however far the image is zoomed
      for (const auto& pt : f.landmarks) p.drawEllipse(QPointF(pt.x() * s, pt.y() * s), r, r);
    }
    // Label: "#id  emotion 87%" (+- spread) in the colour of the emotion.
    QString label = QStringLiteral("#%1").arg(f.track_id);
    QColor label_colour = colour;
    const bool show_emotion = f.has_emotion && (!dark_side || f.has_dark);
    const ProbArray& probs = dark_side ? f.dark_probs : f.probs;
    if (show_emotion) {
      const int k = topOf(probs);
      label += QStringLiteral("  %1 %2%")
                   .arg(QString::fromLatin1(kClassNames[static_cast<std::size_t>(k)]))
                   .arg(qRound(100 * probs[static_cast<std::size_t>(k)]));
      if (show_uncertainty_ && !dark_side && f.spread[static_cast<std::size_t>(k)] > 0)
        label += QStringLiteral(" \u00b1%1").arg(qRound(100 * f.spread[static_cast<std::size_t>(k)]));
      if (dark_side) {
        // Confidence gap: top-class confidence on the dark face minus on the clear face.
        const float gap =
            probs[static_cast<std::size_t>(k)] - f.probs[static_cast<std::size_t>(topOf(f.probs))];
        label += QStringLiteral("  (%1%2)").arg(gap >= 0 ? "+" : "").arg(qRound(100 * gap));
      }
      label_colour = classColor(k);
      if (emotions) ++*emotions;
    }
    const QRectF label_rect =
        labelPlacement(box, QSizeF(fm.horizontalAdvance(label) + 12, fm.height() + 6), target.size());
    p.fillRect(label_rect, label_colour);
    p.setPen(label_colour.lightness() > 140 ? Qt::black : Qt::white);
    p.drawText(label_rect, Qt::AlignCenter, label);
    // Compact bar of all 8 probabilities under the box.
    if (show_emotion && show_bars_) {
      const double bw = std::max(6.0, box.width() / kNumClasses),
                   bh = std::clamp(0.35 * box.height(), 24.0, 80.0);
      const QRectF area = barsPlacement(box, QSizeF(bw * kNumClasses, bh), target.size());
      p.fillRect(area, QColor(0, 0, 0, 150));
      for (int k = 0; k < kNumClasses; ++k) {
        const double h = (bh - 2) * probs[static_cast<std::size_t>(k)];
        p.fillRect(QRectF(area.left() + k * bw + 1, area.bottom() - 1 - h, bw - 2, h), classColor(k));
      }
    }
    if (overlays) ++*overlays;
  }
  p.restore();
}

void VideoView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(24, 24, 28));
  overlays_drawn_ = 0;
  emotions_drawn_ = 0;
  if (frame_.image.isNull()) {
    p.setPen(QColor(200, 200, 200));
    p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, message_.isEmpty() ? tr("No source") : message_);
    panels_.clear();
    return;
  }
  panels_ = paintScene(p, size(), &overlays_drawn_, &emotions_drawn_);
}

QImage VideoView::renderAnnotated() const {
  if (frame_.image.isNull()) return {};
  const bool two = !frame_.dark.isNull();
  QImage out(two ? 2 * frame_.image.width() + 8 : frame_.image.width(), frame_.image.height(),
             QImage::Format_RGB888);
  out.fill(QColor(24, 24, 28));
  QPainter p(&out);
  paintScene(p, out.size(), nullptr, nullptr);
  return out;
}

void VideoView::mousePressEvent(QMouseEvent* event) {
  if (panels_.empty() || frame_.image.isNull()) return;
  for (const QRectF& panel : panels_) {
    if (!panel.contains(event->position())) continue;
    const double s = panel.width() / frame_.image.width();
    const QPointF pt = (event->position() - panel.topLeft()) / s;
    for (const FaceOverlay& f : frame_.faces) {
      if (f.box.adjusted(-10, -30, 10, 10).contains(pt)) {
        emit faceClicked(f.track_id);
        return;
      }
    }
  }
}

}  // namespace lldif::ui
