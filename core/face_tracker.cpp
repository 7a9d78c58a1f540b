#include "core/face_tracker.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace lldif {

float iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

namespace {
float affinity(const cv::Rect2f& track, const cv::Rect2f& det, const TrackerOptions& o) {
  const float overlap = iou(track, det);
  if (overlap >= o.min_iou) return 1.0f + overlap;
  const cv::Point2f ct(track.x + track.width / 2, track.y + track.height / 2);
  const cv::Point2f cd(det.x + det.width / 2, det.y + det.height / 2);
  const float size = std::max(1.0f, std::sqrt(track.area()));
  const float shift = std::hypot(ct.x - cd.x, ct.y - cd.y) / size;
  const float ratio = det.area() / std::max(1.0f, track.area());
  if (shift < o.max_centre_shift && ratio > 0.5f && ratio < 2.0f) return 1.0f - shift;
  return 0.0f;
}
}  // namespace

std::vector<TrackedFace> FaceTracker::update(const std::vector<FaceBox>& detections) {
  std::vector<std::tuple<float, std::size_t, std::size_t>> pairs;
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    for (std::size_t d = 0; d < detections.size(); ++d) {
      const float a = affinity(tracks_[t].box, detections[d].rect, options_);
      if (a > 0) pairs.emplace_back(a, t, d);
    }
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& x, const auto& y) { return std::get<0>(x) > std::get<0>(y); });
  std::vector<int> det_of_track(tracks_.size(), -1);
  std::vector<bool> det_used(detections.size(), false);
  for (const auto& [a, t, d] : pairs) {
    if (det_of_track[t] >= 0 || det_used[d]) continue;
    det_of_track[t] = static_cast<int>(d);
    det_used[d] = true;
  }

  std::vector<TrackedFace> out;
  std::vector<Track> kept;
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    Track tr = tracks_[t];
    TrackedFace f;
    if (det_of_track[t] >= 0) {
      const FaceBox& d = detections[static_cast<std::size_t>(det_of_track[t])];
      tr.box = d.rect;
      tr.missed = 0;
      f.detected = true;
      f.score = d.score;
    } else {
      ++tr.missed;
      if (tr.missed > options_.max_missed) continue;
    }
    f.track_id = tr.id;
    f.box = tr.box;
    f.missed = tr.missed;
    kept.push_back(tr);
    out.push_back(f);
  }
  for (std::size_t d = 0; d < detections.size(); ++d) {
    if (det_used[d]) continue;
    Track tr{next_id_++, detections[d].rect, 0};
    kept.push_back(tr);
    TrackedFace f;
    f.track_id = tr.id;
    f.box = tr.box;
    f.detected = true;
    f.score = detections[d].score;
    out.push_back(f);
  }
  tracks_ = std::move(kept);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.track_id < b.track_id; });
  return out;
}

void FaceTracker::refine(int track_id, const cv::Rect2f& box) {
  for (auto& t : tracks_) {
    if (t.id == track_id) t.box = box;
  }
}

void FaceTracker::reset() { tracks_.clear(); }

}  // namespace lldif
