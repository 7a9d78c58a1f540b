#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <tuple>

#include <gtest/gtest.h>

#include "core/model/augment.h"
#include "core/model/face_pack.h"
#include "core/model/ferplus_labels.h"
#include "core/model/landmark_layout.h"
#include "test_support.h"

namespace lldif {
namespace {

TEST(FerPlusLabels, MajorityRuleAsTheOfficialCode) {
  EXPECT_EQ(majorityLabel({0, 0, 0, 0, 2, 1, 0, 7, 0, 0}), 7);   // contempt 7 of 9 (single vote dropped)
  EXPECT_EQ(majorityLabel({3, 0, 0, 5, 0, 0, 0, 0, 2, 0}), -1);  // 5 of 10 is not more than half
  EXPECT_EQ(majorityLabel({3, 0, 0, 6, 0, 0, 0, 0, 1, 0}), 3);   // sadness 6 of 9 (single vote dropped)
  EXPECT_EQ(majorityLabel({5, 5, 0, 0, 0, 0, 0, 0, 0, 0}), -1);  // a tie is not more than half
  EXPECT_EQ(majorityLabel({4, 3, 1, 1, 1, 0, 0, 0, 0, 0}), 0);   // ones removed: 4 of 7
  EXPECT_EQ(majorityLabel({0, 0, 0, 0, 0, 0, 0, 0, 8, 2}), -1);  // unknown is not an emotion
  EXPECT_EQ(majorityLabel({1, 1, 1, 1, 1, 1, 1, 1, 1, 1}), -1);
  std::array<float, 8> t{};
  ASSERT_TRUE(softLabel({6, 0, 1, 2, 0, 0, 0, 0, 1, 0}, t));
  EXPECT_FLOAT_EQ(t[0], 0.75f);
  EXPECT_FLOAT_EQ(t[2], 0.0f);
  EXPECT_FLOAT_EQ(t[3], 0.25f);
  EXPECT_FALSE(softLabel({0, 0, 0, 0, 0, 0, 0, 0, 9, 1}, t));
}

TEST(FerPlusLabels, ReadsLabelCsvAndRejectsMalformedRows) {
  test::TempDir dir;
  std::ofstream(dir / "label.csv") << "fer0000000.png,\"(0, 0, 48, 48)\",4,0,0,1,3,2,0,0,0,0\n"
                                      "fer0000001.png,\"(0, 0, 48, 48)\",6,0,1,1,0,0,0,0,2,0\n";
  const auto rows = readLabelCsv(dir.path());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].file, "fer0000001.png");
  EXPECT_EQ(rows[1].votes[0], 6);
  EXPECT_EQ(rows[1].votes[8], 2);
  EXPECT_EQ(rows[0].box, (std::array<int, 4>{})) << "FERPlus's constant box is the whole image: none";
  // A face box of a folder of photos in this layout; a column that is not four numbers is no box.
  std::ofstream(dir / "label.csv") << "a.jpg,\"(120, 40, 200, 210)\",0,9,0,0,0,0,0,0,0,0\n"
                                      "b.jpg,\"face\",0,9,0,0,0,0,0,0,0,0\n";
  const auto photos = readLabelCsv(dir.path());
  ASSERT_EQ(photos.size(), 2u);
  EXPECT_EQ(photos[0].box, (std::array<int, 4>{120, 40, 200, 210}));
  EXPECT_EQ(photos[0].votes[1], 9);
  EXPECT_EQ(photos[1].box, (std::array<int, 4>{}));
  std::ofstream(dir / "label.csv") << "fer0000000.png,\"(0, 0, 48, 48)\",4,0,0\n";
  EXPECT_THROW(readLabelCsv(dir.path()), std::runtime_error);
  EXPECT_THROW(readLabelCsv(dir / "nothing"), std::runtime_error);
}

