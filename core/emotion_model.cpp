#include "core/emotion_model.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include <torch/torch.h>

#include "core/data_paths.h"
#include "core/face_aligner.h"
#include "core/model/checkpoint.h"
#include "core/model/lldif_net.h"
#include "core/model/overlapped_inference.h"
#include "core/model/side_by_side.h"
#include "core/stopwatch.h"

namespace lldif {

namespace fs = std::filesystem;

struct EmotionModel::Impl {
  LLDifNet net{nullptr};
  torch::Device device{torch::kCPU};
  int threads = 1;
  bool flip_average = false;
  int shift_px = 0;
  ModelInfo info;
};

EmotionModel::EmotionModel() : impl_(std::make_unique<Impl>()) {}
EmotionModel::~EmotionModel() = default;

std::unique_ptr<EmotionModel> EmotionModel::load(const fs::path& file, const ModelOptions& options) {
  std::unique_ptr<EmotionModel> m(new EmotionModel());
  Impl& d = *m->impl_;
  if (options.device == "cuda" && !torch::cuda::is_available()) {
    throw ModelLoadError("CUDA was requested, but this LibTorch build or this machine has no CUDA device");
  }
  if (options.device != "auto" && options.device != "cpu" && options.device != "cuda") {
    throw ModelLoadError("Unknown device '" + options.device + "' (expected auto, cpu or cuda)");
  }
  const bool cuda = options.device == "cuda" || (options.device == "auto" && torch::cuda::is_available());
  d.device = cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  const int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  d.threads = std::max(1, threads);  // LibTorch defaults to 1 thread here (BUILD_NOTES trap 3)
  d.flip_average = options.flip_average;
  try {
    m->setShiftAverage(options.shift_average_px);
  } catch (const std::invalid_argument& e) {
    throw ModelLoadError(e.what());
  }

  LoadedCheckpoint ck;
  try {
    ck = loadCheckpoint(file);
  } catch (const std::exception& e) {
    throw ModelLoadError(e.what());
  }
  d.net = ck.net;
  d.net->to(d.device);
  d.net->eval();
  if (!cuda) d.net->foldForInference();  // BatchNorms folded into the trunk's convolutions (oneDNN)
  d.info.file = file;
  d.info.trained = ck.meta.trained;
  d.info.stage = ck.meta.stage;
  d.info.timesteps = d.net->config.timesteps;
  d.info.prior_dim = d.net->config.prior_dim;
  d.info.framing = d.net->config.framing;
  d.info.parameters = inferenceParameterCount(d.net);
  d.info.macs_per_face = stage2Macs(d.net->config);
  d.info.device = cuda ? "CUDA" : "CPU";
  d.info.info = ck.meta.info;
  return m;
}

void EmotionModel::setTimesteps(int T) {
  if (T < 1 || T > 64) throw std::invalid_argument("timesteps must be in 1..64");
  impl_->net->setTimesteps(T);
  impl_->info.timesteps = T;
  impl_->info.macs_per_face = stage2Macs(impl_->net->config);
}

void EmotionModel::setFlipAverage(bool on) { impl_->flip_average = on; }
bool EmotionModel::flipAverage() const { return impl_->flip_average; }
void EmotionModel::setShiftAverage(int px) {
  if (px < 0 || px > kMaxShiftAveragePx)
    throw std::invalid_argument("shift averaging must be 0.." + std::to_string(kMaxShiftAveragePx) +
                                " pixels, not " + std::to_string(px));
  impl_->shift_px = px;
}
int EmotionModel::shiftAverage() const { return impl_->shift_px; }

namespace {

// x [R, C, S, S] moved dx pixels right and dy down; what comes in from outside is the border pixel
// (replicate) or zero (constant).
torch::Tensor shifted(const torch::Tensor& x, int dx, int dy, bool replicate) {
  namespace F = torch::nn::functional;
  const int64_t p = std::max(std::abs(dx), std::abs(dy)), S = x.size(2);
  F::PadFuncOptions pad({p, p, p, p});
  if (replicate) pad.mode(torch::kReplicate);  // else zeros (kConstant, the default)
  const torch::Tensor padded = F::pad(x, pad);
  return padded.slice(2, p - dy, p - dy + S).slice(3, p - dx, p - dx + S);
}

// Rows [from, to): the trajectory Z_T..Z_0 and the logits, with the time of each part.
struct Rows {
  std::vector<torch::Tensor> traj;
  torch::Tensor logits;
  double prior_ms = 0, classify_ms = 0;
};

// Consecutive row ranges joined in order. Their times add up when they ran one after the other; side by
// side the slowest one's count.
Rows concatRows(const std::vector<Rows>& parts, bool side_by_side) {
  Rows rows;
  std::vector<torch::Tensor> logits;
  for (const Rows& p : parts) {
    logits.push_back(p.logits);
    rows.prior_ms = side_by_side ? std::max(rows.prior_ms, p.prior_ms) : rows.prior_ms + p.prior_ms;
    rows.classify_ms =
        side_by_side ? std::max(rows.classify_ms, p.classify_ms) : rows.classify_ms + p.classify_ms;
  }
  rows.logits = torch::cat(logits);
  for (std::size_t t = 0; t < parts[0].traj.size(); ++t) {
    std::vector<torch::Tensor> z;
    for (const Rows& p : parts) z.push_back(p.traj[t]);
    rows.traj.push_back(torch::cat(z));
  }
  return rows;
}

}  // namespace

const ModelInfo& EmotionModel::info() const { return impl_->info; }

std::vector<EmotionPrediction> EmotionModel::predict(const std::vector<ModelInput>& faces,
                                                     const std::vector<std::uint64_t>& seeds, int noise_seeds,
                                                     PredictTimings* timings) {
  const auto t0 = Clock::now();
  std::vector<EmotionPrediction> out(faces.size());
  if (faces.empty()) return out;
  if (!seeds.empty() && seeds.size() != faces.size())
    throw std::invalid_argument("predict: one seed per face");
  const int K = std::max(1, noise_seeds);
  // Inference mode: no autograd bookkeeping at all (cheaper than NoGradGuard for these many small ops).
  c10::InferenceMode inference_mode;
  const ModelConfig& c = impl_->net->config;
  const int S = c.input_size;
  const auto B = static_cast<int64_t>(faces.size());

  // Inputs -> tensors: image [B, 1, S, S] normalised, heatmaps [B, K, S, S].
  torch::Tensor image = torch::empty({B, 1, S, S});
  torch::Tensor heat = torch::empty({B, c.heatmap_channels, S, S});
  for (int64_t i = 0; i < B; ++i) {
    const ModelInput& f = faces[static_cast<std::size_t>(i)];
    if (f.crop.type() != CV_8UC1 || f.crop.rows != S || f.crop.cols != S) {
      throw std::invalid_argument("predict: crops must be " + std::to_string(S) + "x" + std::to_string(S) +
                                  " 8-bit gray");
    }
    if (f.heatmaps.dims != 3 || f.heatmaps.size[0] != c.heatmap_channels || f.heatmaps.size[1] != S ||
        f.heatmaps.type() != CV_32F) {
      throw std::invalid_argument("predict: heatmaps must be " + std::to_string(c.heatmap_channels) + "x" +
                                  std::to_string(S) + "x" + std::to_string(S) + " float");
    }
    cv::Mat crop = f.crop.isContinuous() ? f.crop : f.crop.clone();
    image[i][0].copy_(torch::from_blob(crop.data, {S, S}, torch::kUInt8).to(torch::kFloat32));
    heat[i].copy_(torch::from_blob(const_cast<float*>(f.heatmaps.ptr<float>()), {c.heatmap_channels, S, S}));
  }
  image = normaliseInput(image / 255.0, c);

  // K noise draws per face, batched together: [K * B, ...], draw k of face i at row k * B + i.
  torch::Tensor noise = torch::empty({K * B, c.prior_dim});
  for (int k = 0; k < K; ++k) {
    for (int64_t i = 0; i < B; ++i) {
      const std::uint64_t s =
          seeds.empty() ? static_cast<std::uint64_t>(i) : seeds[static_cast<std::size_t>(i)];
      auto gen =
          torch::make_generator<torch::CPUGeneratorImpl>(s * 1000003ull + static_cast<std::uint64_t>(k));
      noise[k * B + i].copy_(torch::randn({c.prior_dim}, gen));
    }
  }

  // With shift averaging the shifted copies follow the faces as they are: rows [V * K * B, ...], V = 5 (as
  // is, then PX pixels left, right, up, down); with flip averaging the mirror copies of all of those follow:
  // [F * V * K * B, ...], F = 2. Every copy has its face's noise. The copies are made on the device, so only
  // the B faces and the noise travel there.
  const int F = impl_->flip_average ? 2 : 1;
  const int px = impl_->shift_px;
  const int V = px > 0 ? 5 : 1;
  const torch::Device dev = impl_->device;
  torch::Tensor img_k = image.to(dev).repeat({K, 1, 1, 1});  // [K * B, 1, S, S]
  torch::Tensor heat_k = heat.to(dev).repeat({K, 1, 1, 1});  // [K * B, C, S, S]
  noise = noise.to(dev);                                     // [K * B, prior_dim]
  if (V > 1) {
    std::vector<torch::Tensor> imgs{img_k}, heats{heat_k};
    for (const auto& [dx, dy] : {std::pair{-px, 0}, std::pair{px, 0}, std::pair{0, -px}, std::pair{0, px}}) {
      imgs.push_back(shifted(img_k, dx, dy, /*replicate=*/true));
      heats.push_back(shifted(heat_k, dx, dy, /*replicate=*/false));
    }
    img_k = torch::cat(imgs);    // [V * K * B, 1, S, S]
    heat_k = torch::cat(heats);  // [V * K * B, C, S, S]
    noise = noise.repeat({V, 1});
  }
  if (F == 2) {
    // The template is mirror-symmetric and each heatmap channel holds both sides of a part, so the
    // flipped crop and heatmaps are those of the mirrored face.
    img_k = torch::cat({img_k, img_k.flip({3})});
    heat_k = torch::cat({heat_k, heat_k.flip({3})});
    noise = torch::cat({noise, noise});
  }
  LLDifNet& net = impl_->net;
  // On the CPU the rows run in chunks side by side, one thread each (as many chunks as threads, at most one
  // per row). This network is many small operations, and OpenMP's fork and join on each of them cost more
  // than they gain: on the 2-core CPU, batch 1 took 10.5 ms on one thread and 19 ms on two, batch 8 64 ms
  // on one thread, 71-83 ms on two, 37-38 ms as two chunks of 4; batch 32 238 / 205 / 150 ms (docs/MODEL.md).
  // Where there are at least twice as many threads as chunks (one face on two cores), each chunk runs its
  // prior and landmark branch on a second thread beside its image branch (core/model/overlapped_inference.h).
  // The model is only read.
  const int64_t R = img_k.size(0);
  const int64_t chunks = dev.is_cpu() ? std::clamp<int64_t>(impl_->threads, 1, R) : 1;
  const bool overlap = dev.is_cpu() && impl_->threads >= 2 * chunks && net->llformer;
  const auto runPiece = [&net, &img_k, &heat_k, &noise, dev, overlap](int64_t from, int64_t to) {
    Rows r;
    auto t = Clock::now();
    if (overlap) {
      // prior_ms is then the prior's own time, overlapped by the trunk's; classify_ms the rest.
      OverlappedResult o = inferOverlapped(*net, img_k.slice(0, from, to), heat_k.slice(0, from, to),
                                           noise.slice(0, from, to));
      r.traj = std::move(o.trajectory);
      r.logits = o.logits;
      r.prior_ms = o.prior_ms;
      r.classify_ms = std::max(0.0, msSince(t) - o.prior_ms);
      return r;
    }
    r.traj = net->priorS2(img_k.slice(0, from, to), noise.slice(0, from, to));
    if (dev.is_cuda()) torch::cuda::synchronize();
    r.prior_ms = msSince(t);
    t = Clock::now();
    r.logits = net->classify(img_k.slice(0, from, to), heat_k.slice(0, from, to), r.traj.back());
    if (dev.is_cuda()) torch::cuda::synchronize();
    r.classify_ms = msSince(t);
    return r;
  };
  // On the CPU a chunk runs its rows in pieces of at most kRowsPerPiece, one after the other: larger ones
  // outgrow the caches. lldif_model_bench on the 2-core CPU (wall clock, two chunks, medians of 3), batch 32
  // / 128 / 320 rows: whole chunks 200 / 1264 / 4789 ms; pieces of 16 rows 182 / 497 / 1112; of 8 102 / 434 /
  // 1204; of 4 125 / 511 / 1193.
  constexpr int64_t kRowsPerPiece = 8;
  const auto runRows = [&runPiece, dev](int64_t from, int64_t to) {
    c10::InferenceMode guard;  // per thread
    if (!dev.is_cpu() || to - from <= kRowsPerPiece) return runPiece(from, to);
    std::vector<Rows> pieces;
    for (int64_t a = from; a < to; a += kRowsPerPiece)
      pieces.push_back(runPiece(a, std::min(to, a + kRowsPerPiece)));
    return concatRows(pieces, /*side_by_side=*/false);
  };
  torch::set_num_threads(dev.is_cpu() ? 1 : impl_->threads);
  Rows rows;
  if (chunks > 1) {
    rows = concatRows(
        runSideBySide(chunks, R, [&runRows](int64_t, int64_t from, int64_t to) { return runRows(from, to); }),
        /*side_by_side=*/true);
  } else {
    rows = runRows(0, R);
  }
  const std::vector<torch::Tensor>& traj = rows.traj;
  const double prior_ms = rows.prior_ms, classify_ms = rows.classify_ms;
  const torch::Tensor probs = torch::softmax(rows.logits, 1)
                                  .to(torch::kCPU)
                                  .reshape({F * V, K, B, kNumClasses})
                                  .mean(0);  // [K, B, 8]
  const torch::Tensor mean = probs.mean(0), sd = K > 1 ? probs.std(0, false) : torch::zeros_like(mean);

  std::vector<torch::Tensor> traj_cpu;
  for (const auto& z : traj) traj_cpu.push_back(z.slice(0, 0, B).to(torch::kCPU).contiguous());
  for (int64_t i = 0; i < B; ++i) {
    EmotionPrediction& p = out[static_cast<std::size_t>(i)];
    for (int j = 0; j < kNumClasses; ++j) {
      p.probs[j] = mean[i][j].item<float>();
      p.spread[j] = sd[i][j].item<float>();
    }
    p.top = static_cast<int>(std::max_element(p.probs.begin(), p.probs.end()) - p.probs.begin());
    for (const auto& z : traj_cpu) {
      const float* zp = z[i].data_ptr<float>();
      p.trajectory.emplace_back(zp, zp + c.prior_dim);
    }
  }
  if (timings) {
    timings->prior_ms = prior_ms;
    timings->classify_ms = classify_ms;
    timings->total_ms = msSince(t0);
  }
  return out;
}

bool cudaAvailable() { return torch::cuda::is_available(); }

fs::path defaultModelPath() {
  if (const char* env = std::getenv("LLDIF_MODEL"); env && *env) return env;
  return findData("models/lldif.ckpt");
}

void writeUntrainedModel(const fs::path& file, std::uint64_t seed, const ModelConfig& config) {
  torch::manual_seed(seed);
  LLDifNet net(config);
  CheckpointMeta meta;
  meta.trained = false;
  meta.stage = 0;
  meta.alignment_template = ferplusTemplateNumbers();
  meta.info["note"] = "randomly initialised by lldif init-model: NOT TRAINED, predictions are meaningless";
  saveCheckpoint(file, net, meta);
}

}  // namespace lldif
