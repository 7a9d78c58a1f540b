// face_tracker.h - keeps a face's identity across frames and bridges frames where detection fails.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "core/face_detector.h"

namespace lldif {

struct TrackerOptions {
  float min_iou = 0.25f;          // a detection continues a track when their boxes overlap this much ...
  float max_centre_shift = 0.5f;  // ... or when its centre moved less than this fraction of the box size
  int max_missed = 10;            // a track survives this many consecutive frames without a detection
};

struct TrackedFace {
  int track_id = 0;
  cv::Rect2f box;
  double score = 0;       // detection score; 0 when coasting
  bool detected = false;  // false: the box is carried over from earlier frames
  int missed = 0;         // consecutive frames without a detection
};

// Greedy IoU association. Ids start at 1 and are never reused.
// Not thread safe (holds the tracks).
class FaceTracker {
 public:
  explicit FaceTracker(const TrackerOptions& options = {}) : options_(options) {}

  // ensures: one entry per live track (matched, new, or coasting), ordered by track id.
  std::vector<TrackedFace> update(const std::vector<FaceBox>& detections);

  // Moves a track's box (e.g. to the box implied by its landmarks), so a coasting track follows the face.
  void refine(int track_id, const cv::Rect2f& box);
  void reset();

 private:
  struct Track {
    int id;
    cv::Rect2f box;
    int missed;
  };
  TrackerOptions options_;
  std::vector<Track> tracks_;
  int next_id_ = 1;
};

float iou(const cv::Rect2f& a, const cv::Rect2f& b);

}  // namespace lldif
