// fer_face.h - turns a FERPlus-style face image (the face fills the frame, e.g. 48x48 gray) into the
// model's input the same way for training data (lldif prepare) and benchmarks (lldif eval).
#pragma once

#include <memory>

#include <opencv2/core.hpp>

#include "core/face_aligner.h"
#include "core/face_detector.h"
#include "core/landmarker.h"

namespace lldif {

struct FerFaceOptions {
  // false: keep the image's own framing (the crop is the image resized to 48x48, the landmarks are in its
  // coordinates); true: align the face to the template by a similarity.
  bool align = true;
};

struct FerFace {
  AlignedFace aligned;
  bool detected = false;  // false: dlib found no face and the fixed fallback box was used for landmarks
};

// The image is upsampled to 192 px, enhanced if dark (for detection and landmarks only), searched by
// dlib's detector (the whole image is the face: if several boxes, the largest); without a detection the
// landmarks are fitted in a fixed box, the mean detector box on FERPlus training faces (x 0.08, y 0.13,
// w 0.84, h 0.84 of the image, measured on 207 detections in 300 sampled images). The crop is aligned to
// the template from the raw (not enhanced) image, or (FerFaceOptions::align false) is the image itself.
// Not thread safe (detector scratch); the landmarker may be shared.
class FerFaceAligner {
 public:
  explicit FerFaceAligner(std::shared_ptr<const Landmarker> landmarker, const FerFaceOptions& options = {});
  FerFace align(const cv::Mat& image);  // 8-bit gray or BGR, any size

 private:
  std::shared_ptr<const Landmarker> landmarker_;
  FerFaceOptions options_;
  FaceDetector detector_;
};

}  // namespace lldif
