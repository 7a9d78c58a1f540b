// The face pack's landmark coder: landmarks of real faces (dlib on the bundled portraits) on the 1/8-pixel
// grid `lldif prepare` writes, other floats, and damaged streams.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <opencv2/imgproc.hpp>

#include "core/face_detector.h"
#include "core/image_io.h"
#include "core/landmarker.h"
#include "core/model/landmark_codec.h"
#include "test_support.h"

namespace lldif {
namespace {

std::vector<float> decoded(const std::vector<std::uint8_t>& code) {
  const LandmarkStreamInfo info = readLandmarkStreamInfo(code.data(), code.size());
  std::vector<float> out(static_cast<std::size_t>(info.count * info.points * 2), -1.0f);
  decodeLandmarks(code.data(), code.size(), out.data());
  return out;
}

// dlib's 68 landmarks of the portraits' faces, in pixels of a 48-pixel crop, on a 1/8-pixel grid (as with
// FERPlus's faces, whose landmarks dlib finds on the face upsampled 8 times), each face also moved by
// whole and half pixels.
std::vector<float> findRealLandmarks(int* faces) {
  FaceDetector det(DetectorOptions::stills());
  const auto lmk = test::sharedLandmarker();
  std::vector<float> out;
  *faces = 0;
  for (const auto& file : test::portraitFixtures()) {
    const cv::Mat bgr = loadImageBgr(file);
    const auto boxes = det.detect(bgr);
    if (boxes.size() != 1) continue;
    const Landmarks l = lmk->predict(bgr, boxes[0].rect);
    const cv::Rect2f b = boxes[0].rect;
    for (int shift = 0; shift < 20; ++shift) {
      for (const auto& p : l) {
        out.push_back(std::round((p.x - b.x) / b.width * 48 * 8) / 8 + 0.5f * static_cast<float>(shift));
        out.push_back(std::round((p.y - b.y) / b.height * 48 * 8) / 8 - 0.25f * static_cast<float>(shift));
      }
      ++*faces;
    }
  }
  return out;
}

std::vector<float> realLandmarks(int* faces) {
  static int n = 0;
  static const std::vector<float> lm = findRealLandmarks(&n);
  *faces = n;
  return lm;
}

TEST(LandmarkCodec, RealLandmarksOnTheirGridAreExactAndSmall) {
  int n = 0;
  const std::vector<float> lm = realLandmarks(&n);
  ASSERT_GE(n, 100);
  const auto code = encodeLandmarks(lm.data(), n, 68);
  const LandmarkStreamInfo info = readLandmarkStreamInfo(code.data(), code.size());
  EXPECT_EQ(info.grid, 8);
  EXPECT_EQ(info.count, n);
  EXPECT_EQ(info.points, 68);
  const std::vector<float> back = decoded(code);
  EXPECT_EQ(0, std::memcmp(back.data(), lm.data(), lm.size() * sizeof(float)));
  EXPECT_LT(code.size(), lm.size() * sizeof(float) / 3);  // at most a third of the floats
}

TEST(LandmarkCodec, OtherFloatsAreStoredAsTheyAre) {
  const std::vector<std::vector<float>> cases = {
      {0.1f, 0.2f, 47.3f, -3.0f},                                   // off any grid
      {1e9f, 2.0f, 3.0f, 4.0f},                                     // too large for the integer path
      {std::numeric_limits<float>::quiet_NaN(), 1.0f, 2.0f, 3.0f},  // not finite
      {0.0f, 5.0f, 1.0f, 2.0f},                                     // integers: grid 1
      {0.0f, -0.0f, 1.0f, 2.0f},                                    // -0.0 kept as such
  };
  for (const auto& v : cases) {
    const auto code = encodeLandmarks(v.data(), 1, 2);
    const std::vector<float> back = decoded(code);
    EXPECT_EQ(0, std::memcmp(back.data(), v.data(), v.size() * sizeof(float))) << v[0];
  }
  EXPECT_EQ(readLandmarkStreamInfo(encodeLandmarks(cases[0].data(), 1, 2).data(), 28 + 16).grid, 0);
  EXPECT_TRUE(decoded(encodeLandmarks(nullptr, 0, 68)).empty());
}

TEST(LandmarkCodec, DamagedStreamsAreRefused) {
  int n = 0;
  const std::vector<float> lm = realLandmarks(&n);
  auto code = encodeLandmarks(lm.data(), n, 68);
  std::vector<float> out(lm.size());
  code[code.size() / 2] ^= 0x04;
  EXPECT_THROW(decodeLandmarks(code.data(), code.size(), out.data()), std::runtime_error);
  EXPECT_THROW(decodeLandmarks(code.data(), 10, out.data()), std::runtime_error);
  const std::vector<float> raw = {0.1f, 0.2f, 0.3f, 0.4f};
  const auto raw_code = encodeLandmarks(raw.data(), 1, 2);
  EXPECT_THROW(decodeLandmarks(raw_code.data(), raw_code.size() - 1, out.data()), std::runtime_error);
}

}  // namespace
}  // namespace lldif
