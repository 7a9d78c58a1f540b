#include "core/face_template.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/face_detector.h"
#include "core/image_io.h"

namespace lldif {

namespace fs = std::filesystem;

TemplateDerivation deriveAlignmentTemplate(const fs::path& dir, int max_images, const Landmarker& landmarker,
                                           const std::function<void(int, int)>& progress) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec) && hasImageExtension(e.path())) files.push_back(e.path());
  }
  if (ec || files.empty()) throw std::runtime_error("No images in " + dir.string());
  std::sort(files.begin(), files.end());
  // An even sample over the whole folder.
  const std::size_t step =
      std::max<std::size_t>(1, files.size() / static_cast<std::size_t>(std::max(1, max_images)));

  constexpr int kUp = 4;
  DetectorOptions dopt;
  dopt.scale = 1.0;
  FaceDetector detector(dopt);
  std::vector<cv::Point2d> sum(kNumLandmarks, cv::Point2d(0, 0));
  TemplateDerivation out;
  const int total = static_cast<int>((files.size() + step - 1) / step);
  for (std::size_t i = 0; i < files.size() && out.images_seen < max_images; i += step) {
    cv::Mat gray;
    try {
      cv::cvtColor(loadImageBgr(files[i]), gray, cv::COLOR_BGR2GRAY);
    } catch (const std::exception&) {
      continue;
    }
    ++out.images_seen;
    cv::Mat up;
    cv::resize(gray, up, cv::Size(), kUp, kUp, cv::INTER_CUBIC);
    const auto boxes = detector.detect(up);
    if (boxes.empty()) continue;
    const Landmarks l = landmarker.predictGray(up, boxes.front().rect);
    for (int k = 0; k < kNumLandmarks; ++k) {
      // Pixel centres: up-pixel u covers 48-pixel x = (u + 0.5) / kUp - 0.5.
      sum[k] += cv::Point2d((l[k].x + 0.5) / kUp - 0.5, (l[k].y + 0.5) / kUp - 0.5);
    }
    ++out.faces_found;
    if (progress && out.images_seen % 200 == 0) progress(out.images_seen, total);
  }
  if (out.faces_found == 0) throw std::runtime_error("No face was detected in the images of " + dir.string());
  const double w = 47.0;  // 48 pixels, centres 0..47
  for (int k = 0; k < kNumLandmarks; ++k) {
    const cv::Point2d a = sum[k] / out.faces_found;
    const cv::Point2d b = sum[mirroredLandmark(k)] / out.faces_found;
    // Mirror about the image's vertical centre line: x -> 47 - x.
    out.mean[k] =
        cv::Point2f(static_cast<float>(0.5 * (a.x + (w - b.x))), static_cast<float>(0.5 * (a.y + b.y)));
  }
  return out;
}

std::string templateAsCpp(const TemplateDerivation& t, const std::string& command) {
  std::ostringstream os;
  os << "// Produced by: " << command << "\n";
  os << "// " << t.faces_found << " faces found in " << t.images_seen << " images; mirror-symmetrised.\n";
  char buf[64];
  for (int k = 0; k < kNumLandmarks; ++k) {
    std::snprintf(buf, sizeof buf, "{%.3ff, %.3ff},", t.mean[k].x, t.mean[k].y);
    os << buf << ((k % 4 == 3) ? "\n" : " ");
  }
  os << "\n";
  return os.str();
}

}  // namespace lldif