TEST(Augment, FlipMirrorsTheImageAndTheLandmarks) {
  torch::manual_seed(0);
  torch::Tensor img = torch::zeros({1, 48, 48}, torch::kUInt8);
  img[0][20][10] = 255;  // a bright dot at x = 10, y = 20
  torch::Tensor lm = torch::rand({1, 68, 2}) * 40 + 4;
  lm[0][36][0] = 10;
  lm[0][36][1] = 20;
  AugmentOptions o;
  o.p_flip = 1.0;
  o.max_rotate_deg = 0;
  o.max_scale = 0;
  o.max_shift_px = 0;
  o.p_clear = 1.0;
  const AugmentedBatch a = augment(img, lm, o);
  // The dot moves to x = 47 - 10 = 37; the jitter changes levels, not positions.
  const torch::Tensor plane = a.image[0][0];
  const auto argmax = plane.flatten().argmax().item<int64_t>();
  EXPECT_EQ(argmax % 48, 37);
  EXPECT_EQ(argmax / 48, 20);
  // Point 36 (outer corner of the image-left eye) becomes point 45 after the flip, at the mirrored spot.
  EXPECT_NEAR(a.landmarks[0][45][0].item<float>(), 37.0f, 1e-3);
  EXPECT_NEAR(a.landmarks[0][45][1].item<float>(), 20.0f, 1e-3);
  for (int i = 0; i < 68; ++i) {
    EXPECT_NEAR(a.landmarks[0][kMirroredLandmark[i]][0].item<float>(), 47.0f - lm[0][i][0].item<float>(),
                1e-3);
  }
}

TEST(Augment, RandomErasingReplacesOneRectangleOfTheRequestedSize) {
  // A flat grey face stays flat under the clear jitter, so the pixels that differ from its level are the
  // erased ones: one axis-aligned rectangle of 2-20% of the face, in about p_erase of the samples.
  const int64_t B = 400;
  const torch::Tensor img = torch::full({B, 48, 48}, 128, torch::kUInt8);
  const torch::Tensor lm = torch::rand({B, 68, 2}) * 40 + 4;
  AugmentOptions o;
  o.p_clear = 1.0;
  for (const double p : {0.0, 0.5, 1.0}) {
    torch::manual_seed(11);
    o.p_erase = p;
    const AugmentedBatch a = augment(img, lm, o, /*geometric=*/false);
    EXPECT_TRUE(torch::equal(a.landmarks, lm)) << "landmarks stay where they are";
    int erased = 0;
    for (int64_t b = 0; b < B; ++b) {
      const torch::Tensor plane = a.image[b][0];
      // The level of the face: the most common value (an erased corner must not be taken for it).
      const torch::Tensor level = std::get<0>(plane.flatten().mode());
      const torch::Tensor diff = plane.ne(level);
      const auto n = diff.sum().item<int64_t>();
      if (n == 0) continue;
      ++erased;
      const torch::Tensor rows = diff.any(1).nonzero(), cols = diff.any(0).nonzero();
      const auto h = rows.size(0), w = cols.size(0);
      EXPECT_EQ(n, h * w) << "one filled rectangle, sample " << b;
      EXPECT_EQ(rows[-1].item<int64_t>() - rows[0].item<int64_t>() + 1, h) << "contiguous rows, sample " << b;
      EXPECT_EQ(cols[-1].item<int64_t>() - cols[0].item<int64_t>() + 1, w)
          << "contiguous columns, sample " << b;
      // Area 2-20% of 48 x 48 (461 px at most), up to one pixel row / column more from rounding.
      EXPECT_GE(n, 20) << b;
      EXPECT_LE(n, 461 + h + w + 1) << b;
    }
    EXPECT_NEAR(erased / static_cast<double>(B), p, 0.08) << "p_erase " << p;
  }
}

TEST(Augment, LargerErasingReachesMaskSizedRectanglesAndNoFurther) {
  // --erase-max 0.5 (TrainOptions::erase_max): rectangles up to half of the face, like a mask over its
  // lower half; with the default 0.2 none is past a fifth. Erased pixels are found as in the test above.
  const int64_t B = 400, S = 48;
  const torch::Tensor img = torch::full({B, S, S}, 128, torch::kUInt8);
  const torch::Tensor lm = torch::rand({B, 68, 2}) * 40 + 4;
  AugmentOptions o;
  o.p_clear = 1.0;
  o.p_erase = 1.0;
  for (const double area_max : {0.2, 0.5}) {
    torch::manual_seed(12);
    o.erase_area_max = area_max;
    const AugmentedBatch a = augment(img, lm, o, /*geometric=*/false);
    int64_t largest = 0, past_a_fifth = 0;
    for (int64_t b = 0; b < B; ++b) {
      const torch::Tensor plane = a.image[b][0];
      const torch::Tensor diff = plane.ne(std::get<0>(plane.flatten().mode()));
      const auto n = diff.sum().item<int64_t>();
      const auto h = diff.any(1).sum().item<int64_t>(), w = diff.any(0).sum().item<int64_t>();
      // Up to one pixel row / column more than the drawn area from rounding; clipping only shrinks it.
      EXPECT_LE(n, static_cast<int64_t>(area_max * S * S) + h + w + 1)
          << "area_max " << area_max << ", " << b;
      largest = std::max(largest, n);
      if (n > S * S / 5 + h + w + 1) ++past_a_fifth;
    }
    if (area_max == 0.2) {
      EXPECT_EQ(past_a_fifth, 0);
    } else {
      // Areas uniform in 2-50%: about 60% of the draws are past a fifth before clipping to the image.
      EXPECT_GT(past_a_fifth, B / 4) << "largest " << largest;
      EXPECT_GT(largest, S * S * 2 / 5);
    }
  }
}

