#include "ui/face_panel.h"

#include "ui/chart_axes.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QValueAxis>

namespace lldif::ui {

FacePanel::FacePanel(QWidget* parent)
    : QWidget(parent),
      title_(new QLabel(tr("No face yet"), this)),
      window_spin_(new QSpinBox(this)),
      bar_chart_(new QChart),
      line_chart_(new QChart),
      time_axis_(new QValueAxis) {
  auto* layout = new QVBoxLayout(this);
  QFont f = title_->font();
  f.setBold(true);
  title_->setFont(f);
  layout->addWidget(title_);

  // Probabilities: one bar set per class (so each bar has its emotion's colour).
  auto* series = new QBarSeries;
  QStringList cats;
  cats << tr("probability");
  for (int k = 0; k < kNumClasses; ++k) {
    bars_[static_cast<std::size_t>(k)] =
        new QBarSet(QString::fromLatin1(kClassNames[static_cast<std::size_t>(k)]));
    bars_[static_cast<std::size_t>(k)]->setColor(classColor(k));
    *bars_[static_cast<std::size_t>(k)] << 0.0;
    series->append(bars_[static_cast<std::size_t>(k)]);
  }
  bar_chart_->addSeries(series);
  auto* ay = new QValueAxis;
  setNiceRange(ay, 0, 1);  // 0, 0.2, ... 1
  bar_chart_->addAxis(ay, Qt::AlignLeft);
  series->attachAxis(ay);
  auto* ax = new QBarCategoryAxis;
  ax->append(cats);
  bar_chart_->addAxis(ax, Qt::AlignBottom);
  series->attachAxis(ax);
  bar_chart_->legend()->setAlignment(Qt::AlignRight);
  bar_chart_->setMargins(QMargins(2, 2, 2, 2));
  auto* bar_view = new QChartView(bar_chart_, this);
  bar_view->setMinimumHeight(200);
  layout->addWidget(bar_view, 1);

  auto* row = new QHBoxLayout;
  row->addWidget(new QLabel(tr("Timeline of the last"), this));
  window_spin_->setRange(2, 120);
  window_spin_->setValue(window_s_);
  window_spin_->setSuffix(tr(" s"));
  row->addWidget(window_spin_);
  row->addStretch(1);
  layout->addLayout(row);
  connect(window_spin_, &QSpinBox::valueChanged, this, &FacePanel::setWindowSeconds);

  for (int k = 0; k < kNumClasses; ++k) {
    auto* l = new QLineSeries;
    l->setName(QString::fromLatin1(kClassNames[static_cast<std::size_t>(k)]));
    l->setColor(classColor(k));
    line_chart_->addSeries(l);
    lines_[static_cast<std::size_t>(k)] = l;
  }
  auto* py = new QValueAxis;
  setNiceRange(py, 0, 1);
  time_axis_->setTitleText(tr("seconds"));
  setNiceRange(time_axis_, -window_s_, 0, 6);
  line_chart_->addAxis(time_axis_, Qt::AlignBottom);
  line_chart_->addAxis(py, Qt::AlignLeft);
  for (auto* l : lines_) {
    l->attachAxis(time_axis_);
    l->attachAxis(py);
  }
  line_chart_->legend()->hide();
  line_chart_->setMargins(QMargins(2, 2, 2, 2));
  auto* line_view = new QChartView(line_chart_, this);
  line_view->setMinimumHeight(180);
  layout->addWidget(line_view, 1);
}

void FacePanel::setWindowSeconds(int s) {
  window_s_ = s;
  setNiceRange(time_axis_, -window_s_, 0, 6);  // e.g. -10, -8, ... 0
  redraw();
}

void FacePanel::select(int track_id) {
  if (track_id == track_) return;
  track_ = track_id;
  history_.clear();
  redraw();
}

void FacePanel::noFace() {
  if (track_ < 0) return;
  title_->setText(tr("Face #%1 (not in view)").arg(track_));
}

void FacePanel::addSample(double t, int track_id, const ProbArray& probs, const ProbArray& spread) {
  if (track_ < 0 || (track_id != track_ && last_seen_ >= 0 && t - last_seen_ > 2.0)) select(track_id);
  if (track_id != track_) return;
  if (!history_.empty() && t < history_.back().t) history_.clear();  // video looped or seeked back
  last_seen_ = t;
  current_ = probs;
  spread_ = spread;
  history_.push_back({t, probs});
  while (!history_.empty() && history_.front().t < t - window_s_) history_.pop_front();
  redraw();
}

void FacePanel::redraw() {
  if (track_ < 0) return;
  const int top = static_cast<int>(std::max_element(current_.begin(), current_.end()) - current_.begin());
  title_->setText(tr("Face #%1: %2 %3%")
                      .arg(track_)
                      .arg(QString::fromLatin1(kClassNames[static_cast<std::size_t>(top)]))
                      .arg(qRound(100 * current_[static_cast<std::size_t>(top)])));
  for (int k = 0; k < kNumClasses; ++k)
    bars_[static_cast<std::size_t>(k)]->replace(0, current_[static_cast<std::size_t>(k)]);
  const double t1 = history_.empty() ? 0 : history_.back().t;
  for (int k = 0; k < kNumClasses; ++k) {
    QList<QPointF> pts;
    pts.reserve(static_cast<qsizetype>(history_.size()));
    for (const Sample& s : history_) pts.append(QPointF(s.t - t1, s.p[static_cast<std::size_t>(k)]));
    lines_[static_cast<std::size_t>(k)]->replace(pts);
  }
}

}  // namespace lldif::ui
