// The face pack's image coder on real faces (the bundled portraits, cut and scaled like FERPlus's faces):
// lossless and near-lossless round trips, sizes, and damaged streams.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <random>

#include "core/model/gray_codec.h"
#include "test_support.h"

namespace lldif {
namespace {

// n 48x48 faces: the portraits' faces, moved by a few pixels and mirrored in turn (so that there are more
// than one block's worth of distinct images).
std::vector<std::uint8_t> realFaces(int n) {
  static const std::vector<cv::Mat> faces = [] {
    std::vector<cv::Mat> f;
    for (const auto& file : test::portraitFixtures()) {
      try {
        f.push_back(test::ferLikeFace(file, 56));
      } catch (const std::runtime_error&) {  // not exactly one face
      }
      if (f.size() == 6) break;
    }
    return f;
  }();
  EXPECT_GE(faces.size(), 4u);
  std::vector<std::uint8_t> out;
  for (int i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    cv::Mat f = faces[k % faces.size()](cv::Rect((i / 6) % 8, (i / 48) % 8, 48, 48)).clone();
    if ((i / 384) % 2) cv::flip(f, f, 1);
    out.insert(out.end(), f.data, f.data + 48 * 48);
  }
  return out;
}

int maxDifference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  int d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(int(a[i]) - int(b[i])));
  return d;
}

std::vector<std::uint8_t> roundTrip(const std::vector<std::uint8_t>& px, std::int64_t n, int w, int h, int e,
                                    std::size_t* bytes = nullptr) {
  const auto code = encodeGrayImages(px.data(), n, w, h, e);
  if (bytes) *bytes = code.size();
  const GrayStreamInfo info = readGrayStreamInfo(code.data(), code.size());
  EXPECT_EQ(info.count, n);
  EXPECT_EQ(info.width, w);
  EXPECT_EQ(info.height, h);
  EXPECT_EQ(info.max_error, e);
  std::vector<std::uint8_t> back(px.size(), 7);
  decodeGrayImages(code.data(), code.size(), back.data());
  return back;
}

TEST(GrayCodec, RealFacesLosslessAndNearLossless) {
  const int n = 2200;  // three blocks, the last one partial
  const auto px = realFaces(n);
  std::size_t lossless = 0, near1 = 0, near2 = 0;
  EXPECT_EQ(roundTrip(px, n, 48, 48, 0, &lossless), px);
  const auto back1 = roundTrip(px, n, 48, 48, 1, &near1);
  EXPECT_EQ(maxDifference(px, back1), 1);
  EXPECT_EQ(maxDifference(px, roundTrip(px, n, 48, 48, 2, &near2)), 2);
  // Real faces compress; each gray level of slack saves more.
  EXPECT_LT(lossless, px.size() * 3 / 4);
  EXPECT_LT(near1, lossless * 4 / 5);
  EXPECT_LT(near2, near1);
  // Near-lossless is not lossless in disguise: most pixels move.
  int changed = 0;
  for (std::size_t i = 0; i < px.size(); ++i) changed += px[i] != back1[i];
  EXPECT_GT(changed, static_cast<int>(px.size() / 3));
}

TEST(GrayCodec, ExtremeContentAndShapes) {
  std::mt19937 rng(3);
  std::vector<std::uint8_t> noise(300 * 48 * 48);
  for (auto& v : noise) v = static_cast<std::uint8_t>(rng() & 255);
  for (int e : {0, 1, 3, 16}) EXPECT_LE(maxDifference(noise, roundTrip(noise, 300, 48, 48, e)), e) << e;
  // Black and white images (the reconstruction's clamping at 0 and 255), stripes of both.
  std::vector<std::uint8_t> bw(2 * 48 * 48);
  for (std::size_t i = 0; i < bw.size(); ++i) bw[i] = (i / 48 + i / 2304) % 2 ? 255 : 0;
  for (int e : {0, 2, 16}) EXPECT_LE(maxDifference(bw, roundTrip(bw, 2, 48, 48, e)), e) << e;
  // One pixel, one row, one column, a non-square image; no image at all.
  for (auto [w, h] : {std::pair{1, 1}, {37, 1}, {1, 29}, {64, 20}}) {
    std::vector<std::uint8_t> img(static_cast<std::size_t>(w * h * 3));
    for (std::size_t i = 0; i < img.size(); ++i) img[i] = static_cast<std::uint8_t>((i * 37) % 251);
    EXPECT_EQ(roundTrip(img, 3, w, h, 0), img) << w << "x" << h;
  }
  EXPECT_TRUE(roundTrip({}, 0, 48, 48, 0).empty());
  EXPECT_THROW(encodeGrayImages(noise.data(), 1, 0, 48, 0), std::invalid_argument);
  EXPECT_THROW(encodeGrayImages(noise.data(), 1, 48, 48, 17), std::invalid_argument);
}

TEST(GrayCodec, DamagedStreamsAreRefusedNotMisread) {
  const int n = 1500;
  const auto px = realFaces(n);
  const auto code = encodeGrayImages(px.data(), n, 48, 48, 0);
  std::vector<std::uint8_t> out(px.size());
  // A flipped bit in the second block's data.
  auto flipped = code;
  flipped[flipped.size() - 100] ^= 0x10;
  try {
    decodeGrayImages(flipped.data(), flipped.size(), out.data());
    FAIL() << "a damaged block was decoded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
  }
  // Cut short, or not a stream at all.
  EXPECT_THROW(decodeGrayImages(code.data(), code.size() - 5000, out.data()), std::runtime_error);
  EXPECT_THROW(decodeGrayImages(code.data(), 20, out.data()), std::runtime_error);
  const std::vector<std::uint8_t> text = {'n', 'o', 't', ' ', 'a', ' ', 's', 't', 'r', 'e', 'a',
                                          'm', 0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
                                          0,   0,   0,   0,   0,   0,   0,   0,   0,   0};
  EXPECT_THROW(readGrayStreamInfo(text.data(), text.size()), std::runtime_error);
}

}  // namespace
}  // namespace lldif
