#include "ui/video_view.h"

#include <QPainter>
#include <QPainterPath>

namespace lldif::ui {

VideoView::VideoView(QWidget* parent) : QWidget(parent) {
  setAttribute(Qt::WA_OpaquePaintEvent);
  setMinimumSize(320, 240);
}

void VideoView::setFrame(const QImage& image, std::vector<FaceResult> faces) {
  image_ = image;
  faces_ = std::move(faces);
  message_.clear();
  update();
}

void VideoView::clear(const QString& message) {
  image_ = QImage();
  faces_.clear();
  message_ = message;
  update();
}

void VideoView::setShowLandmarks(bool on) {
  show_landmarks_ = on;
  update();
}

void VideoView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(24, 24, 28));
  overlays_drawn_ = 0;
  if (image_.isNull()) {
    p.setPen(QColor(200, 200, 200));
    p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, message_.isEmpty() ? tr("No source") : message_);
    return;
  }
  const QSizeF fitted = QSizeF(image_.size()).scaled(size(), Qt::KeepAspectRatio);
  const QRectF target((width() - fitted.width()) / 2, (height() - fitted.height()) / 2, fitted.width(),
                      fitted.height());
  p.setRenderHint(QPainter::SmoothPixmapTransform);
  p.drawImage(target, image_);

  const double s = fitted.width() / image_.width();
  p.translate(target.topLeft());
  p.setRenderHint(QPainter::Antialiasing);
  QFont font = p.font();
  font.setBold(true);
  p.setFont(font);
  for (const FaceResult& f : faces_) {
    const QRectF box(f.box.x * s, f.box.y * s, f.box.width * s, f.box.height * s);
    const QColor colour =
        f.detected ? QColor(80, 220, 120) : QColor(240, 190, 60);  // green; amber when coasting
    p.setPen(QPen(colour, 2, f.detected ? Qt::SolidLine : Qt::DashLine));
    p.setBrush(Qt::NoBrush);
    p.drawRect(box);
    const QString label = QStringLiteral("#%1").arg(f.track_id);
    const QRectF label_rect(box.left(), box.top() - 20, p.fontMetrics().horizontalAdvance(label) + 10, 20);
    p.fillRect(label_rect, colour);
    p.setPen(Qt::black);
    p.drawText(label_rect, Qt::AlignCenter, label);
    if (show_landmarks_) {
      p.setPen(Qt::NoPen);
      p.setBrush(QColor(90, 200, 255));
      const double r = std::max(1.5, 1.2 * s);
      for (const auto& pt : f.landmarks) p.drawEllipse(QPointF(pt.x * s, pt.y * s), r, r);
    }
    ++overlays_drawn_;
  }
}

}  // namespace lldif::ui
