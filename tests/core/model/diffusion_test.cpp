#include "core/model/diffusion.h"

#include <gtest/gtest.h>

#include "core/model/lldif_net.h"

namespace lldif {
namespace {

TEST(DiffusionSchedule, MatchesDiffIrsSqrtLinearBetas) {
  const DiffusionSchedule s(ModelConfig{});
  ASSERT_EQ(s.steps(), 4);
  EXPECT_NEAR(s.beta(1), 0.100, 1e-3);
  EXPECT_NEAR(s.beta(2), 0.2944, 1e-3);
  EXPECT_NEAR(s.beta(3), 0.5910, 1e-3);
  EXPECT_NEAR(s.beta(4), 0.990, 1e-3);
  EXPECT_NEAR(s.alphaBar(4), 0.9 * (1 - 0.2944) * (1 - 0.5910) * 0.01, 1e-5);
  EXPECT_NEAR(s.alphaBar(4), 0.0026, 1e-4);
  EXPECT_EQ(s.alphaBar(0), 1.0);
  ModelConfig c;
  c.timesteps = 8;
  const DiffusionSchedule s8(c);
  EXPECT_NEAR(s8.beta(1), 0.1, 1e-9);
  EXPECT_NEAR(s8.beta(8), 0.99, 1e-9);
  for (int t = 1; t < 8; ++t) EXPECT_LT(s8.alphaBar(t + 1), s8.alphaBar(t));
}

TEST(DiffusionSchedule, ForwardProcessHasTheStatedMeanAndVariance) {
  const DiffusionSchedule s(ModelConfig{});
  torch::manual_seed(0);
  const int n = 200000;
  const torch::Tensor z = torch::full({n, 1}, 2.0);
  for (int t = 1; t <= 4; ++t) {
    const torch::Tensor zt = s.qSample(z, t, torch::randn({n, 1}));
    EXPECT_NEAR(zt.mean().item<double>(), std::sqrt(s.alphaBar(t)) * 2.0, 0.01) << t;
    EXPECT_NEAR(zt.var().item<double>(), 1.0 - s.alphaBar(t), 0.01) << t;
  }
}

TEST(DiffusionSchedule, ReverseChainWithAnOracleDenoiserRecoversZExactly) {
  const DiffusionSchedule s(ModelConfig{});
  torch::manual_seed(1);
  const torch::Tensor z = torch::randn({5, 256}, torch::kFloat64);
  const torch::Tensor z_T = torch::randn({5, 256}, torch::kFloat64);
  int calls = 0;
  const auto traj = s.reverseChain(z_T, [&](const torch::Tensor&, int) {
    ++calls;
    return z;
  });
  ASSERT_EQ(traj.size(), 5u);
  EXPECT_EQ(calls, 4);
  EXPECT_TRUE(torch::equal(traj.front(), z_T));
  EXPECT_LT((traj.back() - z).abs().max().item<double>(), 1e-12);
  // Intermediate steps move monotonically from Z_T towards Z.
  double last = (traj[0] - z).norm().item<double>();
  for (std::size_t i = 1; i < traj.size(); ++i) {
    const double d = (traj[i] - z).norm().item<double>();
    EXPECT_LT(d, last);
    last = d;
  }
}

TEST(DiffusionSchedule, GradientsReachPnetS2AndTheDenoiserThroughTheChain) {
  LLDifNet net{ModelConfig{}};
  net->train();
  torch::manual_seed(2);
  const torch::Tensor image = torch::randn({3, 1, 48, 48});
  const torch::Tensor z_s1 = torch::randn({3, 256});
  const auto traj = net->priorS2(image, torch::randn({3, 256}), z_s1);
  ASSERT_EQ(traj.size(), 5u);
  const torch::Tensor loss = (traj.back() - z_s1).abs().mean();
  loss.backward();
  for (auto* m : {static_cast<torch::nn::Module*>(net->pnet_s2.get()),
                  static_cast<torch::nn::Module*>(net->denoiser.get())}) {
    double g = 0;
    for (const auto& p : m->parameters()) {
      ASSERT_TRUE(p.grad().defined());
      g += p.grad().abs().sum().item<double>();
    }
    EXPECT_GT(g, 0.0);
  }
}

}  // namespace
}  // namespace lldif