TEST(Augment, PhotometricVarietyChangesTheRequestedShareOfFaces) {
  // A step edge (0.25 | 0.75): samples left alone are bit-identical; changed ones stay in [0, 1] and are
  // blurred (the pixel beside the edge moves towards the other side) or sharpened (it overshoots) in
  // about the shares the blend range -0.8..1 gives.
  const int64_t B = 400;
  torch::Tensor x = torch::full({B, 1, 48, 48}, 0.25f);
  x.slice(3, 24).fill_(0.75f);
  AugmentOptions o;
  for (const double p : {0.0, 0.5, 1.0}) {
    torch::manual_seed(5);
    o.p_photometric = p;
    const torch::Tensor y = photometricBatch(x, o);
    ASSERT_EQ(y.sizes(), x.sizes());
    EXPECT_GE(y.min().item<float>(), 0.0f);
    EXPECT_LE(y.max().item<float>(), 1.0f);
    const torch::Tensor same = (y == x).flatten(1).all(1);  // [B]
    EXPECT_NEAR(1.0 - same.to(torch::kFloat64).mean().item<double>(), p, 0.08) << "p_photometric " << p;
    if (p < 1.0) continue;
    // Far from the edge each side is flat: its level there is the gamma / contrast one. Beside the edge
    // a blurred face lies between the sides' levels, a sharpened one beyond them.
    const torch::Tensor far_left = y.select(3, 2), beside = y.select(3, 23);  // [B, 1, 48]
    const auto sharpened = (beside < far_left - 1e-4).all(2).squeeze(1).sum().item<int64_t>();
    const auto blurred = (beside > far_left + 1e-3).all(2).squeeze(1).sum().item<int64_t>();
    EXPECT_NEAR(sharpened / static_cast<double>(B), 0.8 / 1.8, 0.1);
    EXPECT_NEAR(blurred / static_cast<double>(B), 1.0 / 1.8, 0.1);
  }
  // A flat face has no contrast or edge to change: it only takes the gamma, 0.5^gamma for gamma in
  // 0.6..1.65, and the draws cover that range.
  torch::manual_seed(6);
  o.p_photometric = 1.0;
  const torch::Tensor flat = photometricBatch(torch::full({B, 1, 48, 48}, 0.5f), o);
  const torch::Tensor lo = flat.amin({1, 2, 3}), hi = flat.amax({1, 2, 3});
  EXPECT_LT((hi - lo).max().item<float>(), 1e-5f) << "a flat face stays flat";
  EXPECT_GE(lo.min().item<float>(), std::pow(0.5f, 1.65f) - 1e-5f);
  EXPECT_LE(hi.max().item<float>(), std::pow(0.5f, 0.6f) + 1e-5f);
  EXPECT_LT(lo.min().item<float>(), 0.36f);
  EXPECT_GT(hi.max().item<float>(), 0.62f);
}

TEST(Augment, RotationMovesLandmarksWithThePixels) {
  torch::manual_seed(3);
  torch::Tensor img = torch::zeros({4, 48, 48}, torch::kUInt8);
  torch::Tensor lm = torch::zeros({4, 68, 2});
  for (int b = 0; b < 4; ++b) {
    img[b][14][30] = 255;  // dot at x = 30, y = 14
    lm[b].select(1, 0).fill_(30);
    lm[b].select(1, 1).fill_(14);
  }
  AugmentOptions o;
  o.p_clear = 1.0;
  o.max_rotate_deg = 15;
  o.max_shift_px = 3;
  const AugmentedBatch a = augment(img, lm, o);
  for (int b = 0; b < 4; ++b) {
    const auto am = a.image[b][0].flatten().argmax().item<int64_t>();
    EXPECT_NEAR(static_cast<double>(am % 48), a.landmarks[b][0][0].item<double>(), 1.01) << b;
    EXPECT_NEAR(static_cast<double>(am / 48), a.landmarks[b][0][1].item<double>(), 1.01) << b;
  }
}

