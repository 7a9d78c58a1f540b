#include <tuple>

#include <gtest/gtest.h>

#include "core/model/dlnet.h"
#include "core/model/dmnet.h"
#include "core/model/inference_conv.h"
#include "core/model/lldif_net.h"
#include "core/model/losses.h"
#include "core/model/prior_injection.h"

namespace lldif {
namespace {

TEST(Modules, OutputShapesAtEveryBoundary) {
  torch::manual_seed(0);
  const ModelConfig c;
  LLDifNet net(c);
  net->eval();
  torch::NoGradGuard ng;
  const int B = 2;
  const torch::Tensor image = torch::randn({B, 1, 48, 48});
  const torch::Tensor heat = torch::rand({B, 5, 48, 48});
  const auto [tokens, pooled] = net->la_clip->encodeImage(image);
  EXPECT_EQ(tokens.sizes(), (std::vector<int64_t>{B, 36, 128}));
  EXPECT_EQ(pooled.sizes(), (std::vector<int64_t>{B, 128}));
  EXPECT_EQ(net->la_clip->captionHead(pooled).sizes(), (std::vector<int64_t>{B, 128}));
  EXPECT_EQ(net->la_clip->labelHead(pooled).sizes(), (std::vector<int64_t>{B, 128}));
  const torch::Tensor caps = torch::tensor(captionTokens(1, 2)).unsqueeze(0).repeat({B, 1});
  EXPECT_EQ(net->la_clip->encodeText(caps).sizes(), (std::vector<int64_t>{B, 128}));
  EXPECT_EQ(net->priorS1(image, caps).sizes(), (std::vector<int64_t>{B, c.prior_dim}));
  EXPECT_EQ(net->pnet_s2->forward(image).sizes(), (std::vector<int64_t>{B, c.prior_dim}));
  const auto traj = net->priorS2(image, torch::randn({B, c.prior_dim}));
  ASSERT_EQ(traj.size(), static_cast<std::size_t>(c.timesteps + 1));
  for (const auto& z : traj) EXPECT_EQ(z.sizes(), (std::vector<int64_t>{B, c.prior_dim}));
  EXPECT_EQ(net->classify(image, heat, traj.back()).sizes(), (std::vector<int64_t>{B, 8}));

  DTNetBlock block(32, c.prior_dim, 2);
  EXPECT_EQ(block->forward(torch::randn({B, 32, 24, 24}), traj.back()).sizes(),
            (std::vector<int64_t>{B, 32, 24, 24}));
  DLNet dl(64, 2, 6);
  EXPECT_EQ(dl->forward(torch::randn({B, 64, 12, 12}), torch::randn({B, 64, 12, 12})).sizes(),
            (std::vector<int64_t>{B, 64, 12, 12}));
}

// The shipped network: BatchNorm in the trunk and in PNET_s2.
ModelConfig resnetConfig() { return withResidualBackbone({}); }

TEST(Modules, ResidualBackboneShapesAndItsDtnetBlocksStartAsTheIdentity) {
  torch::manual_seed(4);
  LLformer lf(resnetConfig());
  lf->eval();
  torch::NoGradGuard ng;
  const torch::Tensor image = torch::randn({3, 1, 48, 48});
  const torch::Tensor heat = torch::rand({3, 5, 48, 48});
  const torch::Tensor trunk = lf->res1->forward(lf->res_stem->forward(image));
  EXPECT_EQ(trunk.sizes(), (std::vector<int64_t>{3, 48, 24, 24}));
  EXPECT_EQ(lf->res2->forward(trunk).sizes(), (std::vector<int64_t>{3, 96, 12, 12}));
  // Zero-initialised DMNet / DGNet projections: the block passes its input through, whatever the prior.
  EXPECT_TRUE(torch::equal(lf->dtnet[0]->as<DTNetBlock>()->forward(trunk, torch::randn({3, 256})), trunk));
  const torch::Tensor a = lf->forward(image, heat, torch::randn({3, 256}));
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{3, 8}));
  EXPECT_TRUE(torch::allclose(a, lf->forward(image, heat, torch::randn({3, 256}))));
  // Once the projections are trained (here: non-zero), the prior steers the features.
  for (auto& p : lf->named_parameters())
    if (p.key().find("project") != std::string::npos) p.value().normal_(0, 0.1);
  EXPECT_FALSE(torch::allclose(lf->forward(image, heat, torch::randn({3, 256})),
                               lf->forward(image, heat, torch::randn({3, 256}))));
}

