#include "core/perturbation.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace lldif {

namespace {
struct Named {
  Perturbation p;
  const char* name;
};
constexpr Named kNames[] = {{Perturbation::kNone, "none"},
                            {Perturbation::kBlur, "blur"},
                            {Perturbation::kLowRes, "lowres"},
                            {Perturbation::kSharpen, "sharpen"},
                            {Perturbation::kLowContrast, "contrast"},
                            {Perturbation::kGamma, "gamma"},
                            {Perturbation::kJpeg, "jpeg"},
                            {Perturbation::kNoise, "noise"},
                            {Perturbation::kSunglasses, "sunglasses"},
                            {Perturbation::kMask, "mask"}};

// A rectangle given in 48ths of the face box.
cv::Rect inFace(const cv::Rect& face, int x, int y, int w, int h) {
  return cv::Rect(face.x + face.width * x / 48, face.y + face.height * y / 48, face.width * w / 48,
                  face.height * h / 48);
}
}  // namespace

std::string perturbationName(Perturbation p) {
  for (const auto& n : kNames)
    if (n.p == p) return n.name;
  return "none";
}

Perturbation perturbationFromName(const std::string& name) {
  for (const auto& n : kNames)
    if (name == n.name) return n.p;
  std::string known;
  for (const auto& n : perturbationNames()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("Unknown perturbation '" + name + "' (known: " + known + ")");
}

std::vector<std::string> perturbationNames() {
  std::vector<std::string> out;
  for (const auto& n : kNames) out.emplace_back(n.name);
  return out;
}

cv::Mat perturb(const cv::Mat& gray, Perturbation p, const cv::Rect& face_in, std::uint64_t seed) {
  if (gray.empty() || (gray.type() != CV_8UC1 && gray.type() != CV_8UC3))
    throw std::invalid_argument("perturb: an 8-bit gray or colour image is required");
  const cv::Rect face = face_in & cv::Rect(0, 0, gray.cols, gray.rows);
  const double side = std::max(1, std::max(face.width, face.height));  // the face box side in pixels
  cv::Mat out;
  switch (p) {
    case Perturbation::kNone:
      return gray.clone();
    case Perturbation::kBlur:
      cv::GaussianBlur(gray, out, cv::Size(0, 0), 1.2 * side / 48);
      return out;
    case Perturbation::kLowRes: {
      const double s = std::min(1.0, 20.0 / side);  // the face box 20 px across
      cv::Mat small;
      cv::resize(gray, small,
                 cv::Size(std::max(1, static_cast<int>(std::lround(gray.cols * s))),
                          std::max(1, static_cast<int>(std::lround(gray.rows * s)))),
                 0, 0, cv::INTER_AREA);
      cv::resize(small, out, gray.size(), 0, 0, cv::INTER_LINEAR);
      return out;
    }
    case Perturbation::kSharpen: {
      cv::Mat blurred;
      cv::GaussianBlur(gray, blurred, cv::Size(0, 0), 1.5 * side / 48);
      cv::addWeighted(gray, 2.0, blurred, -1.0, 0, out);
      return out;
    }
    case Perturbation::kLowContrast:
      gray.convertTo(out, -1, 0.45, 0.55 * 128);
      return out;
    case Perturbation::kGamma: {
      cv::Mat lut(1, 256, CV_8U);
      for (int i = 0; i < 256; ++i)
        lut.at<unsigned char>(i) = cv::saturate_cast<unsigned char>(255.0 * std::pow(i / 255.0, 0.5));
      cv::LUT(gray, lut, out);
      return out;
    }
    case Perturbation::kJpeg: {
      std::vector<unsigned char> buf;
      cv::imencode(".jpg", gray, buf, {cv::IMWRITE_JPEG_QUALITY, 15});
      return cv::imdecode(buf, gray.channels() == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    }
    case Perturbation::kNoise: {
      cv::RNG rng(seed * 2654435761ULL + 7);
      cv::Mat noise(gray.size(), CV_MAKETYPE(CV_32F, gray.channels()));
      rng.fill(noise, cv::RNG::NORMAL, 0, 12);
      cv::Mat f;
      gray.convertTo(f, CV_32F);
      f += noise;
      f.convertTo(out, gray.type());
      return out;
    }
    case Perturbation::kSunglasses:
      out = gray.clone();
      cv::rectangle(out, inFace(face, 8, 15, 32, 8), cv::Scalar::all(20), cv::FILLED);
      return out;
    case Perturbation::kMask:
      out = gray.clone();
      cv::rectangle(out, inFace(face, 12, 32, 24, 12), cv::Scalar::all(200), cv::FILLED);
      return out;
  }
  return gray.clone();
}

cv::Mat perturbFaces(const cv::Mat& image, Perturbation p, const std::vector<cv::Rect>& faces,
                     std::uint64_t seed) {
  cv::Mat out = image.clone();
  if (p == Perturbation::kNone) return out;
  const cv::Rect frame(0, 0, image.cols, image.rows);
  for (std::size_t i = 0; i < faces.size(); ++i) {
    const cv::Rect& f = faces[i];
    const cv::Rect region = f & frame;
    if (region.width < 8 || region.height < 8) continue;
    // The whole face frame, its part outside the image filled with the image's edge, changed as one face
    // (so the occluders and the blur's scale follow the whole face), then its part inside put back.
    const int top = region.y - f.y, left = region.x - f.x;
    cv::Mat canvas;
    cv::copyMakeBorder(out(region), canvas, top, f.y + f.height - region.y - region.height, left,
                       f.x + f.width - region.x - region.width, cv::BORDER_REPLICATE);
    const cv::Mat changed = perturb(canvas, p, cv::Rect(0, 0, f.width, f.height), seed + i);
    changed(cv::Rect(left, top, region.width, region.height)).copyTo(out(region));
  }
  return out;
}

}  // namespace lldif
