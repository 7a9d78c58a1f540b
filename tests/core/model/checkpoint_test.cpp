#include "core/model/checkpoint.h"

#include <fstream>

#include <gtest/gtest.h>

#include "test_support.h"

namespace lldif {
namespace {

namespace fs = std::filesystem;

torch::Tensor runStage2(LLDifNet& net, std::uint64_t seed) {
  net->eval();
  torch::NoGradGuard ng;
  torch::manual_seed(42);
  const torch::Tensor image = torch::randn({2, 1, 48, 48});
  const torch::Tensor heat = torch::rand({2, 5, 48, 48});
  auto gen = torch::make_generator<torch::CPUGeneratorImpl>(seed);
  const torch::Tensor noise = torch::randn({2, net->config.prior_dim}, gen);
  return net->classify(image, heat, net->priorS2(image, noise).back());
}

TEST(Checkpoint, SaveLoadRoundTripIsBitExact) {
  test::TempDir dir;
  ModelConfig c;
  c.timesteps = 3;
  c.variant = Variant::kV2;
  torch::manual_seed(5);
  LLDifNet net(c);
  CheckpointMeta meta;
  meta.stage = 2;
  meta.alignment_template = {1.5f, 2.25f, 3.0f};
  meta.info["command"] = "lldif train --stage 2";
  saveCheckpoint(dir / "m.ckpt", net, meta);
  LoadedCheckpoint loaded = loadCheckpoint(dir / "m.ckpt");
  EXPECT_EQ(loaded.net->config.timesteps, 3);
  EXPECT_EQ(loaded.net->config.variant, Variant::kV2);
  EXPECT_FALSE(loaded.meta.trained);
  EXPECT_EQ(loaded.meta.stage, 2);
  EXPECT_EQ(loaded.meta.alignment_template, meta.alignment_template);
  EXPECT_EQ(loaded.meta.info["command"], "lldif train --stage 2");
  const auto a = net->named_parameters(), b = loaded.net->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (const auto& p : a) EXPECT_TRUE(torch::equal(p.value(), b[p.key()])) << p.key();
  for (const auto& p : net->named_buffers())
    EXPECT_TRUE(torch::equal(p.value(), loaded.net->named_buffers()[p.key()]));
  EXPECT_TRUE(torch::equal(runStage2(net, 9), runStage2(loaded.net, 9)));
}

TEST(Checkpoint, SameSeedSameOutputDifferentSeedDifferentOutput) {
  torch::manual_seed(6);
  LLDifNet net{ModelConfig{}};
  EXPECT_TRUE(torch::equal(runStage2(net, 1), runStage2(net, 1)));
  EXPECT_FALSE(torch::equal(runStage2(net, 1), runStage2(net, 2)));
}

TEST(Checkpoint, BadFilesGiveClearErrorsNamingTheFile) {
  test::TempDir dir;
  LLDifNet net{ModelConfig{}};
  saveCheckpoint(dir / "good.ckpt", net, {});
  const auto expectError = [](const fs::path& p, const std::string& words) {
    try {
      loadCheckpoint(p);
      ADD_FAILURE() << "no error for " << p;
    } catch (const CheckpointError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(p.filename().string()), std::string::npos) << msg;
      EXPECT_NE(msg.find(words), std::string::npos) << msg;
    }
  };
  expectError(dir / "missing.ckpt", "not found");
  std::ofstream(dir / "foreign.ckpt") << "PK\x03\x04 a zip file, not a model";
  expectError(dir / "foreign.ckpt", "not an LLDif model");
  fs::copy_file(dir / "good.ckpt", dir / "cut.ckpt");
  fs::resize_file(dir / "cut.ckpt", fs::file_size(dir / "good.ckpt") / 2);
  expectError(dir / "cut.ckpt", "truncated");
  {
    fs::copy_file(dir / "good.ckpt", dir / "flip.ckpt");
    std::fstream f(dir / "flip.ckpt", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(dir / "flip.ckpt") - 100));
    f.put('\x7f');
  }
  expectError(dir / "flip.ckpt", "corrupt");
  {
    fs::copy_file(dir / "good.ckpt", dir / "v9.ckpt");
    std::fstream f(dir / "v9.ckpt", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8);
    const std::uint32_t v = 9;
    f.write(reinterpret_cast<const char*>(&v), 4);
  }
  expectError(dir / "v9.ckpt", "version 9");
}

TEST(Checkpoint, ConfigTextRoundTrips) {
  ModelConfig c;
  c.prior_dim = 128;
  c.dims = {16, 32, 48};
  c.variant = Variant::kV1NoDiffusion;
  c.kl_tau = 0.2f;
  const ModelConfig d = configFromText(configToText(c));
  EXPECT_EQ(d.prior_dim, 128);
  EXPECT_EQ(d.dims, c.dims);
  EXPECT_EQ(d.variant, Variant::kV1NoDiffusion);
  EXPECT_FLOAT_EQ(d.kl_tau, 0.2f);
  EXPECT_EQ(d.backbone, "patch");
  c.backbone = "resnet";
  EXPECT_EQ(configFromText(configToText(c)).backbone, "resnet");
  // A header without the key (the first shipped model) reads as the patch backbone; a foreign one fails.
  EXPECT_EQ(configFromText("prior_dim 256\n").backbone, "patch");
  EXPECT_THROW(configFromText("backbone vgg\n"), std::invalid_argument);
  // Framing of FERPlus images: older files (no key) were trained on aligned faces.
  EXPECT_EQ(d.framing, "aligned");
  c.framing = "image";
  EXPECT_EQ(configFromText(configToText(c)).framing, "image");
  EXPECT_EQ(configFromText("prior_dim 256\n").framing, "aligned");
  EXPECT_THROW(configFromText("framing cropped\n"), std::invalid_argument);
}

}  // namespace
}  // namespace lldif
