#include "core/model/data_parallel.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "core/model/side_by_side.h"

namespace lldif {

namespace {

// Copies the network's parameters (with their requires_grad) and buffers into a replica of the same
// structure.
void copyInto(LLDifNet& from, LLDifNet& to) {
  torch::NoGradGuard ng;
  const auto src = from->parameters(), dst = to->parameters();
  const auto srcb = from->buffers(), dstb = to->buffers();
  if (src.size() != dst.size() || srcb.size() != dstb.size())
    throw std::logic_error("CpuDataParallel: the replica's structure differs from the network's");
  for (std::size_t i = 0; i < src.size(); ++i) {
    dst[i].copy_(src[i]);
    dst[i].set_requires_grad(src[i].requires_grad());
  }
  for (std::size_t i = 0; i < srcb.size(); ++i) dstb[i].copy_(srcb[i]);
}

}  // namespace

CpuDataParallel::CpuDataParallel(LLDifNet net, std::vector<torch::Tensor> trainable, int threads,
                                 const std::function<void(LLDifNet&)>& prepare)
    : net_(std::move(net)), threads_(std::max(1, threads)) {
  std::set<const void*> wanted;
  for (const auto& t : trainable) wanted.insert(t.unsafeGetTensorImpl());
  const auto all = net_->parameters();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (wanted.count(all[i].unsafeGetTensorImpl())) {
      trainable_.push_back(all[i]);
      trainable_index_.push_back(i);
    }
  }
  if (trainable_.size() != wanted.size())
    throw std::logic_error("CpuDataParallel: a trainable tensor is not a parameter of the network");
  if (threads_ > 1 && !net_->parameters().empty() && !net_->parameters().front().device().is_cpu())
    throw std::logic_error("CpuDataParallel: the network is not on the CPU");
  for (int k = 1; k < threads_; ++k) {
    LLDifNet replica(net_->config);
    copyInto(net_, replica);
    prepare(replica);
    replicas_.push_back(replica);
  }
}

int CpuDataParallel::parts(int64_t rows) const {
  return static_cast<int>(std::clamp<int64_t>(std::min<int64_t>(threads_, rows / 2), 1, threads_));
}

double CpuDataParallel::forwardBackward(int64_t rows, const PartLoss& loss, bool split) {
  const int n = split ? parts(rows) : 1;
  if (n == 1) {
    const torch::Tensor l = loss(net_, 0, 0, rows);
    l.backward();
    return l.item<double>();
  }
  for (int k = 1; k < n; ++k)
    for (auto& p : replicas_[static_cast<std::size_t>(k - 1)]->parameters()) p.mutable_grad().reset();
  double total = 0;
  for (const double l : runSideBySide(n, rows, [&](int64_t k, int64_t from, int64_t to) {
         LLDifNet& net = k == 0 ? net_ : replicas_[static_cast<std::size_t>(k - 1)];
         const torch::Tensor part = loss(net, static_cast<int>(k), from, to) *
                                    (static_cast<double>(to - from) / static_cast<double>(rows));
         part.backward();
         return part.item<double>();
       }))
    total += l;

  torch::NoGradGuard ng;
  for (int k = 1; k < n; ++k) {
    const auto rp = replicas_[static_cast<std::size_t>(k - 1)]->parameters();
    for (std::size_t j = 0; j < trainable_.size(); ++j) {
      const torch::Tensor& g = rp[trainable_index_[j]].grad();
      if (!g.defined()) continue;
      torch::Tensor& mine = trainable_[j].mutable_grad();
      if (mine.defined())
        mine.add_(g);
      else
        mine = g.clone();
    }
  }
  return total;
}

void CpuDataParallel::afterStep() {
  if (replicas_.empty()) return;
  torch::NoGradGuard ng;
  for (auto& r : replicas_) {
    const auto rp = r->parameters();
    for (std::size_t j = 0; j < trainable_.size(); ++j) rp[trainable_index_[j]].copy_(trainable_[j]);
  }
  // Running statistics: the mean over the network and its replicas, where they differ (modules in
  // training mode); counters and frozen modules' statistics are equal everywhere.
  const auto mine = net_->buffers();
  std::vector<std::vector<torch::Tensor>> theirs;
  for (auto& r : replicas_) theirs.push_back(r->buffers());
  for (std::size_t i = 0; i < mine.size(); ++i) {
    if (!mine[i].is_floating_point()) continue;
    bool differ = false;
    for (const auto& b : theirs) differ = differ || !b[i].equal(mine[i]);
    if (!differ) continue;
    torch::Tensor sum = mine[i].clone();
    for (const auto& b : theirs) sum.add_(b[i]);
    mine[i].copy_(sum / static_cast<double>(theirs.size() + 1));
    for (auto& b : theirs) b[i].copy_(mine[i]);
  }
}

}  // namespace lldif
