#include "core/model/weight_average.h"

#include <gtest/gtest.h>

#include "core/model/checkpoint.h"
#include "test_support.h"

namespace lldif {
namespace {

namespace fs = std::filesystem;

// The shipped network: BatchNorm in the trunk and in PNET_s2.
ModelConfig residualConfig() { return withResidualBackbone({}); }

// Saves a network of config c initialised with seed; its BatchNorm running means are set to `bn` and the
// step counters to `steps`, so that buffers differ between files as they do between training runs.
void writeNet(const fs::path& file, const ModelConfig& c, int seed, float bn, std::int64_t steps,
              int stage = 2, bool trained = true) {
  torch::manual_seed(seed);
  LLDifNet net(c);
  torch::NoGradGuard ng;
  for (auto& b : net->named_buffers()) {
    if (b.key().find("running_mean") != std::string::npos) b.value().fill_(bn);
    if (b.key().find("num_batches_tracked") != std::string::npos) b.value().fill_(steps);
  }
  CheckpointMeta meta;
  meta.trained = trained;
  meta.stage = stage;
  meta.info["stage2.command"] = "lldif train seed " + std::to_string(seed);
  saveCheckpoint(file, net, meta);
}

TEST(WeightAverage, EveryWeightAndStatisticIsTheMeanOfTheInputs) {
  test::TempDir dir;
  const ModelConfig c = residualConfig();
  writeNet(dir / "a.ckpt", c, 1, 1.0f, 10);
  writeNet(dir / "b.ckpt", c, 2, 2.0f, 20);
  writeNet(dir / "c.ckpt", c, 3, 6.0f, 30, 2, /*trained=*/false);
  averageCheckpoints({dir / "a.ckpt", dir / "b.ckpt", dir / "c.ckpt"}, dir / "mean.ckpt");
  const LoadedCheckpoint a = loadCheckpoint(dir / "a.ckpt"), b = loadCheckpoint(dir / "b.ckpt"),
                         c3 = loadCheckpoint(dir / "c.ckpt"), m = loadCheckpoint(dir / "mean.ckpt");
  const auto pa = a.net->named_parameters(), pb = b.net->named_parameters(), pc = c3.net->named_parameters();
  int checked = 0;
  for (const auto& p : m.net->named_parameters()) {
    const torch::Tensor expect = (pa[p.key()] + pb[p.key()] + pc[p.key()]) / 3;
    ASSERT_TRUE(torch::allclose(p.value(), expect, 1e-6, 1e-7)) << p.key();
    // Seeds differ, so the mean is none of the inputs (for weights with a random initialisation).
    if (pa[p.key()].numel() > 1 && pa[p.key()].std().item<float>() > 0) {
      EXPECT_FALSE(torch::equal(p.value(), pa[p.key()])) << p.key();
    }
    ++checked;
  }
  EXPECT_GT(checked, 100);
  int bn = 0;
  for (const auto& buf : m.net->named_buffers()) {
    if (buf.key().find("running_mean") != std::string::npos) {
      EXPECT_TRUE(torch::allclose(buf.value(), torch::full_like(buf.value(), 3.0f))) << buf.key();
      ++bn;
    }
    if (buf.key().find("num_batches_tracked") != std::string::npos) {
      EXPECT_EQ(buf.value().item<std::int64_t>(), 10) << buf.key();
    }
  }
  EXPECT_GT(bn, 10);
  EXPECT_FALSE(m.meta.trained);  // one input was untrained
  EXPECT_EQ(m.meta.stage, 2);
  EXPECT_EQ(m.meta.info.at("stage2.command"), "lldif train seed 1");
  const std::string from = m.meta.info.at("averaged_from");
  for (const char* f : {"a.ckpt", "b.ckpt", "c.ckpt"}) EXPECT_NE(from.find(f), std::string::npos) << from;
}

TEST(WeightAverage, AveragingAModelWithItselfChangesNothing) {
  test::TempDir dir;
  writeNet(dir / "a.ckpt", residualConfig(), 4, 0.5f, 7);
  averageCheckpoints({dir / "a.ckpt", dir / "a.ckpt"}, dir / "self.ckpt");
  LoadedCheckpoint a = loadCheckpoint(dir / "a.ckpt"), s = loadCheckpoint(dir / "self.ckpt");
  EXPECT_TRUE(s.meta.trained);
  for (const auto& p : a.net->named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), s.net->named_parameters()[p.key()])) << p.key();
  torch::NoGradGuard ng;
  a.net->eval();
  s.net->eval();
  torch::manual_seed(3);
  const torch::Tensor image = torch::randn({2, 1, 48, 48}), heat = torch::rand({2, 5, 48, 48});
  const torch::Tensor noise = torch::randn({2, 256});
  EXPECT_TRUE(torch::equal(a.net->classify(image, heat, a.net->priorS2(image, noise).back()),
                           s.net->classify(image, heat, s.net->priorS2(image, noise).back())));
}

TEST(WeightAverage, RefusesMismatchedOrTooFewInputsNamingTheFile) {
  test::TempDir dir;
  writeNet(dir / "a.ckpt", residualConfig(), 1, 0, 1);
  ModelConfig other = residualConfig();
  other.timesteps = 2;
  writeNet(dir / "t2.ckpt", other, 1, 0, 1);
  writeNet(dir / "s1.ckpt", residualConfig(), 1, 0, 1, /*stage=*/1);
  const auto expectError = [&](const std::vector<fs::path>& in, const fs::path& out, const std::string& name,
                               const std::string& words) {
    try {
      averageCheckpoints(in, out);
      ADD_FAILURE() << "no error, expected: " << words;
    } catch (const CheckpointError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(name), std::string::npos) << msg;
      EXPECT_NE(msg.find(words), std::string::npos) << msg;
    }
    EXPECT_FALSE(fs::exists(out)) << "nothing is written on error";
  };
  expectError({dir / "a.ckpt", dir / "t2.ckpt"}, dir / "o1.ckpt", "t2.ckpt", "configuration");
  expectError({dir / "a.ckpt", dir / "s1.ckpt"}, dir / "o2.ckpt", "s1.ckpt", "stage 1");
  expectError({dir / "a.ckpt", dir / "gone.ckpt"}, dir / "o3.ckpt", "gone.ckpt", "not found");
  expectError({dir / "a.ckpt"}, dir / "o4.ckpt", "", "at least two");
  fs::copy_file(dir / "a.ckpt", dir / "b.ckpt");
  const auto before = fs::file_size(dir / "b.ckpt");
  try {
    averageCheckpoints({dir / "a.ckpt", dir / "b.ckpt"}, dir / "b.ckpt");
    ADD_FAILURE() << "overwrote an input";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("one of the inputs"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fs::file_size(dir / "b.ckpt"), before);
}

}  // namespace
}  // namespace lldif
