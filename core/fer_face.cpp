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

FerFaceAligner::FerFaceAligner(std::shared_ptr<const Landmarker> landmarker, const FerFaceOptions& options)
    : landmarker_(std::move(landmarker)), options_(options), detector_(fullSize()) {}

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
  const Landmarks lm = landmarker_->predictGray(search, box);
  if (options_.align) {
    out.aligned = alignFace(up, lm);
    return out;
  }
  // The image's own framing: up -> crop is a plain scaling (pixel centres at integers).
  const double kx = static_cast<double>(kCropSize) / up.cols, ky = static_cast<double>(kCropSize) / up.rows;
  out.aligned.frame_to_crop = cv::Matx23d(kx, 0, 0.5 * kx - 0.5, 0, ky, 0.5 * ky - 0.5);
  cv::resize(gray, out.aligned.crop, cv::Size(kCropSize, kCropSize), 0, 0, cv::INTER_AREA);
  out.aligned.landmarks = transformLandmarks(lm, out.aligned.frame_to_crop);
  out.aligned.heatmaps = renderHeatmaps(out.aligned.landmarks, kCropSize, AlignOptions{}.heatmap_sigma);
  return out;
}

}  // namespace lldif
