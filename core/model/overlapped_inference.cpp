#include "core/model/overlapped_inference.h"

#include <array>
#include <chrono>
#include <exception>
#include <future>
#include <stdexcept>

#include "core/model/side_by_side.h"

namespace lldif {

namespace {

struct HelperResult {
  std::array<torch::Tensor, 3> l;  // L_0..L_2
  torch::Tensor tokens0, tokens1;  // scaleTokens of scales 0 and 1
};

// Satisfies an unsatisfied promise with e; one already satisfied is left as it is.
template <class T>
void failIfUnset(std::promise<T>& p, const std::exception_ptr& e) {
  try {
    p.set_exception(e);
  } catch (const std::future_error&) {
  }
}

}  // namespace

OverlappedResult inferOverlapped(LLDifNetImpl& net, const torch::Tensor& image, const torch::Tensor& heatmaps,
                                 const torch::Tensor& noise) {
  if (!net.llformer) throw std::invalid_argument("inferOverlapped: not an LLDif network");
  if (torch::GradMode::is_enabled())
    throw std::logic_error("inferOverlapped: for inference without gradients");
  LLformerImpl& llf = *net.llformer;

  OverlappedResult out;
  std::promise<std::vector<torch::Tensor>> traj_p;  // helper -> caller: the trajectory (Z_0 last)
  std::promise<torch::Tensor> f0_p, f1_p;           // caller -> helper: F_0, F_1
  std::future<std::vector<torch::Tensor>> traj_f = traj_p.get_future();
  std::shared_future<torch::Tensor> f0_f = f0_p.get_future().share(), f1_f = f1_p.get_future().share();

  const bool inference_mode = c10::InferenceMode::is_enabled();
  std::future<HelperResult> helper = std::async(std::launch::async, [&]() {
    const OneOpenMpThread one;
    const c10::InferenceMode inference(inference_mode);  // as on the caller's thread
    const torch::NoGradGuard no_grad;
    try {
      const auto t = std::chrono::steady_clock::now();
      traj_p.set_value(net.priorS2(image, noise));  // Z_T..Z_0, each [B, C]
      out.prior_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
    } catch (...) {
      failIfUnset(traj_p, std::current_exception());
      throw;
    }
    HelperResult r;
    r.l = llf.landmarkFeatures(heatmaps);
    r.tokens0 = llf.scaleTokens(0, f0_f.get(), r.l[0]);  // [B, s*s, fusion_dim]
    r.tokens1 = llf.scaleTokens(1, f1_f.get(), r.l[1]);
    return r;
  });

  const OneOpenMpThread one;
  try {
    const torch::Tensor t0 = llf.imageTrunk(0, image);  // [B, d0, 24, 24]
    out.trajectory = traj_f.get();
    const torch::Tensor& z = out.trajectory.back();  // Z_0: [B, C]
    const torch::Tensor f0 = llf.dtnet[0]->as<DTNetBlock>()->forward(t0, z);
    f0_p.set_value(f0);
    const torch::Tensor f1 =
        llf.dtnet[1]->as<DTNetBlock>()->forward(llf.imageTrunk(1, f0), z);  // [B, d1, 12, 12]
    f1_p.set_value(f1);
    const torch::Tensor f2 =
        llf.dtnet[2]->as<DTNetBlock>()->forward(llf.imageTrunk(2, f1), z);  // [B, d2, 6, 6]
    HelperResult r = helper.get();
    const torch::Tensor tokens2 = llf.scaleTokens(2, f2, r.l[2]);
    out.logits = llf.head({r.tokens0, r.tokens1, tokens2});  // [B, 8]
  } catch (...) {
    // Release the helper wherever it waits, let it stop, then report the first failure (the helper's when
    // the caller failed waiting for it).
    const std::exception_ptr e = std::current_exception();
    failIfUnset(f0_p, e);
    failIfUnset(f1_p, e);
    if (helper.valid()) helper.wait();
    throw;
  }
  return out;
}

}  // namespace lldif
