// fer_face.h - turns a FERPlus-layout face image into the model's input the same way for training data
// (lldif prepare) and benchmarks (lldif eval): FERPlus's own 48x48 crops (the face fills the frame) and
// images from elsewhere laid out the same way (bigger crops, or photos in which the face is smaller).
#pragma once

#include <memory>

#include <opencv2/core.hpp>

#include "core/face_aligner.h"
#include "core/face_detector.h"
#include "core/landmarker.h"

namespace lldif {

enum class FerFraming {
  // Align the face to the template by a similarity from its landmarks.
  Aligned,
  // Keep the image's own framing: the crop is the image (or its face box) resized to 48x48, the landmarks
  // are found in it. How FERPlus crops are framed for models trained with `lldif prepare --keep-framing`.
  Image,
  // Decide per image: a face crop (the image is at most 96 px; or it is about square and the landmarks of
  // its largest face lie where a FERPlus face's do, i.e. the similarity onto the template scales and moves
  // them no more than it does FERPlus's own faces; or no face is found in an image of at most 192 px)
  // keeps its own framing; a photo (anything else, or a face box given in label.csv that is not the whole
  // image) has its face found at a resolution where dlib sees faces of ~80 px and aligned to the
  // template, which is the mean FERPlus framing.
  Auto,
};

// dlib's detector box on FERPlus faces, as fractions of the image (the mean of 207 detections in 300
// sampled training images): where landmarks are fitted when dlib finds no face, and the inverse of
// ferFramingOfBox.
inline constexpr double kFerBoxX = 0.08, kFerBoxY = 0.13, kFerBoxSide = 0.84;

// Where a FERPlus image's frame would lie around a face dlib boxed (the inverse of the mean box above), so
// that a change made to a face in a photo lands where it would on FERPlus's faces (`perturbFaces`).
// Thread safe.
cv::Rect ferFramingOfBox(const cv::Rect2f& detector_box);

// "aligned", "image", "auto"; throws std::invalid_argument naming the accepted values otherwise.
FerFraming ferFramingFromString(const std::string& s);
const char* toString(FerFraming f);

struct FerFaceOptions {
  FerFraming framing = FerFraming::Aligned;
};

struct FerFace {
  AlignedFace aligned;    // frame_to_crop maps pixels of the image given to align() to the crop
  bool detected = false;  // false: dlib found no face and the fixed fallback box was used for landmarks
  bool template_aligned = false;  // the crop was aligned to the template (Aligned, or Auto on a photo)
};

// Face crops are upsampled to 192 px, enhanced if dark (for detection and landmarks only), and searched by
// dlib's detector (the whole image is the face: if several boxes, the largest); without a detection the
// landmarks are fitted in a fixed box, the mean detector box on FERPlus training faces (x 0.08, y 0.13,
// w 0.84, h 0.84 of the image, measured on 207 detections in 300 sampled images). The crop is aligned to
// the template from the raw (not enhanced) image, or is the image itself (FerFraming::Image).
// A face box (label.csv's second column, image pixels; empty or the whole image: none) restricts all of
// this to the face: Aligned / Image frame the box as they would a crop; Auto searches the box with a
// margin of a quarter of its size and aligns the face that overlaps it most.
// Not thread safe (detector scratch); the landmarker may be shared.
class FerFaceAligner {
 public:
  explicit FerFaceAligner(std::shared_ptr<const Landmarker> landmarker, const FerFaceOptions& options = {});
  // image: 8-bit gray or BGR, any size (not empty).
  FerFace align(const cv::Mat& image, const cv::Rect& face_box = {});

 private:
  std::shared_ptr<const Landmarker> landmarker_;
  FerFaceOptions options_;
  FaceDetector detector_;
};

}  // namespace lldif
