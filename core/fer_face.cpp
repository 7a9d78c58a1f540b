#include "core/fer_face.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "core/image_io.h"
#include "core/lowlight.h"

namespace lldif {

namespace {
constexpr int kWorkSize = 192;
DetectorOptions fullSize() {
  DetectorOptions o;
  o.scale = 1.0;
  o.max_side = 0;
  return o;
}
}  // namespace

FerFaceAligner::FerFaceAligner(std::shared_ptr<const Landmarker> landmarker)
    : landmarker_(std::move(landmarker)), detector_(fullSize()) {}

FerFace FerFaceAligner::align(const cv::Mat& image) {
  const cv::Mat gray = toGray(image);
  const double s = static_cast<double>(kWorkSize) / std::max(gray.cols, gray.rows);
  cv::Mat up;
  cv::resize(gray, up, cv::Size(), s, s, s > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
  const cv::Mat search = cv::mean(up)[0] < 60.0 ? enhance(up) : up;
  const auto boxes = detector_.detect(search);
  FerFace out;
  cv::Rect2f box(0.08f * up.cols, 0.13f * up.rows, 0.84f * up.cols, 0.84f * up.rows);
  if (!boxes.empty()) {
    box = std::max_element(boxes.begin(), boxes.end(), [](const FaceBox& a, const FaceBox& b) {
            return a.rect.area() < b.rect.area();
          })->rect;
    out.detected = true;
  }
  out.aligned = alignFace(up, landmarker_->predictGray(search, box));
  return out;
}

}  // namespace lldif
