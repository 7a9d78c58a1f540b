// histogram_panel.h - confidence histograms of clear vs low-light input, accumulated over the session
// (the paper's Fig. 6, live), with the means; Qt Charts. UI thread only.
#pragma once

#include <QWidget>

#include "core/confidence_histogram.h"

class QBarSet;
class QChart;
class QLabel;
class QValueAxis;

namespace lldif::ui {

class HistogramPanel : public QWidget {
  Q_OBJECT
 public:
  explicit HistogramPanel(QWidget* parent = nullptr);
  void addClear(double confidence);
  void addLowLight(double confidence);
  void reset();
  const ConfidenceHistogram& clear() const { return clear_; }
  const ConfidenceHistogram& lowLight() const { return dark_; }
  QString summary() const;
  bool exportPng(const QString& path);  // the panel as shown

 public slots:
  void redraw();

 private:
  ConfidenceHistogram clear_{10}, dark_{10};
  QBarSet* clear_set_;
  QBarSet* dark_set_;
  QChart* chart_;
  QValueAxis* y_axis_;
  QLabel* summary_;
  bool dirty_ = false;
};

}  // namespace lldif::ui