TEST(Augment, DarkenedSamplesGetTheLandmarksOfTheirDarkenedCopy) {
  const torch::Tensor img = torch::randint(0, 255, {6, 48, 48}).to(torch::kUInt8);
  const torch::Tensor lm = torch::rand({6, 68, 2}) * 40 + 4;
  const torch::Tensor dark = lm.unsqueeze(1).repeat({1, 2, 1, 1}) + torch::randn({6, 2, 68, 2});
  AugmentOptions o;
  o.p_flip = 0;
  o.max_rotate_deg = 0;
  o.max_scale = 0;
  o.max_shift_px = 0;
  for (const auto& [p_clear, p_ll, set] : {std::tuple{1.0, 0.0, -1}, {0.0, 1.0, 0}, {0.0, 0.0, 1}}) {
    o.p_clear = p_clear;
    o.p_ll = p_ll;
    torch::manual_seed(5);
    const AugmentedBatch a = augment(img, lm, o, true, dark);
    const torch::Tensor want = set < 0 ? lm : dark.select(1, set);
    EXPECT_LT((a.landmarks - want).abs().max().item<double>(), 1e-3) << "set " << set;
    // The same random draws as without dark landmarks: the same image and lighting.
    torch::manual_seed(5);
    const AugmentedBatch b = augment(img, lm, o, true);
    EXPECT_TRUE(torch::equal(a.image, b.image));
    EXPECT_TRUE(torch::equal(a.lighting, b.lighting));
    EXPECT_LT((b.landmarks - lm).abs().max().item<double>(), 1e-3);
  }
  // A flip mirrors the dark set like the clear one (points permuted, x mirrored).
  o.p_flip = 1.0;
  o.p_clear = 0;
  o.p_ll = 1.0;
  const AugmentedBatch f = augment(img, lm, o, true, dark);
  for (int i = 0; i < 68; ++i) {
    EXPECT_NEAR(f.landmarks[2][kMirroredLandmark[i]][0].item<float>(), 47.0f - dark[2][0][i][0].item<float>(),
                1e-3);
    EXPECT_NEAR(f.landmarks[2][kMirroredLandmark[i]][1].item<float>(), dark[2][0][i][1].item<float>(), 1e-3);
  }
}

TEST(Augment, DarkeningMatchesTheBenchmarkBrightness) {
  torch::manual_seed(1);
  const torch::Tensor x = torch::full({2000, 1, 4, 4}, 120.0 / 255.0);  // DATA.md: clear ~120
  const torch::Tensor ll = darkenBatch(x, torch::rand({2000}) * 1.5 + 3.0, torch::rand({2000}) * 1.5 + 1.5);
  const torch::Tensor xll = darkenBatch(x, torch::rand({2000}) * 1.5 + 5.0, torch::rand({2000}) * 2.0 + 2.0);
  EXPECT_NEAR(ll.mean().item<double>() * 255, 30.0, 6.0);       // ll ~30
  EXPECT_NEAR(xll.mean().item<double>() * 255, 12.0, 4.0);      // xll ~12
  EXPECT_TRUE(torch::equal(torch::round(ll * 255), ll * 255));  // 8-bit levels
}

TEST(FacePack, SaveLoadRoundTrip) {
  test::TempDir dir;
  FacePack p;
  p.images = torch::randint(0, 255, {3, 48, 48}).to(torch::kUInt8);
  p.landmarks = torch::rand({3, 68, 2});
  p.votes = torch::randint(0, 10, {3, 10}).to(torch::kUInt8);
  p.split = torch::tensor({0, 1, 2}).to(torch::kUInt8);
  p.detected = torch::tensor({1, 0, 1}).to(torch::kUInt8);
  p.names = {"a/x.png", "b/y.png", "c/z.png"};
  saveFacePack(dir / "p.pack", p);
  FacePack q = loadFacePack(dir / "p.pack");
  EXPECT_EQ(q.framing, "aligned");
  EXPECT_TRUE(q.alignment_template.empty());  // a pack without one (as older packs)
  p.alignment_template = {1.5f, 2.25f, 47.0f};
  p.framing = "image";
  saveFacePack(dir / "p.pack", p);
  q = loadFacePack(dir / "p.pack");
  EXPECT_EQ(q.framing, "image");
  EXPECT_EQ(q.alignment_template, p.alignment_template);
  EXPECT_TRUE(torch::equal(p.images, q.images));
  EXPECT_TRUE(torch::equal(p.landmarks, q.landmarks));
  EXPECT_FALSE(q.dark_landmarks.defined());  // a pack without them (as older packs)
  p.dark_landmarks = torch::rand({3, 2, 68, 2});
  saveFacePack(dir / "p.pack", p);
  q = loadFacePack(dir / "p.pack");
  ASSERT_TRUE(q.dark_landmarks.defined());
  EXPECT_TRUE(torch::equal(p.dark_landmarks, q.dark_landmarks));
  p.dark_landmarks = torch::rand({3, 68, 2});  // wrong shape
  saveFacePack(dir / "w.pack", p);
  EXPECT_THROW(loadFacePack(dir / "w.pack"), std::runtime_error);
  EXPECT_EQ(q.names, p.names);
  EXPECT_EQ(q.indices(Split::kValid).item<int64_t>(), 1);
  std::ofstream(dir / "bad.pack") << "nope";
  EXPECT_THROW(loadFacePack(dir / "bad.pack"), std::runtime_error);
  EXPECT_THROW(loadFacePack(dir / "none.pack"), std::runtime_error);
}

