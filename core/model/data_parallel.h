// data_parallel.h - data-parallel training on a multi-core CPU. Each step's batch is cut into one part per
// thread; every part runs forward and backward on its own replica of the network, on its own thread with
// one OpenMP thread, and the replicas' gradients are summed into the network's own, so that the optimiser
// steps once, on the gradient of the whole batch. This network is many small operations, on which OpenMP's
// fork and join at every operation cost more than they gain (docs/TRAINING.md, "Training on several cores").
//
// Contract:
// - requires: a network on the CPU; `trainable` = the tensors the optimiser updates (a subset of the
//   network's parameters); the network's structure does not change while this object lives (build it after
//   loading, resuming and moving the network).
// - forwardBackward(rows, loss): part k of `parts()` covers rows [k * rows / parts, (k + 1) * rows / parts)
//   and runs loss(replica_k, k, from, to) then backward, part 0 on the calling thread with the network
//   itself. ensures: every trainable tensor's gradient = sum over parts of (part rows / rows) x the gradient
//   of that part's loss, i.e. the gradient of the batch's mean when each part's loss is the mean over its
//   rows; returns the same weighted mean of the parts' losses. With one part it is loss(net, 0, 0, rows)
//   and backward on the calling thread, with the threads OpenMP had.
// - loss must draw no random numbers from LibTorch's global generator when there are several parts (the
//   parts' order of drawing would differ from run to run): draw them before, on the calling thread.
// - afterStep(): call after the optimiser's step. ensures: the replicas hold the network's trainable
//   tensors; the BatchNorm running statistics (each replica saw its own part) are the mean over the
//   replicas, in the network and every replica.
// - BatchNorm normalises each part over its own rows, as data-parallel training on several GPUs does.
// - Not thread safe: one training loop drives it.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <torch/torch.h>

#include "core/model/lldif_net.h"

namespace lldif {

class CpuDataParallel {
 public:
  // threads <= 1, or rows that cannot be cut (see parts()), gives the plain single-network path.
  // prepare(replica) puts each new replica into the network's training mode (which modules train).
  CpuDataParallel(LLDifNet net, std::vector<torch::Tensor> trainable, int threads,
                  const std::function<void(LLDifNet&)>& prepare);

  // Parts for a batch of `rows` rows: as many as threads, with at least 2 rows each (BatchNorm over one row
  // of a linear layer's output is undefined in training), at least 1.
  int parts(int64_t rows) const;

  using PartLoss = std::function<torch::Tensor(LLDifNet& net, int part, int64_t from, int64_t to)>;
  // Returns the batch's loss (weighted mean of the parts', detached). split = false: one part (a loss that
  // couples the rows, such as a contrastive one).
  double forwardBackward(int64_t rows, const PartLoss& loss, bool split = true);

  void afterStep();

 private:
  LLDifNet net_;
  std::vector<torch::Tensor> trainable_;      // the network's, in its parameters() order
  std::vector<std::size_t> trainable_index_;  // their positions in parameters()
  std::vector<LLDifNet> replicas_;            // threads - 1
  int threads_ = 1;
};

}  // namespace lldif
