// tsne_panel.h - the diffusion-step t-SNE (the paper's Fig. 7, live): the prior Z_t at each reverse step
// T..0 for faces seen in this session plus the shipped reference set, projected by t-SNE on a background
// thread (never on the UI thread), shown one step at a time with a slider, coloured by predicted emotion.
// UI thread only (the worker thread only computes and posts its result back).
#pragma once

#include <QWidget>
#include <atomic>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "core/trajectory_set.h"

class QChart;
class QLabel;
class QPushButton;
class QScatterSeries;
class QSlider;
class QValueAxis;

namespace lldif::ui {

class TsnePanel : public QWidget {
  Q_OBJECT
 public:
  explicit TsnePanel(QWidget* parent = nullptr);
  ~TsnePanel() override;

  // The shipped reference set (may be empty). Replaces the current one.
  void setReference(TrajectorySet reference);
  // A face of this session; kept at most every min_interval_s per track and up to max_session faces.
  void addFace(double time_s, int track_id, const std::vector<std::vector<float>>& trajectory, int predicted);
  void clearSession();

  std::size_t referenceFaces() const { return reference_.size(); }
  std::size_t sessionFaces() const { return session_.size(); }
  bool computing() const { return worker_running_; }
  bool hasSnapshot() const { return !points_.empty(); }
  int step() const;
  bool exportPng(const QString& path);  // all steps side by side (core's small multiples)

 public slots:
  void refresh();  // starts a t-SNE run in the background (cancels a running one)
  void showStep(int slider_value);

 signals:
  void snapshotReady();

 private:
  void onResult(std::shared_ptr<TrajectorySet> set, std::vector<std::vector<cv::Point2f>> points,
                std::size_t session_from, std::uint64_t generation);
  void stopWorker();

  TrajectorySet reference_, session_;
  std::map<int, double> last_added_;
  double min_interval_s_ = 1.0;
  std::size_t max_session_ = 300;
  std::shared_ptr<TrajectorySet> shown_set_;
  std::vector<std::vector<cv::Point2f>> points_;
  std::size_t shown_session_from_ = 0;
  std::thread worker_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  bool worker_running_ = false;
  std::uint64_t generation_ = 0;

  QLabel* status_;
  QSlider* slider_;
  QLabel* step_label_;
  QPushButton* refresh_button_;
  QChart* chart_;
  QValueAxis* ax_;
  QValueAxis* ay_;
  std::vector<QScatterSeries*> ref_series_, session_series_;
};

}  // namespace lldif::ui
