// landmarker.h - dlib's 68-point facial landmark predictor (iBUG 300-W layout).
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include <opencv2/core.hpp>

#include "core/model/landmark_layout.h"

namespace lldif {

using Landmarks = std::array<cv::Point2f, kNumLandmarks>;

class ModelFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// requires: a dlib shape_predictor file (default /usr/share/dlib/shape_predictor_68_face_landmarks.dat
//   from libdlib-data; overridable).
// ensures: 68 points in the coordinates of the image given, for the face in the given box (even when the
//   box came from a tracker rather than the detector).
// Thread safe after construction: predict() is const and may be called from several threads.
class Landmarker {
 public:
  // Loads the model (~1 s, 96 MB). throws: ModelFileError naming the file when missing or not a
  //   68-point dlib shape predictor.
  explicit Landmarker(const std::filesystem::path& model_file);
  ~Landmarker();

  // image: 8-bit gray or BGR. box: face box in image coordinates.
  Landmarks predict(const cv::Mat& image, const cv::Rect2f& box) const;

  // Same, on an image that is already gray and continuous (avoids one conversion per face).
  Landmarks predictGray(const cv::Mat& gray, const cv::Rect2f& box) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Index of the mirror-image point (kMirroredLandmark), for horizontal flips.
int mirroredLandmark(int index);

cv::Point2f leftEyeCentre(const Landmarks& l);   // subject's right eye = image left (points 36-41)
cv::Point2f rightEyeCentre(const Landmarks& l);  // points 42-47

}  // namespace lldif
