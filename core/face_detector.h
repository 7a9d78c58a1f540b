// face_detector.h - dlib's HOG frontal face detector on a downscaled copy of the frame.
#pragma once

#include <memory>
#include <vector>

#include <opencv2/core.hpp>

namespace lldif {

struct DetectorOptions {
  // The frame is scaled by this factor before detection (0.5: a 640x480 frame is searched at 320x240,
  // ~4x faster; dlib finds faces down to ~80 px in the scaled image, i.e. ~160 px in the frame).
  double scale = 0.5;
  // The scaled image's longer side is then clamped to [min_side, max_side] pixels: big photos stay fast,
  // small ones are upsampled so their faces reach dlib's ~80 px minimum (0 = no lower bound).
  int min_side = 0;
  int max_side = 640;
  // Extra pyramid upsampling inside dlib (each step doubles the cost, halves the smallest face).
  int upsample = 0;
  // dlib detection score threshold (0 is dlib's default; higher = fewer false positives).
  double threshold = 0.0;
  // When no box reaches `threshold`, the single best box scoring at least this is kept: a turned, tilted
  // or partly hidden face (a hand, sunglasses) that dlib's frontal detector scores a little below its
  // default. At or above `threshold`: no fallback (video: the tracker carries faces over weak frames).
  double fallback_threshold = 0.0;

  // For still photos (CLI, the viewer's images and image folders): full resolution, long side clamped to
  // 768..1600 px, and the best box down to a score of -0.4 when none reaches 0.
  // (On the 100 CC0 portraits + 2 public-domain ones, 500 px: 1.0x finds 89 faces and one false
  // positive, a mission patch; 1.5x finds 88 and no false positive. The fallback finds 6 more of the 100
  // portraits, every box on the face (three-quarter and profile views, sunglasses, a camera before the
  // face), and one box in 200 face-free crops of them (their lower 40% and their left 30%).)
  static DetectorOptions stills() {
    DetectorOptions o;
    o.scale = 1.0;
    o.min_side = 768;
    o.max_side = 1600;
    o.fallback_threshold = -0.4;
    return o;
  }
};

struct FaceBox {
  cv::Rect2f rect;   // frame coordinates (pixels)
  double score = 0;  // dlib detection confidence
};

// Finds every frontal face in a frame.
// requires: 8-bit gray or BGR image.
// ensures: boxes in frame coordinates (mapped back from the scaled copy), sorted by score: every box scoring
//   at least options().threshold, or, when there is none, the best box scoring at least
//   options().fallback_threshold (if that is lower).
// NOT thread safe: dlib's scanner keeps scratch state; give each thread its own detector (cheap to build).
class FaceDetector {
 public:
  explicit FaceDetector(const DetectorOptions& options = {});
  ~FaceDetector();
  FaceDetector(FaceDetector&&) noexcept;
  FaceDetector& operator=(FaceDetector&&) noexcept;

  std::vector<FaceBox> detect(const cv::Mat& image) { return detect(image, options_); }
  // The same search with other options for this call (e.g. a still photo's, DetectorOptions::stills()).
  std::vector<FaceBox> detect(const cv::Mat& image, const DetectorOptions& options);
  const DetectorOptions& options() const { return options_; }
  void setOptions(const DetectorOptions& options) { options_ = options; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  DetectorOptions options_;
};

}  // namespace lldif