TEST(Modules, PlainBaselineWeightsStartTheResidualBackbone) {
  torch::manual_seed(5);
  PlainResNet plain;
  {  // a "trained" baseline: weights and BatchNorm statistics away from their defaults
    torch::NoGradGuard ng;
    for (auto& p : plain->parameters()) p.normal_(0, 0.2);
    for (auto& b : plain->named_buffers())
      if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
  }
  LLformer lf(resnetConfig());
  loadPlainBackbone(lf, plain);
  plain->eval();
  lf->eval();
  torch::NoGradGuard ng;
  const torch::Tensor x = torch::randn({2, 1, 48, 48});
  const torch::Tensor expected = plain->blocks->forward(
      torch::relu(plain->stem_bn->forward(plain->stem->forward(x))));  // [2, 192, 6, 6]
  const torch::Tensor got = lf->res3->forward(lf->res2->forward(lf->res1->forward(lf->res_stem->forward(x))));
  EXPECT_TRUE(torch::allclose(got, expected, 1e-5, 1e-5));
  LLformer patch{ModelConfig{}};
  EXPECT_THROW(loadPlainBackbone(patch, plain), std::invalid_argument);

  // And back: a fresh baseline started from the LLformer's trunk computes the same features; its head is
  // its own.
  torch::manual_seed(6);
  PlainResNet fresh;
  const torch::Tensor head_before = fresh->head->weight.clone();
  EXPECT_FALSE(torch::allclose(fresh->stem->weight, plain->stem->weight));
  loadBackboneIntoPlain(fresh, lf);
  fresh->eval();
  const torch::Tensor back =
      fresh->blocks->forward(torch::relu(fresh->stem_bn->forward(fresh->stem->forward(x))));
  EXPECT_TRUE(torch::allclose(back, expected, 1e-5, 1e-5));
  EXPECT_TRUE(torch::equal(fresh->head->weight, head_before));
  EXPECT_THROW(loadBackboneIntoPlain(fresh, patch), std::invalid_argument);
}

TEST(Modules, InferenceConvolutionEqualsTheModulesOwn) {
  // The oneDNN path taken without gradients (wide convolutions, strided or not) gives the module's result.
  torch::manual_seed(2);
  for (const auto& [in, out, side, stride] :
       {std::tuple{96, 96, 12, 1}, {96, 192, 12, 2}, {192, 192, 6, 1}}) {
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
    const torch::Tensor x = torch::randn({1, in, side, side});
    const torch::Tensor want = conv->forward(x).detach();
    torch::NoGradGuard ng;
    const torch::Tensor got = convForward(conv, x, 1);
    ASSERT_EQ(got.sizes(), want.sizes());
    EXPECT_LT((got - want).abs().max().item<double>(), 1e-4) << in << " -> " << out << " at " << side;
  }
  // A residual block gives the same output in inference as with gradients on.
  ResidualBlock block(96, 192, 2);
  block->eval();
  const torch::Tensor x = torch::randn({1, 96, 12, 12});
  const torch::Tensor want = block->forward(x).detach();
  c10::InferenceMode im;
  EXPECT_LT((block->forward(x) - want).abs().max().item<double>(), 1e-4);
}

TEST(Modules, FoldedTrunkGivesTheModulesResultUntilTrainingStarts) {
  if (!canFoldForInference()) GTEST_SKIP() << "this LibTorch has no oneDNN";
  torch::manual_seed(6);
  LLformer lf(resnetConfig());
  {  // trained-looking weights and BatchNorm statistics, so that folding them is not the identity
    torch::NoGradGuard ng;
    for (auto& p : lf->named_parameters()) p.value().normal_(0, 0.1);
    for (auto& b : lf->named_buffers()) {
      if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.3, 3.0);
      if (b.key().find("running_mean") != std::string::npos) b.value().normal_(0, 0.5);
    }
  }
  lf->eval();
  for (const int B : {1, 5}) {
    const torch::Tensor image = torch::randn({B, 1, 48, 48});
    const torch::Tensor heat = torch::rand({B, 5, 48, 48});
    const torch::Tensor z = torch::randn({B, 256});
    torch::NoGradGuard ng;
    lf->train(true);  // a module-path reference: nothing folded
    lf->eval();
    const torch::Tensor want = lf->forward(image, heat, z);
    lf->foldForInference();
    const torch::Tensor got = lf->forward(image, heat, z);
    EXPECT_FALSE(torch::equal(got, want)) << "the folded path did not run";  // other float rounding
    EXPECT_LT((got - want).abs().max().item<double>(), 1e-4 * (1.0 + want.abs().max().item<double>())) << B;
    // Training drops the folded copy (the weights are about to change): the module path runs again.
    lf->train(true);
    lf->eval();
    EXPECT_TRUE(torch::equal(lf->forward(image, heat, z), want));
  }
}

