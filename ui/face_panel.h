// face_panel.h - the selected face: its 8 probabilities (bar chart) and a timeline of the last N seconds
// (one line per emotion), Qt Charts. UI thread only.
#pragma once

#include <QWidget>
#include <deque>

#include "ui/video_view.h"

class QLabel;
class QSpinBox;
class QChart;
class QBarSet;
class QLineSeries;
class QValueAxis;

namespace lldif::ui {

class FacePanel : public QWidget {
  Q_OBJECT
 public:
  explicit FacePanel(QWidget* parent = nullptr);
  // A new result for a face; only the selected track is shown (the first face seen when none is).
  void addSample(double time_s, int track_id, const ProbArray& probs, const ProbArray& spread);
  void noFace();
  void select(int track_id);
  int selectedTrack() const { return track_; }
  int samples() const { return static_cast<int>(history_.size()); }  // in the timeline now
  void setWindowSeconds(int s);

 private:
  struct Sample {
    double t;
    ProbArray p;
  };
  void redraw();

  int track_ = -1;
  double last_seen_ = -1;
  std::deque<Sample> history_;
  ProbArray current_{};
  ProbArray spread_{};
  int window_s_ = 10;
  QLabel* title_;
  QSpinBox* window_spin_;
  std::array<QBarSet*, kNumClasses> bars_{};
  QChart* bar_chart_;
  QChart* line_chart_;
  std::array<QLineSeries*, kNumClasses> lines_{};
  QValueAxis* time_axis_;
};

}  // namespace lldif::ui
