// face_analyzer.h - the non-ML half of the per-frame pipeline:
//   frame -> (enhance if dark) -> detect -> track -> 68 landmarks -> aligned 48x48 crop + heatmaps.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "core/face_aligner.h"
#include "core/face_detector.h"
#include "core/face_tracker.h"
#include "core/fer_face.h"
#include "core/landmarker.h"
#include "core/lowlight.h"

namespace lldif {

struct AnalyzerOptions {
  DetectorOptions detector;  // video frames (analyze)
  // Still photos (analyzeStill: an image, an image folder): searched at full resolution, with a fallback
  // for faces scored just below dlib's default.
  DetectorOptions still_detector = DetectorOptions::stills();
  TrackerOptions tracker;
  AlignOptions align;
  // Dark frames (mean luminance below dark_threshold) are enhanced (gamma + CLAHE) for detection and
  // landmarks only; the aligned crop is always cut from the raw frame, which is what the model sees.
  bool enhance_dark = true;
  double dark_threshold = kDarkMeanLuminance;
  int max_faces = 16;
  // A frame whose longer side is at most this many pixels is a face crop (like FERPlus's 48x48 images):
  // read as one face in its own framing, as the model was trained and as lldif eval reads crops
  // (FerFaceAligner, FerFraming::Auto), with dlib's landmarks where it finds the face (up to 768 px) and
  // else landmarks fitted in the mean FERPlus detector box; FaceResult::face_crop is set. 0: never.
  // Smaller than face_crop_min_side on either side, or blank (a gray-level spread under 2), it holds no face.
  int face_crop_max_side = 96;
  int face_crop_min_side = 16;
};

struct FaceResult {
  int track_id = 0;
  cv::Rect2f box;            // frame coordinates
  double score = 0;          // detection score (0 when the tracker carried the face over a missed frame)
  bool detected = false;     // found by dlib in this frame (in a face crop: the crop's landmarks are dlib's)
  bool face_crop = false;    // the whole frame read as the face (AnalyzerOptions::face_crop_max_side)
  bool own_framing = false;  // a face crop read in its own framing (its crop is the frame resized), not
                             // aligned to the template
  Landmarks landmarks;       // frame coordinates
  AlignedFace aligned;
};

struct StageTimes {
  double prepare_ms = 0;  // gray conversion (+ enhancement of dark frames)
  double detect_ms = 0;
  double landmarks_ms = 0;  // all faces
  double align_ms = 0;      // all faces
  double total() const { return prepare_ms + detect_ms + landmarks_ms + align_ms; }
};

struct FrameAnalysis {
  std::vector<FaceResult> faces;  // ordered by track id
  StageTimes times;
  bool enhanced = false;  // the frame was dark and enhanced for detection
  double mean_luminance = 0;
};

// The same face cut from another version of the frame it was found in (darkened, say), framed as
// face.aligned was: a face crop in its own framing is resized whole (exactly as it was), any other face
// aligned to the template from the same landmarks (a face crop aligned that way was aligned on an upsampled
// copy: the same framing, slightly other resampling). So two readings of a face differ by what was done to
// the frame. requires: gray is 8-bit gray, the size of that frame. Thread safe.
AlignedFace cutSameFace(const cv::Mat& gray, const FaceResult& face, const AlignOptions& align);

// Not thread safe (detector scratch + tracker state): one analyzer per processing thread. The landmark
// model may be shared between analyzers.
class FaceAnalyzer {
 public:
  // throws: ModelFileError when the landmark model cannot be loaded.
  explicit FaceAnalyzer(const AnalyzerOptions& options = {},
                        std::shared_ptr<const Landmarker> landmarker = nullptr);

  // track = false treats the frame as unrelated to the previous one (still images, batches).
  FrameAnalysis analyze(const cv::Mat& bgr, bool track = true);
  // A still photo, unrelated to the frames before it: analyze(bgr, false) with options().still_detector.
  // Its faces get new track ids.
  FrameAnalysis analyzeStill(const cv::Mat& bgr);
  void resetTracking();

  const AnalyzerOptions& options() const { return options_; }
  void setOptions(const AnalyzerOptions& options);
  std::shared_ptr<const Landmarker> landmarker() const { return landmarker_; }

 private:
  FrameAnalysis analyzeWith(const cv::Mat& bgr, bool track, const DetectorOptions& detector);

  AnalyzerOptions options_;
  std::shared_ptr<const Landmarker> landmarker_;
  FaceDetector detector_;
  FaceTracker tracker_;
  std::map<int, cv::Point2f> box_offset_;         // track -> box centre minus stable-landmark centroid
  std::unique_ptr<FerFaceAligner> crop_aligner_;  // for face crops (face_crop_max_side), made when needed
};

}  // namespace lldif
