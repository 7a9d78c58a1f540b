// inferOverlapped: one batch's prior and landmark branch run on a helper thread beside its image branch.
// On the shipped weights (the prior then changes the result) it must give what priorS2 + classify give, and
// a failure on either thread must come back as an exception, not a hang or a crash.
#include "core/model/overlapped_inference.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "core/model/checkpoint.h"

namespace lldif {
namespace {

LLDifNet shippedNet() {
  LLDifNet net = loadCheckpoint(std::filesystem::path(LLDIF_SOURCE_DIR) / "models" / "lldif.ckpt").net;
  net->eval();
  net->foldForInference();  // as EmotionModel runs it on the CPU
  return net;
}

struct Input {
  torch::Tensor image, heat, noise;
};

Input makeInput(int64_t rows, int seed) {
  torch::manual_seed(seed);
  return {torch::randn({rows, 1, 48, 48}), torch::rand({rows, 5, 48, 48}), torch::randn({rows, 256})};
}

TEST(OverlappedInference, GivesTheSequentialForwardsTrajectoryAndLogits) {
  LLDifNet net = shippedNet();
  c10::InferenceMode guard;
  for (const int64_t rows : {1, 3}) {
    const Input in = makeInput(rows, static_cast<int>(rows));
    const std::vector<torch::Tensor> traj = net->priorS2(in.image, in.noise);
    const torch::Tensor logits = net->classify(in.image, in.heat, traj.back());
    const OverlappedResult o = inferOverlapped(*net, in.image, in.heat, in.noise);
    ASSERT_EQ(o.trajectory.size(), traj.size());
    for (std::size_t t = 0; t < traj.size(); ++t)
      EXPECT_TRUE(torch::allclose(o.trajectory[t], traj[t], 0, 1e-6));
    EXPECT_EQ(o.logits.sizes(), (std::vector<int64_t>{rows, 8}));
    EXPECT_TRUE(torch::allclose(o.logits, logits, 0, 1e-5)) << (o.logits - logits).abs().max().item<float>();
    EXPECT_GT(o.prior_ms, 0.0);
    // The prior matters to these weights: another Z_0 gives other logits, by more than ten times the
    // comparison's tolerance above (so a schedule that handed the DTNet blocks a wrong or stale prior would
    // fail it). On noise images the shipped pbs3b moves by 5.0e-4 / 5.8e-4 at 1 / 3 rows (pbr2 3.5e-4,
    // pbs2 ~5e-4, akd more than 1e-3); the figure is a test property (--gtest_output=xml).
    const torch::Tensor other = net->classify(in.image, in.heat, torch::zeros_like(traj.back()));
    const float moved = (other - logits).abs().max().item<float>();
    RecordProperty("zero_prior_moves_logits_by_rows_" + std::to_string(rows), std::to_string(moved));
    EXPECT_GT(moved, 1e-4);
  }
}

TEST(OverlappedInference, FailuresOnEitherThreadAreReportedAndTheNetworkStillWorks) {
  LLDifNet net = shippedNet();
  c10::InferenceMode guard;
  const Input in = makeInput(1, 7);
  // The helper fails first (noise of the wrong width: the prior cannot be computed) while the caller waits
  // for Z_0.
  EXPECT_ANY_THROW(inferOverlapped(*net, in.image, in.heat, torch::randn({1, 17})));
  // The helper fails later (heatmaps with the wrong channels: the landmark stems) after handing Z_0 over.
  EXPECT_ANY_THROW(inferOverlapped(*net, in.image, torch::rand({1, 3, 48, 48}), in.noise));
  // The caller fails (an image of the wrong size: the trunk) while the helper waits for F_0.
  EXPECT_ANY_THROW(inferOverlapped(*net, torch::randn({1, 2, 48, 48}), in.heat, in.noise));
  const OverlappedResult o = inferOverlapped(*net, in.image, in.heat, in.noise);
  EXPECT_EQ(o.logits.sizes(), (std::vector<int64_t>{1, 8}));
}

TEST(OverlappedInference, RestoresTheCallersThreadCountAndNeedsInferenceMode) {
  LLDifNet net = shippedNet();
  const Input in = makeInput(1, 9);
  EXPECT_THROW(inferOverlapped(*net, in.image, in.heat, in.noise), std::logic_error);  // gradients on
  c10::InferenceMode guard;
  at::set_num_threads(2);
  inferOverlapped(*net, in.image, in.heat, in.noise);
  EXPECT_EQ(at::get_num_threads(), 2);
}

}  // namespace
}  // namespace lldif
