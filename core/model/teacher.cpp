#include "core/model/teacher.h"

#include <algorithm>
#include <stdexcept>

#include "core/model/augment.h"
#include "core/model/checkpoint.h"
#include "core/model/landmark_layout.h"
#include "core/model/lldif_net.h"
#include "core/model/side_by_side.h"

namespace lldif {

namespace {

// Mirror image of faces [B, 1, S, S] and their landmarks [B, 68, 2] (pixel coordinates): x -> S - 1 - x, and
// the points renumbered so that each index keeps its meaning (the left eye stays the left eye). The
// renumbering swaps points within each of the five heatmap parts (every part is left-right symmetric), so the
// heatmaps do not depend on it; it keeps the points right for anything that reads them one by one.
void mirror(torch::Tensor& x, torch::Tensor& lm) {
  const auto S = x.size(3);
  x = x.flip({3});
  const torch::Tensor perm =
      torch::tensor(std::vector<int64_t>(kMirroredLandmark.begin(), kMirroredLandmark.end()));
  lm = lm.index_select(1, perm).clone();
  lm.select(2, 0).mul_(-1).add_(static_cast<double>(S - 1));
}

}  // namespace

torch::Tensor teacherProbabilities(const std::vector<std::filesystem::path>& models, const FacePack& pack,
                                   const torch::Tensor& rows, bool flip,
                                   const std::function<void(int64_t, int64_t)>& progress) {
  if (models.empty()) throw std::runtime_error("no teacher models given");
  const int64_t R = rows.numel(), batch = 128;
  const int64_t chunks = std::max(1, at::get_num_threads());
  const int views = flip ? 2 : 1;
  const int64_t total = static_cast<int64_t>(models.size()) * ((R + batch - 1) / batch);
  int64_t done = 0;
  torch::Tensor sum = torch::zeros({R, 8});
  torch::NoGradGuard ng;
  for (const auto& file : models) {
    LoadedCheckpoint ck = loadCheckpoint(file);
    if (!ck.meta.trained)
      throw std::runtime_error(file.string() + " is not a trained model (stage " +
                               std::to_string(ck.meta.stage) + "): a teacher must be a finished model");
    if (ck.net->config.framing != pack.framing)
      throw std::runtime_error(file.string() + " was trained on " + ck.net->config.framing +
                               "-framed faces; the pack's are " + pack.framing + "-framed");
    LLDifNet net = ck.net;
    net->eval();
    net->foldForInference();  // the inference path (EmotionModel's on the CPU): BatchNorms folded, oneDNN
    const ModelConfig& c = net->config;
    torch::manual_seed(4321);  // the prior's noise (and nothing else) is drawn: repeatable
    for (int64_t b = 0; b < R; b += batch) {
      const torch::Tensor idx = rows.slice(0, b, std::min(b + batch, R));
      const auto n = idx.numel();
      torch::Tensor x =
          pack.images.index_select(0, idx).to(torch::kFloat32).unsqueeze(1) / 255.0;  // [n,1,48,48]
      torch::Tensor lm = pack.landmarks.index_select(0, idx).to(torch::kFloat32);     // [n, 68, 2]
      const torch::Tensor noise = torch::randn({n, c.prior_dim});  // Z_T, the same for both views
      for (int v = 0; v < views; ++v) {
        if (v == 1) mirror(x, lm);
        const torch::Tensor xi = normaliseInput(x, c);
        const torch::Tensor heat = renderHeatmapsBatch(lm, static_cast<int>(x.size(3)));  // [n, 5, 48, 48]
        // The rows in chunks side by side, one thread each, as inference runs them (side_by_side.h):
        // OpenMP's fork and join on this network's many small operations cost more than they gain.
        sum.slice(0, b, b + n) += catSideBySide(chunks, n, [&](int64_t from, int64_t to) {
          const c10::InferenceMode guard;  // per thread
          const torch::Tensor xc = xi.slice(0, from, to), zt = noise.slice(0, from, to);
          const torch::Tensor logits =
              net->classify(xc, heat.slice(0, from, to), net->priorS2(xc, zt).back());
          return torch::softmax(logits, 1);  // [to - from, 8]
        });
      }
      if (progress) progress(++done, total);
    }
  }
  return sum / static_cast<double>(models.size() * static_cast<std::size_t>(views));
}

torch::Tensor blendTargets(const torch::Tensor& votes, const torch::Tensor& teacher, double weight) {
  if (!(weight >= 0 && weight <= 1)) throw std::invalid_argument("teacher weight must be in 0..1");
  if (votes.sizes() != teacher.sizes())
    throw std::invalid_argument("teacher probabilities and vote targets differ in shape");
  return votes * (1.0 - weight) + teacher * weight;
}

}  // namespace lldif
