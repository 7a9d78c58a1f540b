#include "ui/histogram_panel.h"

#include "ui/chart_axes.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

namespace lldif::ui {

HistogramPanel::HistogramPanel(QWidget* parent)
    : QWidget(parent),
      clear_set_(new QBarSet(tr("clear"))),
      dark_set_(new QBarSet(tr("low light"))),
      chart_(new QChart),
      y_axis_(new QValueAxis),
      summary_(new QLabel(this)) {
  auto* layout = new QVBoxLayout(this);
  clear_set_->setColor(QColor(250, 190, 40));
  dark_set_->setColor(QColor(60, 80, 170));
  auto* series = new QBarSeries;
  series->append(clear_set_);
  series->append(dark_set_);
  QStringList cats;
  for (int b = 0; b < clear_.bins(); ++b) {
    cats << QStringLiteral("%1").arg(static_cast<double>(b) / clear_.bins(), 0, 'f', 1);
    *clear_set_ << 0.0;
    *dark_set_ << 0.0;
  }
  chart_->addSeries(series);
  auto* x = new QBarCategoryAxis;
  x->append(cats);
  x->setTitleText(tr("top-class confidence (bin start)"));
  chart_->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
  y_axis_->setTitleText(tr("share of faces"));
  setNiceRange(y_axis_, 0, 0.5);
  chart_->addAxis(y_axis_, Qt::AlignLeft);
  series->attachAxis(y_axis_);
  chart_->setTitle(tr("Confidence: clear vs low light"));
  chart_->setMargins(QMargins(2, 2, 2, 2));
  auto* view = new QChartView(chart_, this);
  view->setMinimumHeight(260);
  layout->addWidget(view, 1);
  summary_->setWordWrap(true);
  layout->addWidget(summary_);
  auto* row = new QHBoxLayout;
  auto* reset_button = new QPushButton(tr("Reset"), this);
  reset_button->setToolTip(tr("Start accumulating again"));
  connect(reset_button, &QPushButton::clicked, this, &HistogramPanel::reset);
  row->addStretch(1);
  row->addWidget(reset_button);
  layout->addLayout(row);
  // Charts are redrawn at most 4 times a second, not per frame.
  auto* timer = new QTimer(this);
  connect(timer, &QTimer::timeout, this, [this] {
    if (dirty_) redraw();
  });
  timer->start(250);
  redraw();
}

void HistogramPanel::addClear(double c) {
  clear_.add(c);
  dirty_ = true;
}

void HistogramPanel::addLowLight(double c) {
  dark_.add(c);
  dirty_ = true;
}

void HistogramPanel::reset() {
  clear_.reset();
  dark_.reset();
  redraw();
}

QString HistogramPanel::summary() const {
  auto part = [](const char* name, const ConfidenceHistogram& h) {
    return h.total()
               ? QStringLiteral("%1: mean %2 over %3 faces").arg(name).arg(h.mean(), 0, 'f', 3).arg(h.total())
               : QStringLiteral("%1: none yet").arg(name);
  };
  QString s = part("clear", clear_) + "   |   " + part("low light", dark_);
  if (clear_.total() && dark_.total())
    s += QStringLiteral("   |   gap %1").arg(dark_.mean() - clear_.mean(), 0, 'f', 3);
  return s;
}

void HistogramPanel::redraw() {
  dirty_ = false;
  const auto a = clear_.shares(), b = dark_.shares();
  double top = 0.1;
  for (int i = 0; i < clear_.bins(); ++i) {
    clear_set_->replace(i, a[static_cast<std::size_t>(i)]);
    dark_set_->replace(i, b[static_cast<std::size_t>(i)]);
    top = std::max({top, a[static_cast<std::size_t>(i)], b[static_cast<std::size_t>(i)]});
  }
  setNiceRange(y_axis_, 0, std::min(1.0, top * 1.15));
  clear_set_->setLabel(clear_.total() ? tr("clear (mean %1)").arg(clear_.mean(), 0, 'f', 3) : tr("clear"));
  dark_set_->setLabel(dark_.total() ? tr("low light (mean %1)").arg(dark_.mean(), 0, 'f', 3)
                                    : tr("low light"));
  summary_->setText(summary() +
                    tr("\nClear: clear mode and the clear pass of compare mode. Low light: dark-room "
                       "mode, the dark pass of compare mode, and 'camera is already dark'."));
}

bool HistogramPanel::exportPng(const QString& path) {
  redraw();
  return grab().save(path, "PNG");
}

}  // namespace lldif::ui