TEST(FacePack, NearLosslessSplitsAndTheFormatBefore) {
  test::TempDir dir;
  FacePack p;
  // Smooth faces-like ramps with noise, landmarks on a 1/8-pixel grid (as lldif prepare writes them).
  torch::manual_seed(4);
  p.images = (torch::linspace(40, 200, 48).reshape({1, 1, 48}) + torch::randint(0, 12, {6, 48, 48}))
                 .clamp(0, 255)
                 .to(torch::kUInt8);
  p.landmarks = torch::round(torch::rand({6, 68, 2}) * 48 * 8) / 8;
  p.votes = torch::randint(0, 10, {6, 10}).to(torch::kUInt8);
  p.split = torch::tensor({0, 1, 2, 0, 1, 2}).to(torch::kUInt8);
  p.detected = torch::ones({6}, torch::kUInt8);
  p.names = {"t/0", "v/1", "s/2", "t/3", "v/4", "s/5"};
  saveFacePack(dir / "near.pack", p, PackWriteOptions{2});
  const FacePack q = loadFacePack(dir / "near.pack");
  EXPECT_EQ(q.max_error, 2);
  const torch::Tensor diff = (q.images.to(torch::kInt) - p.images.to(torch::kInt)).abs();
  EXPECT_LE(diff.max().item<int>(), 2);
  EXPECT_GT(diff.gt(0).sum().item<int>(), 1000);  // really near-lossless, not exact
  EXPECT_TRUE(torch::equal(q.landmarks, p.landmarks));
  // Saved again near-losslessly: the errors add up, and the pack says so.
  saveFacePack(dir / "nearer.pack", q, PackWriteOptions{1});
  EXPECT_EQ(loadFacePack(dir / "nearer.pack").max_error, 3);

  const FacePack tv = selectSplits(p, {Split::kTrain, Split::kValid});
  EXPECT_EQ(tv.size(), 4);
  EXPECT_EQ(tv.names, (std::vector<std::string>{"t/0", "v/1", "t/3", "v/4"}));
  EXPECT_TRUE(torch::equal(tv.images[2], p.images[3]));
  EXPECT_TRUE(torch::equal(tv.votes[3], p.votes[4]));
  EXPECT_EQ(selectSplits(p, {Split::kTest}).indices(Split::kTest).numel(), 2);

  // A pack in format 1 (raw tensors, before 2026-12-01) still loads, and exactly.
  {
    std::string joined;
    for (const auto& n : p.names) joined += n + '\n';
    torch::Tensor names = torch::empty({static_cast<int64_t>(joined.size())}, torch::kUInt8);
    std::memcpy(names.data_ptr(), joined.data(), joined.size());
    torch::serialize::OutputArchive a;
    a.write("format", torch::tensor({1}));
    a.write("images", p.images);
    a.write("landmarks", p.landmarks);
    a.write("votes", p.votes);
    a.write("split", p.split);
    a.write("detected", p.detected);
    a.write("names", names);
    a.save_to((dir / "v1.pack").string());
  }
  const FacePack old = loadFacePack(dir / "v1.pack");
  EXPECT_TRUE(torch::equal(old.images, p.images));
  EXPECT_TRUE(torch::equal(old.landmarks, p.landmarks));
  EXPECT_EQ(old.names, p.names);
  EXPECT_EQ(old.max_error, 0);
  // A format this build does not know is named as such.
  {
    torch::serialize::OutputArchive a;
    a.write("format", torch::tensor({3}));
    a.save_to((dir / "v3.pack").string());
  }
  try {
    loadFacePack(dir / "v3.pack");
    FAIL() << "format 3 loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported face pack format 3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lldif
