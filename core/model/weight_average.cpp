#include "core/model/weight_average.h"

#include <torch/torch.h>

#include "core/model/checkpoint.h"

namespace lldif {

namespace fs = std::filesystem;

void averageCheckpoints(const std::vector<fs::path>& files, const fs::path& out) {
  if (files.size() < 2) throw CheckpointError("averaging needs at least two checkpoints");
  for (const auto& f : files)
    if (fs::exists(out) && fs::exists(f) && fs::equivalent(f, out))
      throw CheckpointError(out.string() + ": the output is one of the inputs; write it elsewhere");
  LoadedCheckpoint mean = loadCheckpoint(files.front());
  const std::string config = configToText(mean.net->config);
  torch::NoGradGuard no_grad;
  auto sum_params = mean.net->named_parameters();
  auto sum_buffers = mean.net->named_buffers();
  std::string sources = files.front().string();
  for (std::size_t i = 1; i < files.size(); ++i) {
    const LoadedCheckpoint other = loadCheckpoint(files[i]);
    if (configToText(other.net->config) != config)
      throw CheckpointError(files[i].string() + ": another network configuration than " +
                            files.front().string() + "; only checkpoints of one network can be averaged");
    if (other.meta.stage != mean.meta.stage)
      throw CheckpointError(files[i].string() + ": training stage " + std::to_string(other.meta.stage) +
                            ", but " + files.front().string() + " is stage " +
                            std::to_string(mean.meta.stage));
    for (const auto& p : other.net->named_parameters()) sum_params[p.key()].add_(p.value());
    for (const auto& b : other.net->named_buffers())
      if (b.value().is_floating_point()) sum_buffers[b.key()].add_(b.value());
    mean.meta.trained = mean.meta.trained && other.meta.trained;
    sources += " " + files[i].string();
  }
  const double n = static_cast<double>(files.size());
  for (auto& p : sum_params) p.value().div_(n);
  for (auto& b : sum_buffers)
    if (b.value().is_floating_point()) b.value().div_(n);
  mean.meta.info["averaged_from"] = sources;
  saveCheckpoint(out, mean.net, mean.meta);
}

}  // namespace lldif
