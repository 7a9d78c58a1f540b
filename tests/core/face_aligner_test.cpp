#include "core/face_aligner.h"

#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/face_detector.h"
#include "core/fer_face.h"
#include "core/image_io.h"
#include "test_support.h"

namespace lldif {
namespace {

double eyeAngleDeg(const Landmarks& l) {
  const cv::Point2f a = leftEyeCentre(l), b = rightEyeCentre(l);
  return std::atan2(b.y - a.y, b.x - a.x) * 180.0 / M_PI;
}

AlignedFace alignFirstFace(const cv::Mat& bgr) {
  FaceDetector det(DetectorOptions::stills());
  const auto boxes = det.detect(bgr);
  if (boxes.size() != 1) throw std::runtime_error("expected one face, found " + std::to_string(boxes.size()));
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  return alignFace(gray, test::sharedLandmarker()->predictGray(gray, boxes[0].rect));
}

TEST(FaceTemplate, IsLevelSymmetricAndFramedLikeFerPlus) {
  const Landmarks& t = ferplusTemplate();
  EXPECT_NEAR(eyeAngleDeg(t), 0.0, 1e-3);
  for (int i = 0; i < kNumLandmarks; ++i) {
    EXPECT_NEAR(t[i].x, 47.0f - t[mirroredLandmark(i)].x, 1e-3);
    EXPECT_GE(t[i].x, 0.0f);
    EXPECT_LE(t[i].x, 47.5f);
  }
  // FERPlus faces fill the frame: eyes in the upper half, chin near the bottom edge.
  EXPECT_GT(leftEyeCentre(t).y, 12.0f);
  EXPECT_LT(leftEyeCentre(t).y, 24.0f);
  EXPECT_GT(t[8].y, 42.0f);
  EXPECT_GT(rightEyeCentre(t).x - leftEyeCentre(t).x, 12.0f);
}

TEST(FaceAligner, RealPortraitsComeOutLevelAt48x48Gray) {
  auto files = test::portraitFixtures();
  files.push_back(test::graceHopper());
  for (const auto& f : files) {
    const AlignedFace a = alignFirstFace(loadImageBgr(f));
    EXPECT_EQ(a.crop.size(), cv::Size(kCropSize, kCropSize)) << f;
    EXPECT_EQ(a.crop.type(), CV_8UC1) << f;
    cv::Scalar mean, sd;
    cv::meanStdDev(a.crop, mean, sd);
    EXPECT_GT(sd[0], 15.0) << f << ": crop looks flat";
    EXPECT_LT(std::abs(eyeAngleDeg(a.landmarks)), 2.0) << f;
    // The aligned landmarks sit close to the template (a face, framed like FERPlus).
    double err = 0;
    for (int i = 27; i <= 47; ++i) err += cv::norm(a.landmarks[i] - ferplusTemplate()[i]);
    EXPECT_LT(err / 21.0, 3.5) << f;  // px at 48x48; the yawed, tilted portrait-040 is ~3.2
  }
}

TEST(FaceAligner, UndoesInPlaneRotation) {
  const cv::Mat img = loadImageBgr(test::faceImage("portrait-020.jpg"));
  const AlignedFace upright = alignFirstFace(img);
  for (double angle : {-15.0, 12.0}) {
    cv::Mat rotated;
    cv::warpAffine(img, rotated, cv::getRotationMatrix2D({250, 250}, angle, 1.0), img.size(),
                   cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    const AlignedFace a = alignFirstFace(rotated);
    EXPECT_LT(std::abs(eyeAngleDeg(a.landmarks)), 2.0) << angle;
    // The same face comes out: the crops of the rotated and the upright photo agree.
    cv::Mat corr;
    cv::matchTemplate(a.crop, upright.crop, corr, cv::TM_CCOEFF_NORMED);
    EXPECT_GT(corr.at<float>(0, 0), 0.9f) << angle;
  }
}

TEST(FaceAligner, HeatmapsHaveOneChannelPerPartPeakingAtTheLandmarks) {
  AlignedFace a = alignFirstFace(loadImageBgr(test::faceImage("portrait-005.jpg")));
  ASSERT_EQ(a.heatmaps.dims, 3);
  EXPECT_EQ(a.heatmaps.size[0], kHeatmapChannels);
  EXPECT_EQ(a.heatmaps.size[1], kCropSize);
  EXPECT_EQ(a.heatmaps.size[2], kCropSize);
  for (int c = 0; c < kHeatmapChannels; ++c) {
    const cv::Mat plane(kCropSize, kCropSize, CV_32F, a.heatmaps.ptr<float>(c));
    double lo, hi;
    cv::minMaxLoc(plane, &lo, &hi);
    EXPECT_GE(lo, 0.0);
    EXPECT_LE(hi, 1.0);
    EXPECT_GT(hi, 0.7);
    const LandmarkPart& part = kLandmarkParts[c];
    const cv::Point2f p = a.landmarks[part.first];
    const int x = std::clamp(static_cast<int>(std::lround(p.x)), 0, kCropSize - 1);
    const int y = std::clamp(static_cast<int>(std::lround(p.y)), 0, kCropSize - 1);
    EXPECT_GT(plane.at<float>(y, x), 0.6f) << part.name;
  }
  // Eyes channel is dark at the mouth.
  const cv::Mat eyes(kCropSize, kCropSize, CV_32F, a.heatmaps.ptr<float>(3));
  EXPECT_LT(eyes.at<float>(static_cast<int>(a.landmarks[57].y), static_cast<int>(a.landmarks[57].x)), 0.05f);
}

TEST(FaceAligner, SimilarityIsExactForAKnownTransform) {
  const Landmarks& t = ferplusTemplate();
  Landmarks moved;
  const double s = 3.5, th = 0.3;
  for (int i = 0; i < kNumLandmarks; ++i) {
    moved[i] = cv::Point2f(static_cast<float>(s * (std::cos(th) * t[i].x - std::sin(th) * t[i].y) + 100),
                           static_cast<float>(s * (std::sin(th) * t[i].x + std::cos(th) * t[i].y) + 40));
  }
  const cv::Matx23d m = estimateSimilarity(moved, t);
  for (int i = 0; i < kNumLandmarks; ++i) {
    const double x = m(0, 0) * moved[i].x + m(0, 1) * moved[i].y + m(0, 2);
    const double y = m(1, 0) * moved[i].x + m(1, 1) * moved[i].y + m(1, 2);
    EXPECT_NEAR(x, t[i].x, 1e-3);
    EXPECT_NEAR(y, t[i].y, 1e-3);
  }
}

Landmarks inImage(const AlignedFace& a) {
  cv::Matx23d inv;
  cv::invertAffineTransform(a.frame_to_crop, inv);
  return transformLandmarks(a.landmarks, inv);
}

TEST(FerFaceAligner, KeepFramingGivesTheImageItselfWithTheSameLandmarks) {
  const cv::Mat img = test::ferLikeFace(test::faceImage("portrait-005.jpg"));
  FerFaceAligner aligned(test::sharedLandmarker());
  FerFaceOptions keep_opt;
  keep_opt.framing = FerFraming::Image;
  FerFaceAligner keep(test::sharedLandmarker(), keep_opt);
  const FerFace a = aligned.align(img), k = keep.align(img);
  EXPECT_EQ(a.detected, k.detected);
  // The crop is the image itself, not a warp of it.
  ASSERT_EQ(k.aligned.crop.size(), cv::Size(48, 48));
  EXPECT_EQ(cv::norm(k.aligned.crop, img, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(a.aligned.crop, img, cv::NORM_L1) / (48 * 48), 1.0) << "alignment moved the face";
  // Both framings found the same landmarks: mapped back to the working image they coincide.
  const auto la = inImage(a.aligned), lk = inImage(k.aligned);
  for (std::size_t i = 0; i < la.size(); ++i) EXPECT_LT(cv::norm(la[i] - lk[i]), 0.05) << "landmark " << i;
  // The keep-framing landmarks are in the 48x48 image's pixels: the eyes in the upper half, the chin low.
  EXPECT_LT(leftEyeCentre(k.aligned.landmarks).y, 26.0f);
  EXPECT_GT(k.aligned.landmarks[8].y, 32.0f);
  // Heatmaps follow the landmarks of the chosen framing.
  EXPECT_GT(
      k.aligned.heatmaps.at<float>(4, cvRound(k.aligned.landmarks[48].y), cvRound(k.aligned.landmarks[48].x)),
      0.5f);
}

// Mean distance of the rigid points (nose, eyes: 27-47) of crop landmarks to the template's, in pixels.
double rigidErrorToTemplate(const Landmarks& l) {
  const Landmarks& t = ferplusTemplate();
  double e = 0;
  for (int i = 27; i <= 47; ++i)
    e += cv::norm(l[static_cast<std::size_t>(i)] - t[static_cast<std::size_t>(i)]);
  return e / 21;
}

cv::Point2f centroid(const Landmarks& l) {
  cv::Point2f c(0, 0);
  for (const auto& p : l) c += p;
  return c / static_cast<float>(l.size());
}

TEST(FerFaceAligner, AutoKeepsFaceCropsAsTheyAreAndAlignsTheFaceOfAPhoto) {
  FerFaceOptions auto_opt;
  auto_opt.framing = FerFraming::Auto;
  FerFaceAligner aligner(test::sharedLandmarker(), auto_opt);
  // A FERPlus-like crop keeps its framing: the crop is the image itself.
  const cv::Mat crop = test::ferLikeFace(test::faceImage("portrait-005.jpg"));
  const FerFace c = aligner.align(crop);
  EXPECT_FALSE(c.template_aligned);
  EXPECT_EQ(cv::norm(c.aligned.crop, crop, cv::NORM_INF), 0.0);
  // So does the same crop at 160 px (a collection of bigger face crops), judged by where its landmarks lie.
  const cv::Mat big = test::ferLikeFace(test::faceImage("portrait-005.jpg"), 160);
  const FerFace b = aligner.align(big);
  EXPECT_FALSE(b.template_aligned);
  EXPECT_TRUE(b.detected);
  cv::Mat big48;
  cv::resize(big, big48, cv::Size(48, 48), 0, 0, cv::INTER_AREA);
  EXPECT_EQ(cv::norm(b.aligned.crop, big48, cv::NORM_INF), 0.0);
  // The 500x500 colour portrait it was cut from (the face about 40% of it) is a photo: its face is found
  // and aligned to the template, as the viewer and lldif predict align faces; resized as it is, the face
  // would fill a fifth of the crop.
  const cv::Mat photo = loadImageBgr(test::faceImage("portrait-005.jpg"));
  const FerFace p = aligner.align(photo);
  EXPECT_TRUE(p.template_aligned);
  EXPECT_TRUE(p.detected);
  EXPECT_LT(rigidErrorToTemplate(p.aligned.landmarks), 1.5);
  const AlignedFace ref = alignFirstFace(photo);
  EXPECT_LT(cv::norm(p.aligned.crop, ref.crop, cv::NORM_L1) / (48.0 * 48.0), 6.0)
      << "the same face, aligned the same way as FaceAnalyzer does";
  // frame_to_crop maps pixels of the image given: the landmarks mapped back lie on the face of the photo.
  FaceDetector det(DetectorOptions::stills());
  const auto faces = det.detect(photo);
  ASSERT_EQ(faces.size(), 1u);
  EXPECT_TRUE(faces[0].rect.contains(centroid(inImage(p.aligned))));
}

TEST(FerFaceAligner, AFaceBoxPicksTheFaceOfAPictureWithTwo) {
  // Two portraits side by side; label.csv's box names one of them.
  const cv::Mat left = loadImageBgr(test::faceImage("portrait-005.jpg"));
  const cv::Mat right = loadImageBgr(test::faceImage("portrait-020.jpg"));
  cv::Mat both;
  cv::hconcat(left, right, both);
  FaceDetector det(DetectorOptions::stills());
  const auto rf = det.detect(right);
  ASSERT_EQ(rf.size(), 1u);
  const cv::Rect right_box = cv::Rect(rf[0].rect) + cv::Point(left.cols, 0);
  const auto lf = det.detect(left);
  ASSERT_EQ(lf.size(), 1u);
  const cv::Rect left_box(lf[0].rect);
  for (const FerFraming f : {FerFraming::Auto, FerFraming::Aligned}) {
    FerFaceOptions o;
    o.framing = f;
    FerFaceAligner aligner(test::sharedLandmarker(), o);
    for (const cv::Rect& box : {right_box, left_box}) {
      const FerFace r = aligner.align(both, box);
      EXPECT_TRUE(r.template_aligned) << toString(f);
      EXPECT_TRUE(r.detected) << toString(f);
      EXPECT_TRUE(cv::Rect2f(box).contains(centroid(inImage(r.aligned)))) << toString(f) << " " << box;
    }
  }
  // Image framing of a box: the box itself, resized.
  FerFaceOptions io;
  io.framing = FerFraming::Image;
  FerFaceAligner keep(test::sharedLandmarker(), io);
  const FerFace k = keep.align(both, right_box);
  EXPECT_FALSE(k.template_aligned);
  cv::Mat expected;
  cv::resize(toGray(both)(right_box), expected, cv::Size(48, 48), 0, 0, cv::INTER_AREA);
  EXPECT_EQ(cv::norm(k.aligned.crop, expected, cv::NORM_INF), 0.0);
  EXPECT_TRUE(cv::Rect2f(right_box).contains(centroid(inImage(k.aligned))));
  EXPECT_THROW(keep.align(cv::Mat()), std::invalid_argument);
  EXPECT_EQ(ferFramingFromString("auto"), FerFraming::Auto);
  EXPECT_THROW(ferFramingFromString("tight"), std::invalid_argument);
}

}  // namespace
}  // namespace lldif