TEST(Modules, PriorInjectionWithUnitScaleAndZeroShiftIsTheLayerNorm) {
  torch::manual_seed(3);
  PriorInjection inj(16, 8);
  torch::NoGradGuard ng;
  inj->proj->weight.zero_();
  inj->proj->bias.copy_(torch::cat({torch::ones({16}), torch::zeros({16})}));  // W1 Z = 1, W2 Z = 0
  const torch::Tensor f = torch::randn({2, 16, 5, 7}) * 3 + 1;
  const torch::Tensor out = inj->forward(f, torch::randn({2, 8}));
  const torch::Tensor ln = inj->norm->forward(f);
  EXPECT_TRUE(torch::allclose(out, ln, 1e-6, 1e-6));
  // LN over channels: zero mean, unit variance per pixel.
  EXPECT_LT(ln.mean(1).abs().max().item<double>(), 1e-5);
  EXPECT_NEAR(ln.var(1, false).mean().item<double>(), 1.0, 1e-3);
}

TEST(Modules, DmnetAttentionIsChannelByChannelPerHead) {
  DMNet dm(32, 2);
  const auto [out, attn] = dm->forwardWithAttention(torch::randn({3, 32, 12, 12}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{3, 32, 12, 12}));
  EXPECT_EQ(attn.sizes(), (std::vector<int64_t>{3, 2, 16, 16}));  // C'' x C'' with C'' = 32 / 2
  EXPECT_TRUE(torch::allclose(attn.sum(-1), torch::ones({3, 2, 16}), 1e-5, 1e-5));
}

TEST(Modules, WindowPartitionRoundTrips) {
  const torch::Tensor x = torch::randn({2, 8, 12, 18});
  const torch::Tensor w = windowPartition(x, 6);
  EXPECT_EQ(w.sizes(), (std::vector<int64_t>{2 * 2 * 3, 36, 8}));
  EXPECT_TRUE(torch::equal(windowMerge(w, 6, 2, 12, 18), x));
}

TEST(Losses, CrossEntropyKlAndInfoNce) {
  const torch::Tensor logits = torch::tensor({{2.0, 0.0}, {0.0, 2.0}});
  const torch::Tensor onehot = torch::tensor({{1.0, 0.0}, {0.0, 1.0}});
  EXPECT_NEAR(softCrossEntropy(logits, onehot).item<double>(), std::log(1 + std::exp(-2.0)), 1e-6);
  // Class weights: equal weights change nothing; a weight on class 1 makes its (worse) sample count more.
  const torch::Tensor skewed = torch::tensor({{2.0, 0.0}, {0.0, 0.5}});
  const double plain = softCrossEntropy(skewed, onehot).item<double>();
  EXPECT_NEAR(weightedSoftCrossEntropy(skewed, onehot, torch::tensor({3.0, 3.0})).item<double>(), plain,
              1e-6);
  EXPECT_NEAR(weightedSoftCrossEntropy(skewed, onehot, {}).item<double>(), plain, 1e-6);
  const double l0 = std::log(1 + std::exp(-2.0)), l1 = std::log(1 + std::exp(-0.5));
  EXPECT_NEAR(weightedSoftCrossEntropy(skewed, onehot, torch::tensor({1.0, 3.0})).item<double>(),
              (l0 + 3 * l1) / 4, 1e-6);
  const torch::Tensor z = torch::randn({4, 16});
  EXPECT_NEAR(priorKl(z, z, 0.15).item<double>(), 0.0, 1e-6);
  EXPECT_GT(priorKl(z, torch::randn({4, 16}), 0.15).item<double>(), 0.1);
  // InfoNCE is lower for matching pairs than for shuffled ones.
  const torch::Tensor e = torch::randn({6, 32});
  const torch::Tensor ids = torch::arange(6);
  const torch::Tensor scale = torch::full({1}, std::log(10.0));
  EXPECT_LT(symmetricInfoNce(e, e, ids, scale).item<double>(),
            symmetricInfoNce(e, e.roll(1, 0), ids, scale).item<double>());
}

TEST(Captions, TemplatesTokeniseAndDiffer) {
  EXPECT_EQ(captionText(2, 2), "a very dark photo of a surprised face");
  EXPECT_EQ(captionTokens(0, 1).size(), 8u);
  EXPECT_NE(captionTokens(0, 1), captionTokens(1, 1));
  EXPECT_NE(labelTokens(3), labelTokens(4));
  EXPECT_EQ(captionId(2, 7), 23);
}

}  // namespace
}  // namespace lldif
