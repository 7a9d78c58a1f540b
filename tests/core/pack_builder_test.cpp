#include "core/pack_builder.h"

#include <array>
#include <fstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "core/face_aligner.h"
#include "core/model/face_pack.h"
#include "test_support.h"

namespace lldif {
namespace {

// A FERPlus-layout folder (FER2013Train/label.csv) with four real faces and one corrupt image.
void writeFerPlusFolder(const std::filesystem::path& root) {
  const auto dir = root / "FER2013Train";
  std::vector<cv::Mat> faces;
  for (const char* p : {"portrait-005.jpg", "portrait-020.jpg", "portrait-040.jpg", "portrait-071.jpg"})
    faces.push_back(test::ferLikeFace(test::faceImage(p)));
  test::writeFerPlusFolder(dir, faces, std::vector<std::array<int, 10>>(4, {7, 1, 0, 0, 0, 0, 0, 0, 2, 0}));
  std::ofstream(dir / "fer0000009.png") << "not an image";
  std::ofstream(dir / "label.csv", std::ios::app)
      << "fer0000009.png,\"(0, 0, 48, 48)\",9,1,0,0,0,0,0,0,0,0\n";
}

// Mean distance between two [68, 2] landmark sets, in pixels.
double meanDistance(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).pow(2).sum(-1).sqrt().mean().item<double>();
}

Landmarks toLandmarks(const torch::Tensor& t) {  // [68, 2]
  Landmarks l{};
  for (int k = 0; k < 68; ++k)
    l[static_cast<std::size_t>(k)] = {t[k][0].item<float>(), t[k][1].item<float>()};
  return l;
}

TEST(PackBuilder, DarkLandmarksComeFromDarkenedCopiesInTheClearCropsFrame) {
  test::TempDir dir;
  writeFerPlusFolder(dir.path());
  const auto sources = findPackSources(dir.path());
  for (const bool align : {false, true}) {
    const PackStats s = buildFacePack(sources, dir / "a.pack", {}, PackOptions{align, true});
    EXPECT_EQ(s.images, 4);
    EXPECT_EQ(s.skipped, 1);  // the corrupt image
    const FacePack p = loadFacePack(dir / "a.pack");
    EXPECT_EQ(p.framing, align ? "aligned" : "image");
    // The alignment template travels with the pack (training on machines without OpenCV stores it).
    ASSERT_EQ(p.alignment_template.size(), 136u);
    EXPECT_EQ(p.alignment_template[2 * 36 + 1], ferplusTemplate()[36].y);
    ASSERT_TRUE(p.dark_landmarks.defined());
    ASSERT_EQ(p.dark_landmarks.sizes(), torch::IntArrayRef({4, 2, 68, 2}));
    double moved = 0;
    for (int i = 0; i < 4; ++i) {
      // dlib on a darkened copy finds the same face, a little off: in the clear crop's frame (for aligned
      // packs a wrong frame would put them several pixels away) and not a copy of the clear landmarks.
      const double ll = meanDistance(p.dark_landmarks[i][0], p.landmarks[i]);
      const double xll = meanDistance(p.dark_landmarks[i][1], p.landmarks[i]);
      EXPECT_LT(ll, 3.0) << "face " << i << (align ? " aligned" : " own framing");
      EXPECT_LT(xll, 5.0) << "face " << i << (align ? " aligned" : " own framing");
      moved += ll + xll;
    }
    EXPECT_GT(moved, 0.1) << "dark landmarks identical to the clear ones";
    // Seeded by the row: the same pack again.
    buildFacePack(sources, dir / "b.pack", {}, PackOptions{align, true});
    EXPECT_TRUE(torch::equal(loadFacePack(dir / "b.pack").dark_landmarks, p.dark_landmarks));
  }
  // The same dark copies, same landmarks in the image: the aligned pack's dark set is the own-framing
  // pack's moved by the clear face's alignment (recovered from the two packs' clear landmarks), not by
  // the dark copy's own alignment.
  buildFacePack(sources, dir / "image.pack", {}, PackOptions{false, true});
  const FacePack im = loadFacePack(dir / "image.pack"), al = loadFacePack(dir / "b.pack");
  for (int i = 0; i < 4; ++i) {
    const cv::Matx23d clear_align =
        estimateSimilarity(toLandmarks(im.landmarks[i]), toLandmarks(al.landmarks[i]));
    for (int level = 0; level < 2; ++level) {
      const Landmarks want = transformLandmarks(toLandmarks(im.dark_landmarks[i][level]), clear_align);
      const Landmarks got = toLandmarks(al.dark_landmarks[i][level]);
      for (int k = 0; k < 68; ++k)
        EXPECT_LT(cv::norm(want[k] - got[k]), 0.02) << "face " << i << " level " << level << " point " << k;
    }
  }
  buildFacePack(sources, dir / "c.pack", {}, PackOptions{false, false});
  EXPECT_FALSE(loadFacePack(dir / "c.pack").dark_landmarks.defined());
}

}  // namespace
}  // namespace lldif
