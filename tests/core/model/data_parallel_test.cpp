// CpuDataParallel: a batch cut into parts, each run on its own replica and thread, trains the network as
// the whole batch does (gradients, several optimiser steps, BatchNorm statistics).
#include "core/model/data_parallel.h"

#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/model/losses.h"

namespace lldif {
namespace {

// The shipped network: BatchNorm in the trunk and in PNET_s2.
ModelConfig residualConfig() { return withResidualBackbone({}); }

struct Batch {
  torch::Tensor image, heat, noise, target;
};

Batch makeBatch(int64_t rows, int seed) {
  torch::manual_seed(seed);
  Batch b;
  b.image = torch::randn({rows, 1, 48, 48});
  b.heat = torch::rand({rows, 5, 48, 48});
  b.noise = torch::randn({rows, 256});
  b.target = torch::softmax(torch::randn({rows, 8}) * 2, 1);
  return b;
}

// Stage 2's trainable modules (PNET_s2, denoiser, LLformer), as the trainer picks them.
std::vector<torch::Tensor> stage2Parameters(LLDifNet& net) {
  std::vector<torch::Tensor> ps;
  for (torch::nn::Module* m : {static_cast<torch::nn::Module*>(net->pnet_s2.get()),
                               static_cast<torch::nn::Module*>(net->denoiser.get()),
                               static_cast<torch::nn::Module*>(net->llformer.get())})
    for (auto& p : m->parameters()) ps.push_back(p);
  return ps;
}

// Stage 2's loss on rows [from, to) of the batch: the reverse chain, then the classifier.
CpuDataParallel::PartLoss stage2Loss(const Batch& b) {
  return [&b](LLDifNet& n, int, int64_t from, int64_t to) {
    const auto cut = [from, to](const torch::Tensor& t) { return t.slice(0, from, to); };
    const torch::Tensor z0 = n->priorS2(cut(b.image), cut(b.noise)).back();
    return softCrossEntropy(n->classify(cut(b.image), cut(b.heat), z0), cut(b.target));
  };
}

TEST(CpuDataParallel, PartsOnTheirOwnThreadsGiveTheWholeBatchsGradientAndSteps) {
  torch::manual_seed(3);
  LLDifNet whole(residualConfig());
  LLDifNet parted(residualConfig());
  {
    torch::NoGradGuard ng;
    const auto src = whole->parameters(), dst = parted->parameters();
    for (std::size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
  }
  // BatchNorm on its running statistics (eval mode), so that a part's gradient does not depend on the
  // other rows and the sum over parts must equal the whole batch's gradient.
  whole->eval();
  parted->eval();
  const auto keepMode = [](LLDifNet& r) { r->eval(); };
  std::vector<torch::Tensor> pw = stage2Parameters(whole), pp = stage2Parameters(parted);
  CpuDataParallel one(whole, pw, 1, keepMode), two(parted, pp, 2, keepMode);
  ASSERT_EQ(one.parts(7), 1);
  ASSERT_EQ(two.parts(7), 2);
  ASSERT_EQ(two.parts(3), 1);  // a part needs two rows
  torch::optim::SGD sgd_whole(pw, 0.05), sgd_parted(pp, 0.05);

  for (int step = 0; step < 3; ++step) {  // 7 rows: parts of 3 and 4
    const Batch b = makeBatch(7, 10 + step);
    std::set<std::thread::id> threads;
    std::mutex m;
    const auto base = stage2Loss(b);
    const auto recording = [&](LLDifNet& n, int k, int64_t from, int64_t to) {
      {
        std::lock_guard<std::mutex> lock(m);
        threads.insert(std::this_thread::get_id());
      }
      EXPECT_EQ(from, k == 0 ? 0 : 3);
      EXPECT_EQ(to, k == 0 ? 3 : 7);
      return base(n, k, from, to);
    };
    sgd_whole.zero_grad();
    sgd_parted.zero_grad();
    const double lw = one.forwardBackward(7, base);
    const double lp = two.forwardBackward(7, recording);
    EXPECT_EQ(threads.size(), 2u) << "the second part ran on the calling thread";
    EXPECT_NEAR(lp, lw, 1e-5 * std::abs(lw)) << step;
    double largest = 0, scale = 0;
    for (std::size_t i = 0; i < pw.size(); ++i) {
      if (!pw[i].grad().defined()) continue;
      ASSERT_TRUE(pp[i].grad().defined()) << i;
      largest = std::max(largest, (pw[i].grad() - pp[i].grad()).abs().max().item<double>());
      scale = std::max(scale, pw[i].grad().abs().max().item<double>());
    }
    ASSERT_GT(scale, 0);
    EXPECT_LT(largest, 1e-4 * scale) << "step " << step;
    sgd_whole.step();
    sgd_parted.step();
    one.afterStep();
    two.afterStep();  // the replica must follow, or the next step's second part runs on old weights
  }
  double largest = 0;
  for (std::size_t i = 0; i < pw.size(); ++i)
    largest = std::max(largest, (pw[i] - pp[i]).abs().max().item<double>());
  EXPECT_LT(largest, 1e-5);
}

TEST(CpuDataParallel, BatchNormStatisticsAreTheMeanOverTheParts) {
  torch::manual_seed(4);
  LLDifNet net(residualConfig());
  net->train();
  std::vector<torch::Tensor> ps = stage2Parameters(net);
  // What each part does alone to a copy of the statistics: the expected result is their mean.
  std::vector<std::vector<torch::Tensor>> alone;
  const Batch b = makeBatch(8, 21);
  for (int k = 0; k < 2; ++k) {
    torch::manual_seed(4);
    LLDifNet copy(residualConfig());
    copy->train();
    stage2Loss(b)(copy, k, k * 4, (k + 1) * 4).backward();
    std::vector<torch::Tensor> stats;
    for (auto& t : copy->buffers()) stats.push_back(t.clone());
    alone.push_back(stats);
  }
  CpuDataParallel two(net, ps, 2, [](LLDifNet& r) { r->train(); });
  two.forwardBackward(8, stage2Loss(b));
  two.afterStep();
  const auto named = net->named_buffers();
  int compared = 0, moved = 0;
  for (std::size_t i = 0; i < named.size(); ++i) {
    const torch::Tensor& got = named[i].value();
    if (!got.is_floating_point()) {
      EXPECT_TRUE(torch::equal(got, alone[0][i])) << named[i].key();
      continue;
    }
    const torch::Tensor expect = (alone[0][i] + alone[1][i]) / 2;
    EXPECT_TRUE(torch::allclose(got, expect, 1e-5, 1e-6)) << named[i].key();
    moved += !torch::equal(alone[0][i], alone[1][i]);
    ++compared;
  }
  EXPECT_GT(compared, 20);
  EXPECT_GT(moved, 20) << "the two parts should have seen different rows";
}

TEST(CpuDataParallel, AFailingPartIsReportedAfterEveryPartHasEnded) {
  torch::manual_seed(5);
  LLDifNet net(residualConfig());
  std::vector<torch::Tensor> ps = stage2Parameters(net);
  CpuDataParallel two(net, ps, 2, [](LLDifNet& r) { r->train(); });
  const Batch b = makeBatch(4, 1);
  const auto base = stage2Loss(b);
  EXPECT_THROW(two.forwardBackward(4,
                                   [&](LLDifNet& n, int k, int64_t from, int64_t to) {
                                     if (k == 1) throw std::runtime_error("part 1 failed");
                                     return base(n, k, from, to);
                                   }),
               std::runtime_error);
  // And the object still works: OpenMP's thread count was restored.
  EXPECT_GT(at::get_num_threads(), 0);
  EXPECT_NO_THROW(two.forwardBackward(4, base));
}

}  // namespace
}  // namespace lldif
