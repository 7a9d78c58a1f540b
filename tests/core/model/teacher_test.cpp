#include "core/model/teacher.h"

#include <gtest/gtest.h>

#include "core/model/checkpoint.h"
#include "core/model/landmark_layout.h"
#include "core/model/plain_resnet.h"
#include "test_support.h"

namespace lldif {
namespace {

namespace fs = std::filesystem;

void writeNet(const fs::path& file, int seed, bool trained = true, const std::string& framing = "aligned") {
  torch::manual_seed(seed);
  ModelConfig c = withResidualBackbone({});
  c.framing = framing;
  LLDifNet net(c);
  CheckpointMeta meta;
  meta.trained = trained;
  meta.stage = trained ? 2 : 1;
  saveCheckpoint(file, net, meta);
}

// Five faces: smooth gradients with a bright blob each, landmarks spread over the face.
FacePack smallPack() {
  torch::manual_seed(7);
  FacePack p;
  const torch::Tensor yy = torch::arange(48).view({48, 1}).expand({48, 48}).to(torch::kFloat32);
  const torch::Tensor xx = torch::arange(48).view({1, 48}).expand({48, 48}).to(torch::kFloat32);
  std::vector<torch::Tensor> faces;
  for (int i = 0; i < 5; ++i) {
    const double cx = 10 + 6 * i, cy = 14 + 3 * i;
    faces.push_back(60 + xx * 2 + 120 * torch::exp(-((xx - cx).pow(2) + (yy - cy).pow(2)) / 40.0));
  }
  p.images = torch::stack(faces).clamp(0, 255).to(torch::kUInt8);  // [5, 48, 48]
  p.landmarks = torch::rand({5, 68, 2}) * 36 + 6;                  // [5, 68, 2]
  p.votes = torch::zeros({5, 10}, torch::kUInt8);
  p.split = torch::zeros({5}, torch::kUInt8);
  return p;
}

// The same faces seen in a mirror: pixels x -> 47 - x, each landmark moved likewise and renumbered so
// that index i names the same part of the face (the left eye's points are the left eye's again).
FacePack mirrored(const FacePack& p) {
  FacePack m = p;
  m.images = p.images.flip({2});
  m.landmarks = torch::empty_like(p.landmarks);
  for (int k = 0; k < 68; ++k) {
    const int from = kMirroredLandmark[static_cast<std::size_t>(k)];
    m.landmarks.select(1, k).copy_(p.landmarks.select(1, from));
    m.landmarks.select(1, k).select(1, 0).mul_(-1).add_(47.0);
  }
  return m;
}

TEST(Teacher, ProbabilitiesAreTheMeanOverModelsAndOverTheFaceAndItsMirrorImage) {
  test::TempDir dir;
  writeNet(dir / "a.ckpt", 1);
  writeNet(dir / "b.ckpt", 2);
  const FacePack pack = smallPack(), mirror = mirrored(pack);
  const torch::Tensor rows = torch::tensor(std::vector<int64_t>{4, 0, 2});

  const torch::Tensor a = teacherProbabilities({dir / "a.ckpt"}, pack, rows, false);  // [3, 8]
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{3, 8}));
  EXPECT_TRUE(torch::allclose(a.sum(1), torch::ones({3}), 1e-5, 1e-6));
  EXPECT_TRUE(torch::equal(a, teacherProbabilities({dir / "a.ckpt"}, pack, rows, false))) << "repeatable";
  // Rows are the rows asked for, in that order.
  const torch::Tensor first = teacherProbabilities({dir / "a.ckpt"}, pack, rows.slice(0, 0, 1), false);
  EXPECT_TRUE(torch::allclose(first[0], a[0], 1e-5, 1e-6));

  const torch::Tensor b = teacherProbabilities({dir / "b.ckpt"}, pack, rows, false);
  EXPECT_GT((a - b).abs().max().item<double>(), 1e-4) << "two different networks";
  const torch::Tensor ab = teacherProbabilities({dir / "a.ckpt", dir / "b.ckpt"}, pack, rows, false);
  EXPECT_TRUE(torch::allclose(ab, (a + b) / 2, 1e-5, 1e-6));

  // With flip: the mean of the face and of its mirror image (with mirrored landmarks).
  const torch::Tensor am = teacherProbabilities({dir / "a.ckpt"}, mirror, rows, false);
  EXPECT_GT((a - am).abs().max().item<double>(), 1e-4) << "the mirror image reads differently";
  const torch::Tensor af = teacherProbabilities({dir / "a.ckpt"}, pack, rows, true);
  EXPECT_TRUE(torch::allclose(af, (a + am) / 2, 1e-5, 1e-6)) << (af - (a + am) / 2).abs().max();
  // ... which the mirror image gives too: the same two views.
  EXPECT_TRUE(torch::allclose(teacherProbabilities({dir / "a.ckpt"}, mirror, rows, true), af, 1e-5, 1e-6));
}

TEST(Teacher, RefusesUntrainedModelsOtherFramingsAndMissingFiles) {
  test::TempDir dir;
  writeNet(dir / "stage1.ckpt", 1, /*trained=*/false);
  writeNet(dir / "image.ckpt", 1, true, "image");
  const FacePack pack = smallPack();
  const torch::Tensor rows = torch::arange(2);
  const auto message = [&](const fs::path& f) {
    try {
      teacherProbabilities({f}, pack, rows, true);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(dir / "stage1.ckpt").find("stage1.ckpt is not a trained model"), std::string::npos)
      << message(dir / "stage1.ckpt");
  EXPECT_NE(message(dir / "image.ckpt").find("image-framed"), std::string::npos)
      << message(dir / "image.ckpt");
  EXPECT_NE(message(dir / "none.ckpt").find("none.ckpt"), std::string::npos) << message(dir / "none.ckpt");
  EXPECT_THROW(teacherProbabilities({}, pack, rows, true), std::runtime_error);
}

TEST(Teacher, BlendedTargetsMixVotesAndTeachers) {
  const torch::Tensor votes = torch::tensor({0.8f, 0.2f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f}).view({1, 8});
  const torch::Tensor teacher = torch::tensor({0.1f, 0.1f, 0.8f, 0.f, 0.f, 0.f, 0.f, 0.f}).view({1, 8});
  const torch::Tensor t = blendTargets(votes, teacher, 0.25);
  EXPECT_TRUE(
      torch::allclose(t, torch::tensor({0.625f, 0.175f, 0.2f, 0.f, 0.f, 0.f, 0.f, 0.f}).view({1, 8})));
  EXPECT_NEAR(t.sum().item<double>(), 1.0, 1e-6);
  EXPECT_TRUE(torch::equal(blendTargets(votes, teacher, 0), votes));
  EXPECT_TRUE(torch::equal(blendTargets(votes, teacher, 1), teacher));
  EXPECT_THROW(blendTargets(votes, teacher, 1.5), std::invalid_argument);
  EXPECT_THROW(blendTargets(votes, teacher.view({8, 1}), 0.5), std::invalid_argument);
}

}  // namespace
}  // namespace lldif
