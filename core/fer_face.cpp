#include "core/fer_face.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <opencv2/imgproc.hpp>

#include "core/image_io.h"
#include "core/lowlight.h"

namespace lldif {

namespace {

constexpr int kCropWorkSize = 192;    // face crops are searched at this size (faces fill it: ~160 px)
constexpr int kPhotoMaxSide = 1024;   // photos are searched at their own size, clamped to 192..1024 px
constexpr int kSmallImage = 96;       // images up to this size are face crops whatever the detector says
constexpr double kCropAspect = 1.25;  // a face crop is at most this far from square, and framed like
// FERPlus: the similarity from its landmarks onto the template scales by kFerLikeMinScale..MaxScale and
// moves the crop's centre by at most kFerLikeMaxShift px (at 48x48). On the 2,231 FER2013Valid faces dlib
// detects, scale 1st / 50th / 99th percentile 0.67 / 0.98 / 1.54, shift 50th / 95th / 99th 1.8 / 10.7 /
// 15.8 px; 96% lie inside these bounds. The CC0 portraits with a face detected at 192 px (500 px
// photos, the face 40-65% of the image) need 1.42..2.97: none is inside.
constexpr double kFerLikeMinScale = 0.66, kFerLikeMaxScale = 1.4, kFerLikeMaxShift = 16.0;
constexpr double kBoxMargin = 0.25;  // a label.csv face box is searched with this margin on each side

DetectorOptions fullSize() {
  DetectorOptions o;
  o.scale = 1.0;
  o.max_side = 0;
  return o;
}

// One search: the image resized so that its longer side is `side`, enhanced if dark, and its faces.
struct Search {
  cv::Mat work;    // resized, raw
  cv::Mat search;  // resized, enhanced when dark (detection and landmarks only)
  double scale = 1;
  std::vector<FaceBox> faces;
};

Search searchAt(FaceDetector& detector, const cv::Mat& gray, int side) {
  Search s;
  s.scale = static_cast<double>(side) / std::max(gray.cols, gray.rows);
  if (std::abs(s.scale - 1.0) < 1e-9)
    s.work = gray;
  else
    cv::resize(gray, s.work,
               cv::Size(std::max(1, static_cast<int>(std::lround(gray.cols * s.scale))),
                        std::max(1, static_cast<int>(std::lround(gray.rows * s.scale)))),
               0, 0, s.scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
  s.search = cv::mean(s.work)[0] < kDarkMeanLuminance ? enhance(s.work) : s.work;
  s.faces = detector.detect(s.search);
  return s;
}

const FaceBox* largest(const std::vector<FaceBox>& faces) {
  if (faces.empty()) return nullptr;
  return &*std::max_element(faces.begin(), faces.end(),
                            [](const FaceBox& a, const FaceBox& b) { return a.rect.area() < b.rect.area(); });
}

const FaceBox* mostOverlapping(const std::vector<FaceBox>& faces, const cv::Rect2f& box) {
  const FaceBox* best = nullptr;
  float best_area = 0;
  for (const auto& f : faces) {
    const float a = (f.rect & box).area();
    if (a > best_area) {
      best_area = a;
      best = &f;
    }
  }
  return best;
}

// m (work pixels -> crop) composed with image pixels -> work pixels, where work = resize(image(region)).
cv::Matx23d fromImage(const cv::Matx23d& m, double scale, cv::Point offset) {
  const double tx = scale * (0.5 - offset.x) - 0.5, ty = scale * (0.5 - offset.y) - 0.5;
  return {m(0, 0) * scale, m(0, 1) * scale, m(0, 0) * tx + m(0, 1) * ty + m(0, 2),
          m(1, 0) * scale, m(1, 1) * scale, m(1, 0) * tx + m(1, 1) * ty + m(1, 2)};
}

// The landmarks of a search's face, or fitted in the fallback box (the mean detector box on FERPlus).
Landmarks landmarksOf(const Landmarker& landmarker, const Search& s, const FaceBox* face) {
  const cv::Rect2f box = face ? face->rect
                              : cv::Rect2f(static_cast<float>(kFerBoxX) * s.work.cols,
                                           static_cast<float>(kFerBoxY) * s.work.rows,
                                           static_cast<float>(kFerBoxSide) * s.work.cols,
                                           static_cast<float>(kFerBoxSide) * s.work.rows);
  return landmarker.predictGray(s.search, box);
}

// work pixels -> crop when the crop is the searched image itself, resized (pixel centres at integers).
cv::Matx23d ownFraming(const Search& s) {
  const double kx = static_cast<double>(kCropSize) / s.work.cols;
  const double ky = static_cast<double>(kCropSize) / s.work.rows;
  return {kx, 0, 0.5 * kx - 0.5, 0, ky, 0.5 * ky - 0.5};
}

// The searched image framed as asked, from its landmarks lm (work pixels). gray: the searched image.
FerFace frame(const cv::Mat& gray, const Search& s, const Landmarks& lm, bool detected, bool align,
              cv::Point offset) {
  FerFace out;
  out.detected = detected;
  if (align) {
    out.aligned = alignFace(s.work, lm);
    out.template_aligned = true;
  } else {
    out.aligned.frame_to_crop = ownFraming(s);
    cv::resize(gray, out.aligned.crop, cv::Size(kCropSize, kCropSize), 0, 0, cv::INTER_AREA);
    out.aligned.landmarks = transformLandmarks(lm, out.aligned.frame_to_crop);
    out.aligned.heatmaps = renderHeatmaps(out.aligned.landmarks, kCropSize, AlignOptions{}.heatmap_sigma);
  }
  out.aligned.frame_to_crop = fromImage(out.aligned.frame_to_crop, s.scale, offset);
  return out;
}

FerFace frame(const Landmarker& landmarker, const cv::Mat& gray, const Search& s, const FaceBox* face,
              bool align, cv::Point offset) {
  return frame(gray, s, landmarksOf(landmarker, s, face), face != nullptr, align, offset);
}

// Whether an image whose face has landmarks crop_lm (in the image resized to 48x48) is framed like a
// FERPlus face: the similarity onto the template scales and moves it no more than FERPlus's own faces
// (kFerLike*).
bool framedLikeFerPlus(const Landmarks& crop_lm) {
  const cv::Matx23d m = estimateSimilarity(crop_lm, ferplusTemplate());
  const double scale = std::sqrt(std::abs(m(0, 0) * m(1, 1) - m(0, 1) * m(1, 0)));
  const double c = 0.5 * (kCropSize - 1);
  const double dx = m(0, 0) * c + m(0, 1) * c + m(0, 2) - c, dy = m(1, 0) * c + m(1, 1) * c + m(1, 2) - c;
  return scale >= kFerLikeMinScale && scale <= kFerLikeMaxScale && std::hypot(dx, dy) <= kFerLikeMaxShift;
}

}  // namespace

FerFraming ferFramingFromString(const std::string& s) {
  if (s == "aligned") return FerFraming::Aligned;
  if (s == "image") return FerFraming::Image;
  if (s == "auto") return FerFraming::Auto;
  throw std::invalid_argument("framing '" + s + "': expected aligned, image or auto");
}

const char* toString(FerFraming f) {
  switch (f) {
    case FerFraming::Aligned:
      return "aligned";
    case FerFraming::Image:
      return "image";
    case FerFraming::Auto:
      return "auto";
  }
  return "?";
}

FerFaceAligner::FerFaceAligner(std::shared_ptr<const Landmarker> landmarker, const FerFaceOptions& options)
    : landmarker_(std::move(landmarker)), options_(options), detector_(fullSize()) {}

FerFace FerFaceAligner::align(const cv::Mat& image, const cv::Rect& face_box) {
  if (image.empty()) throw std::invalid_argument("FerFaceAligner::align: empty image");
  const cv::Mat gray = toGray(image);
  const cv::Rect whole(0, 0, gray.cols, gray.rows);
  const cv::Rect box = face_box & whole;
  const bool has_box = box.area() > 0 && box != whole;

  if (options_.framing == FerFraming::Image || (options_.framing == FerFraming::Aligned && !has_box)) {
    const cv::Rect region = has_box ? box : whole;
    const cv::Mat crop = gray(region);
    const Search s = searchAt(detector_, crop, kCropWorkSize);
    return frame(*landmarker_, crop, s, largest(s.faces), options_.framing == FerFraming::Aligned,
                 region.tl());
  }

  // Auto without a box: the search as a face crop, its largest face and landmarks, kept for the fallback.
  Search s;
  const FaceBox* crop_face = nullptr;
  Landmarks crop_lm;
  if (!has_box) {
    s = searchAt(detector_, gray, kCropWorkSize);
    crop_face = largest(s.faces);
    crop_lm = landmarksOf(*landmarker_, s, crop_face);
    const int long_side = std::max(gray.cols, gray.rows);
    const double aspect = static_cast<double>(long_side) / std::min(gray.cols, gray.rows);
    if (long_side <= kSmallImage || (!crop_face && long_side <= kCropWorkSize) ||
        (crop_face && aspect <= kCropAspect && framedLikeFerPlus(transformLandmarks(crop_lm, ownFraming(s)))))
      return frame(gray, s, crop_lm, crop_face != nullptr, false, {0, 0});
  }

  // A photo: find the face where dlib sees faces of ~80 px and align it to the template.
  cv::Rect region = whole;
  if (has_box) {
    const int mx = static_cast<int>(kBoxMargin * box.width), my = static_cast<int>(kBoxMargin * box.height);
    region = cv::Rect(box.x - mx, box.y - my, box.width + 2 * mx, box.height + 2 * my) & whole;
  }
  const cv::Mat roi = gray(region);
  const int side = std::clamp(std::max(roi.cols, roi.rows), kCropWorkSize, kPhotoMaxSide);
  const Search p = !has_box && side == kCropWorkSize ? s : searchAt(detector_, roi, side);
  const FaceBox* face = nullptr;
  if (has_box) {
    const double k = p.scale;
    face = mostOverlapping(
        p.faces,
        cv::Rect2f(static_cast<float>(k * (box.x - region.x)), static_cast<float>(k * (box.y - region.y)),
                   static_cast<float>(k * box.width), static_cast<float>(k * box.height)));
  } else {
    face = largest(p.faces);
  }
  if (face) return frame(*landmarker_, roi, p, face, true, region.tl());

  // Not found at that resolution. Auto without a box: a face the search as a crop found (too small or
  // off-centre for a face crop) is aligned; none: the image as a crop, landmarks in the fallback box.
  if (!has_box) return frame(gray, s, crop_lm, crop_face != nullptr, crop_face != nullptr, {0, 0});
  // A box with no face in or around it: the box as a crop, landmarks in the fallback box; aligned by them
  // when aligning was asked for, else in its own framing.
  const cv::Mat crop = gray(box);
  const Search b = searchAt(detector_, crop, kCropWorkSize);
  return frame(*landmarker_, crop, b, largest(b.faces), options_.framing == FerFraming::Aligned, box.tl());
}

cv::Rect ferFramingOfBox(const cv::Rect2f& b) {
  const double w = b.width / kFerBoxSide, h = b.height / kFerBoxSide;
  return cv::Rect(cvRound(b.x - kFerBoxX * w), cvRound(b.y - kFerBoxY * h), cvRound(w), cvRound(h));
}

}  // namespace lldif
