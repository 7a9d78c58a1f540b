#include "core/face_analyzer.h"

#include <algorithm>
#include <chrono>

#include <opencv2/imgproc.hpp>

#include "core/data_paths.h"
#include "core/image_io.h"
#include "core/lowlight.h"
#include "core/stopwatch.h"

namespace lldif {

namespace {
cv::Point2f stableCentroid(const Landmarks& l) {
  cv::Point2f s(0, 0);
  for (int i = 27; i <= 47; ++i) s += l[i];
  return s / 21.0f;
}
}  // namespace

FaceAnalyzer::FaceAnalyzer(const AnalyzerOptions& options, std::shared_ptr<const Landmarker> landmarker)
    : options_(options),
      landmarker_(landmarker ? std::move(landmarker)
                             : std::make_shared<const Landmarker>(defaultLandmarkModelPath())),
      detector_(options.detector),
      tracker_(options.tracker) {}

void FaceAnalyzer::setOptions(const AnalyzerOptions& options) {
  options_ = options;
  detector_.setOptions(options.detector);
  tracker_ = FaceTracker(options.tracker);
  box_offset_.clear();
}

FrameAnalysis FaceAnalyzer::analyzeStill(const cv::Mat& bgr) {
  return analyzeWith(bgr, false, options_.still_detector);
}

void FaceAnalyzer::resetTracking() {
  tracker_.reset();
  box_offset_.clear();
}

FrameAnalysis FaceAnalyzer::analyze(const cv::Mat& bgr, bool track) {
  return analyzeWith(bgr, track, options_.detector);
}

FrameAnalysis FaceAnalyzer::analyzeWith(const cv::Mat& bgr, bool track, const DetectorOptions& detector) {
  FrameAnalysis result;
  if (bgr.empty()) return result;
  if (!track) resetTracking();

  auto t0 = Clock::now();
  const cv::Mat gray = toGray(bgr);
  result.mean_luminance = cv::mean(gray)[0];
  cv::Mat search = gray;  // what detection and landmarks look at
  if (options_.enhance_dark && result.mean_luminance < options_.dark_threshold) {
    search = enhance(gray);
    result.enhanced = true;
  }
  result.times.prepare_ms = msSince(t0);

  if (options_.face_crop_max_side > 0 && std::max(gray.cols, gray.rows) <= options_.face_crop_max_side) {
    // A face crop (like FERPlus's 48x48 images): the whole image is the face, in its own framing as the
    // model was trained, whether dlib finds the face in it (its landmarks are then used) or not (landmarks
    // fitted in the mean FERPlus detector box). FerFaceAligner, FerFraming::Auto, as lldif eval reads crops.
    cv::Scalar mean, spread;
    cv::meanStdDev(gray, mean, spread);
    if (std::min(gray.cols, gray.rows) < options_.face_crop_min_side || spread[0] < 2.0) return result;
    t0 = Clock::now();
    if (!crop_aligner_) {
      FerFaceOptions fo;
      fo.framing = FerFraming::Auto;
      crop_aligner_ = std::make_unique<FerFaceAligner>(landmarker_, fo);
    }
    const FerFace f = crop_aligner_->align(gray);
    FaceResult face;
    face.track_id = 1;
    face.box = cv::Rect2f(0, 0, static_cast<float>(gray.cols), static_cast<float>(gray.rows));
    face.detected = f.detected;
    face.face_crop = true;
    face.own_framing = !f.template_aligned;
    cv::Matx23d crop_to_frame;
    cv::invertAffineTransform(f.aligned.frame_to_crop, crop_to_frame);
    face.landmarks = transformLandmarks(f.aligned.landmarks, crop_to_frame);
    face.aligned = f.aligned;
    result.times.landmarks_ms += msSince(t0);
    result.faces.push_back(std::move(face));
    return result;
  }

  t0 = Clock::now();
  std::vector<FaceBox> boxes = detector_.detect(search, detector);
  if (static_cast<int>(boxes.size()) > options_.max_faces)
    boxes.resize(static_cast<std::size_t>(options_.max_faces));
  std::vector<TrackedFace> tracked = tracker_.update(boxes);
  result.times.detect_ms = msSince(t0);

  for (const TrackedFace& tf : tracked) {
    FaceResult face;
    face.track_id = tf.track_id;
    face.box = tf.box;
    face.score = tf.score;
    face.detected = tf.detected;

    t0 = Clock::now();
    face.landmarks = landmarker_->predictGray(search, tf.box);
    const cv::Point2f centroid = stableCentroid(face.landmarks);
    if (tf.detected) {
      box_offset_[tf.track_id] =
          cv::Point2f(tf.box.x + tf.box.width / 2, tf.box.y + tf.box.height / 2) - centroid;
    } else if (auto it = box_offset_.find(tf.track_id); it != box_offset_.end()) {
      // Coasting: let the box follow the landmarks, so the face is not lost if it moves.
      const cv::Point2f c = centroid + it->second;
      cv::Rect2f moved(c.x - tf.box.width / 2, c.y - tf.box.height / 2, tf.box.width, tf.box.height);
      tracker_.refine(tf.track_id, moved);
    }
    result.times.landmarks_ms += msSince(t0);

    t0 = Clock::now();
    face.aligned = alignFace(gray, face.landmarks, options_.align);
    result.times.align_ms += msSince(t0);
    result.faces.push_back(std::move(face));
  }
  // Forget offsets of tracks that ended.
  for (auto it = box_offset_.begin(); it != box_offset_.end();) {
    const bool alive =
        std::any_of(tracked.begin(), tracked.end(), [&](const auto& t) { return t.track_id == it->first; });
    it = alive ? std::next(it) : box_offset_.erase(it);
  }
  return result;
}

AlignedFace cutSameFace(const cv::Mat& gray, const FaceResult& face, const AlignOptions& align) {
  if (!face.own_framing) return alignFace(gray, face.landmarks, align);
  AlignedFace out = face.aligned;
  cv::resize(gray, out.crop, face.aligned.crop.size(), 0, 0, cv::INTER_AREA);  // as FerFaceAligner frames it
  return out;
}

}  // namespace lldif
