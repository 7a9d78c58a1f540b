#include "ui/tsne_panel.h"

#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QLegendMarker>
#include <QHBoxLayout>
#include <QLabel>
#include <QMetaObject>
#include <QPointer>
#include <QPushButton>
#include <QScatterSeries>
#include <QSlider>
#include <QVBoxLayout>
#include <QValueAxis>

#include "core/image_io.h"
#include "ui/video_view.h"

namespace lldif::ui {

TsnePanel::TsnePanel(QWidget* parent)
    : QWidget(parent),
      status_(new QLabel(this)),
      slider_(new QSlider(Qt::Horizontal, this)),
      step_label_(new QLabel(this)),
      refresh_button_(new QPushButton(tr("Refresh"), this)),
      chart_(new QChart),
      ax_(new QValueAxis),
      ay_(new QValueAxis) {
  auto* layout = new QVBoxLayout(this);
  status_->setWordWrap(true);
  layout->addWidget(status_);
  for (int pass = 0; pass < 2; ++pass) {
    for (int k = 0; k < kNumClasses; ++k) {
      auto* s = new QScatterSeries;
      const QString name = QString::fromLatin1(kClassNames[static_cast<std::size_t>(k)]);
      s->setName(pass == 0 ? name : name + tr(" (session)"));
      QColor c = classColor(k);
      if (pass == 0) {
        c.setAlpha(150);
        s->setMarkerSize(7);
        s->setBorderColor(c);
      } else {
        s->setMarkerSize(12);
        s->setBorderColor(QColor(20, 20, 20));
      }
      s->setColor(c);
      chart_->addSeries(s);

      (pass == 0 ? ref_series_ : session_series_).push_back(s);
    }
  }
  chart_->addAxis(ax_, Qt::AlignBottom);
  chart_->addAxis(ay_, Qt::AlignLeft);
  for (auto* s : ref_series_) {
    s->attachAxis(ax_);
    s->attachAxis(ay_);
  }
  for (auto* s : session_series_) {
    s->attachAxis(ax_);
    s->attachAxis(ay_);
  }
  ax_->setLabelsVisible(false);
  ay_->setLabelsVisible(false);
  chart_->legend()->setAlignment(Qt::AlignRight);
  // Only the 8 reference entries in the legend (session markers are the same colours, larger, ringed).
  for (auto* s : session_series_)
    for (auto* m : chart_->legend()->markers(s)) m->setVisible(false);
  chart_->setMargins(QMargins(2, 2, 2, 2));
  auto* view = new QChartView(chart_, this);
  view->setMinimumHeight(300);
  layout->addWidget(view, 1);

  auto* row = new QHBoxLayout;
  row->addWidget(new QLabel(tr("Step"), this));
  slider_->setEnabled(false);
  row->addWidget(slider_, 1);
  row->addWidget(step_label_);
  layout->addLayout(row);
  auto* buttons = new QHBoxLayout;
  auto* clear_button = new QPushButton(tr("Forget session faces"), this);
  buttons->addWidget(clear_button);
  buttons->addStretch(1);
  buttons->addWidget(refresh_button_);
  layout->addLayout(buttons);
  connect(slider_, &QSlider::valueChanged, this, &TsnePanel::showStep);
  connect(refresh_button_, &QPushButton::clicked, this, &TsnePanel::refresh);
  connect(clear_button, &QPushButton::clicked, this, &TsnePanel::clearSession);
  status_->setText(tr("No snapshot yet: press Refresh."));
}

TsnePanel::~TsnePanel() { stopWorker(); }

void TsnePanel::stopWorker() {
  if (cancel_) cancel_->store(true);
  if (worker_.joinable()) worker_.join();
  worker_running_ = false;
}

void TsnePanel::setReference(TrajectorySet reference) { reference_ = std::move(reference); }

void TsnePanel::addFace(double t, int track, const std::vector<std::vector<float>>& traj, int predicted) {
  if (traj.empty()) return;
  auto it = last_added_.find(track);
  if (it != last_added_.end() && t >= it->second && t - it->second < min_interval_s_) return;
  if (session_.size() >= max_session_) return;
  const TrajectorySet& shape = reference_.size() ? reference_ : session_;
  if (shape.size() && (static_cast<int>(traj.size()) != shape.steps ||
                       static_cast<int>(traj[0].size()) != shape.dim))
    return;  // a model with another T or C than the reference: cannot be projected together
  session_.add(traj, predicted);
  last_added_[track] = t;
}

void TsnePanel::clearSession() {
  session_ = TrajectorySet{};
  last_added_.clear();
}

void TsnePanel::refresh() {
  stopWorker();
  auto set = std::make_shared<TrajectorySet>(reference_);
  const std::size_t session_from = set->size();
  for (std::size_t i = 0; i < session_.size(); ++i) set->add(session_.z[i], session_.predicted[i]);
  if (set->size() < 5) {
    status_->setText(tr("Not enough faces for a t-SNE yet (%1): let some faces pass, or install the reference "
                        "set (models/lldif_reference.trj).")
                         .arg(set->size()));
    return;
  }
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  const std::uint64_t gen = ++generation_;
  worker_running_ = true;
  refresh_button_->setEnabled(false);
  status_->setText(tr("Computing the t-SNE of %1 faces (%2 reference + %3 from this session) in the "
                      "background...")
                       .arg(set->size())
                       .arg(session_from)
                       .arg(set->size() - session_from));
  QPointer<TsnePanel> self(this);
  auto cancel = cancel_;
  worker_ = std::thread([self, set, session_from, gen, cancel] {
    std::vector<std::vector<cv::Point2f>> pts;
    try {
      TsneOptions o;
      o.iterations = 500;
      pts = tsneSnapshots(*set, o, cancel.get());
    } catch (const TsneCancelled&) {
      return;
    } catch (const std::exception&) {
      pts.clear();
    }
    QMetaObject::invokeMethod(
        self.data(),
        [self, set, pts, session_from, gen] {
          if (self) self->onResult(set, pts, session_from, gen);
        },
        Qt::QueuedConnection);
  });
}

void TsnePanel::onResult(std::shared_ptr<TrajectorySet> set, std::vector<std::vector<cv::Point2f>> points,
                         std::size_t session_from, std::uint64_t generation) {
  if (generation != generation_) return;
  if (worker_.joinable()) worker_.join();
  worker_running_ = false;
  refresh_button_->setEnabled(true);
  if (points.empty()) {
    status_->setText(tr("The t-SNE failed."));
    return;
  }
  shown_set_ = std::move(set);
  points_ = std::move(points);
  shown_session_from_ = session_from;
  status_->setText(tr("%1 reference faces (small) and %2 faces of this session (large, ringed), coloured by "
                      "predicted emotion. Slide from Z_T (pure noise) to Z_0 (the prior the LLformer uses).")
                       .arg(session_from)
                       .arg(shown_set_->size() - session_from));
  slider_->setEnabled(true);
  slider_->setRange(0, static_cast<int>(points_.size()) - 1);
  slider_->setValue(static_cast<int>(points_.size()) - 1);
  showStep(slider_->value());
  emit snapshotReady();
}

int TsnePanel::step() const { return points_.empty() ? -1 : static_cast<int>(points_.size()) - 1 - slider_->value(); }

void TsnePanel::showStep(int v) {
  if (points_.empty() || v < 0 || v >= static_cast<int>(points_.size())) return;
  const int T = static_cast<int>(points_.size()) - 1;
  step_label_->setText(QStringLiteral("Z_%1").arg(T - v));
  chart_->setTitle(tr("Prior Z_%1 (reverse step %2 of %3)").arg(T - v).arg(v).arg(T));
  std::vector<QList<QPointF>> ref(kNumClasses), ses(kNumClasses);
  const auto& pts = points_[static_cast<std::size_t>(v)];
  float x0 = 1e9f, x1 = -1e9f, y0 = 1e9f, y1 = -1e9f;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const int k = std::clamp(shown_set_->predicted[i], 0, kNumClasses - 1);
    (i >= shown_session_from_ ? ses : ref)[static_cast<std::size_t>(k)].append(QPointF(pts[i].x, pts[i].y));
    x0 = std::min(x0, pts[i].x);
    x1 = std::max(x1, pts[i].x);
    y0 = std::min(y0, pts[i].y);
    y1 = std::max(y1, pts[i].y);
  }
  for (int k = 0; k < kNumClasses; ++k) {
    ref_series_[static_cast<std::size_t>(k)]->replace(ref[static_cast<std::size_t>(k)]);
    session_series_[static_cast<std::size_t>(k)]->replace(ses[static_cast<std::size_t>(k)]);
  }
  const float mx = 0.05f * (x1 - x0 + 1e-3f), my = 0.05f * (y1 - y0 + 1e-3f);
  ax_->setRange(x0 - mx, x1 + mx);
  ay_->setRange(y0 - my, y1 + my);
}

bool TsnePanel::exportPng(const QString& path) {
  if (points_.empty() || !shown_set_) return false;
  try {
    saveImage(path.toStdString(),
              drawTsneSnapshots(*shown_set_, points_,
                                "LLDif Viewer: t-SNE of the prior Z_t per reverse step (" +
                                    std::to_string(shown_session_from_) + " reference faces, " +
                                    std::to_string(shown_set_->size() - shown_session_from_) +
                                    " session faces ringed; colour: predicted emotion)",
                                shown_session_from_));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace lldif::ui
