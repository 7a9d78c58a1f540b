#include "core/landmarker.h"

#include <fstream>

#include <dlib/image_processing/shape_predictor.h>
#include <dlib/opencv/cv_image.h>
#include <opencv2/imgproc.hpp>

#include "core/image_io.h"

namespace lldif {

struct Landmarker::Impl {
  dlib::shape_predictor predictor;
};

Landmarker::Landmarker(const std::filesystem::path& model_file) : impl_(std::make_unique<Impl>()) {
  std::error_code ec;
  if (!std::filesystem::exists(model_file, ec)) {
    throw ModelFileError("Landmark model not found: " + model_file.string() +
                         " (install the libdlib-data package, or pass the path of "
                         "shape_predictor_68_face_landmarks.dat)");
  }
  std::ifstream in(model_file, std::ios::binary);
  if (!in) throw ModelFileError("Cannot read landmark model " + model_file.string());
  try {
    dlib::deserialize(impl_->predictor, in);
  } catch (const std::exception& e) {
    throw ModelFileError("Landmark model " + model_file.string() +
                         " is not a dlib shape predictor (corrupt or wrong file): " + e.what());
  }
  if (impl_->predictor.num_parts() != kNumLandmarks) {
    throw ModelFileError("Landmark model " + model_file.string() + " predicts " +
                         std::to_string(impl_->predictor.num_parts()) +
                         " points; a 68-point model is required");
  }
}

Landmarker::~Landmarker() = default;

Landmarks Landmarker::predictGray(const cv::Mat& gray, const cv::Rect2f& box) const {
  dlib::cv_image<unsigned char> dimg(gray);
  const dlib::drectangle r(box.x, box.y, box.x + box.width, box.y + box.height);
  const dlib::full_object_detection shape = impl_->predictor(dimg, dlib::rectangle(r));
  Landmarks out;
  for (int i = 0; i < kNumLandmarks; ++i) {
    out[i] = cv::Point2f(static_cast<float>(shape.part(i).x()), static_cast<float>(shape.part(i).y()));
  }
  return out;
}

Landmarks Landmarker::predict(const cv::Mat& image, const cv::Rect2f& box) const {
  const cv::Mat gray = toGray(image);
  return predictGray(gray, box);
}

int mirroredLandmark(int i) { return kMirroredLandmark.at(static_cast<std::size_t>(i)); }

namespace {
cv::Point2f centre(const Landmarks& l, int first, int last) {
  cv::Point2f s(0, 0);
  for (int i = first; i <= last; ++i) s += l[i];
  return s / static_cast<float>(last - first + 1);
}
}  // namespace

cv::Point2f leftEyeCentre(const Landmarks& l) { return centre(l, 36, 41); }
cv::Point2f rightEyeCentre(const Landmarks& l) { return centre(l, 42, 47); }

}  // namespace lldif
