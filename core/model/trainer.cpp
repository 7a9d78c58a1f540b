#include "core/model/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <torch/torch.h>

#include "core/model/augment.h"
#include "core/model/checkpoint.h"
#include "core/model/data_parallel.h"
#include "core/model/face_pack.h"
#include "core/model/ferplus_labels.h"
#include "core/model/lldif_net.h"
#include "core/model/losses.h"
#include "core/model/plain_resnet.h"
#include "core/model/side_by_side.h"
#include "core/model/teacher.h"
#include "core/model/text_encoder.h"
#include "core/stopwatch.h"

namespace lldif {

namespace fs = std::filesystem;

namespace {

std::string fmt(const char* f, double a, double b = 0, double c = 0, double d = 0) {
  char buf[256];
  std::snprintf(buf, sizeof buf, f, a, b, c, d);
  return buf;
}

// Soft targets [N, 8] and a mask of usable rows; majority labels [N] (-1: not in the benchmark).
void targetsOf(const torch::Tensor& votes, torch::Tensor& soft, torch::Tensor& usable,
               torch::Tensor& majority) {
  const auto N = votes.size(0);
  soft = torch::zeros({N, 8});
  usable = torch::zeros({N}, torch::kBool);
  majority = torch::full({N}, -1, torch::kLong);
  auto v = votes.accessor<uint8_t, 2>();
  auto s = soft.accessor<float, 2>();
  for (int64_t i = 0; i < N; ++i) {
    Votes row{};
    for (int k = 0; k < 10; ++k) row[static_cast<std::size_t>(k)] = v[i][k];
    std::array<float, 8> t{};
    if (softLabel(row, t)) {
      usable[i] = true;
      for (int k = 0; k < 8; ++k) s[i][k] = t[static_cast<std::size_t>(k)];
    }
    majority[i] = majorityLabel(row);
  }
}

torch::Tensor captionBatch(const torch::Tensor& lighting, const torch::Tensor& labels) {
  const auto B = lighting.size(0);
  torch::Tensor t = torch::empty({B, kCaptionLength}, torch::kLong);
  for (int64_t i = 0; i < B; ++i) {
    const auto ids = captionTokens(static_cast<int>(lighting[i].item<int64_t>()),
                                   static_cast<int>(labels[i].item<int64_t>()));
    t[i] = torch::tensor(ids);
  }
  return t;
}

torch::Tensor labelWordBatch() {
  torch::Tensor t = torch::empty({8, kCaptionLength}, torch::kLong);
  for (int k = 0; k < 8; ++k) t[k] = torch::tensor(labelTokens(k));
  return t;
}

std::vector<torch::Tensor> trainableParameters(LLDifNet& net, int stage) {
  std::vector<torch::nn::Module*> mods;
  if (net->plain)
    mods = {net->plain.get()};
  else if (stage == 0)
    mods = {net->la_clip.get()};
  else if (stage == 1)
    mods = {net->pnet_s1.get(), net->llformer.get()};
  else if (stage == 2)
    mods = {net->pnet_s2.get(), net->denoiser.get(), net->llformer.get()};
  std::vector<torch::Tensor> ps;
  for (auto* m : mods)
    for (auto& p : m->parameters()) ps.push_back(p);
  return ps;
}

void setTrainMode(LLDifNet& net, int stage) {
  net->eval();  // frozen parts keep their BatchNorm statistics
  if (net->plain) {
    net->plain->train();
    return;
  }
  if (stage == 0) net->la_clip->train();
  if (stage == 1) {
    net->pnet_s1->train();
    net->llformer->train();
  }
  if (stage == 2) {
    net->pnet_s2->train();
    net->denoiser->train();
    net->llformer->train();
  }
}

// A file's bytes (empty when it cannot be read).
std::string fileBytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A file's contents as hex text (fnv1a of its bytes): the same weights give the same text wherever and
// whenever written.
std::string contentHash(const fs::path& file) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(fnv1a(fileBytes(file))));
  return out;
}

// The teachers' probabilities on the training rows [R, 8]: computed once and kept in the run folder with the
// teachers' names and content hashes, so a resumed run reuses them while a teacher rewritten with other
// weights (or another list) computes them again.
torch::Tensor teachersOf(const TrainOptions& o, const FacePack& pack, const torch::Tensor& rows,
                         const fs::path& run_dir, const std::function<void(const std::string&)>& log) {
  std::string key;
  for (const auto& t : o.teachers) key += t.filename().string() + " " + contentHash(t) + "\n";
  const fs::path cache = run_dir / "teacher.pt", cache_key = run_dir / "teacher.txt";
  if (fs::exists(cache) && fs::exists(cache_key)) {
    torch::Tensor t;
    try {
      if (fileBytes(cache_key) == key) torch::load(t, cache.string());
    } catch (const std::exception&) {
      t = torch::Tensor();  // unreadable: computed again below
    }
    if (t.defined() && t.dim() == 2 && t.size(0) == rows.numel() && t.size(1) == 8) {
      log("teachers' probabilities from " + cache.string());
      return t;
    }
  }
  const auto t0 = Clock::now();
  const torch::Tensor t =
      teacherProbabilities(o.teachers, pack, rows, true, [&](int64_t done, int64_t total) {
        if (done % 10 == 0 || done == total) {
          const double el = secondsSince(t0);
          log(fmt("teachers %.0f/%.0f batches", static_cast<double>(done), static_cast<double>(total)) +
              "  elapsed " + formatDuration(el) + "  ETA " +
              formatEta(el, static_cast<double>(done) / static_cast<double>(total)));
        }
      });
  torch::save(t, cache.string());
  std::ofstream(cache_key) << key;
  return t;
}

}  // namespace

TrainReport train(const TrainOptions& o, const std::function<void(const std::string&)>& log) {
  if (o.stage < 0 || o.stage > 2) throw std::runtime_error("--stage must be 0, 1 or 2");
  const bool plain = o.config.variant == Variant::kPlain && o.init.empty();
  if (plain && o.stage != 2) throw std::runtime_error("the plain baseline trains in one stage: --stage 2");
  if (o.stage > 0 && o.init.empty() && !plain) {
    throw std::runtime_error("stage " + std::to_string(o.stage) + " starts from the checkpoint of stage " +
                             std::to_string(o.stage - 1) + ": pass --init FILE");
  }
  const auto t_start = Clock::now();
  torch::manual_seed(o.seed);
  const int threads = o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
  torch::set_num_threads(std::max(1, threads));
  const bool cuda = o.device == "cuda" || (o.device == "auto" && torch::cuda::is_available());
  if (o.device == "cuda" && !torch::cuda::is_available())
    throw std::runtime_error("CUDA requested but not available");
  const torch::Device dev = cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);

  const FacePack pack = loadFacePack(o.pack);
  torch::Tensor soft, usable, majority;
  targetsOf(pack.votes, soft, usable, majority);
  const torch::Tensor train_idx = (pack.split == 0).logical_and(usable).nonzero().squeeze(1);
  const torch::Tensor valid_idx = (pack.split == 1).logical_and(majority >= 0).nonzero().squeeze(1);
  if (train_idx.numel() == 0)
    throw std::runtime_error(o.pack.string() + " has no training images (FER2013Train)");
  log(fmt("pack: %.0f training faces, %.0f validation faces (majority labels)",
          static_cast<double>(train_idx.numel()), static_cast<double>(valid_idx.numel())) +
      (pack.max_error == 1  ? ", stored within 1 gray level of the originals"
       : pack.max_error > 1 ? fmt(", stored within %.0f gray levels of the originals", pack.max_error)
                            : std::string()));
  torch::Tensor class_weights;  // [8] on the device, or undefined
  if (o.class_balance > 0) {
    const torch::Tensor share = soft.index_select(0, train_idx).mean(0).clamp_min(1e-4);  // [8]
    torch::Tensor w = share.pow(-o.class_balance);
    w = w / (share * w).sum();  // the average training face weighs 1
    class_weights = w;
    std::string line = "class weights:";
    for (int k = 0; k < 8; ++k) line += fmt(" %.2f", w[k].item<double>());
    log(line);
  }
  // Darkened faces are paired with the landmarks found on darkened copies when the pack has them.
  const torch::Tensor dark_lm = o.dark_landmarks ? pack.dark_landmarks : torch::Tensor();

  LoadedCheckpoint ck;
  if (!o.init.empty()) {
    ck = loadCheckpoint(o.init);
    if (ck.meta.stage < o.stage - 1) {
      throw std::runtime_error(o.init.string() + " holds stage " + std::to_string(ck.meta.stage) +
                               "; stage " + std::to_string(o.stage) + " needs stage " +
                               std::to_string(o.stage - 1));
    }
  } else {
    ck.net = LLDifNet(o.config);
  }
  LLDifNet net = ck.net;
  CheckpointMeta meta = ck.meta;
  if (o.override_variant && !o.init.empty()) {
    if (o.stage != 2 || o.config.variant == Variant::kPlain)
      throw std::runtime_error("--variant with --init is for stage 2 and V1-V4 only");
    net->config.variant = o.config.variant;
  }
  if (!o.backbone_from.empty() && plain) {
    // The plain baseline started from the residual trunk of a trained LLDif (a new cycle for its trunk).
    LoadedCheckpoint base = loadCheckpoint(o.backbone_from);
    if (!base.net->llformer || !base.net->llformer->resnet)
      throw std::runtime_error(o.backbone_from.string() +
                               " has no LLformer on a residual backbone to start the plain baseline from");
    loadBackboneIntoPlain(net->plain, base.net->llformer);
    meta.info["stage2.backbone_from"] = o.backbone_from.filename().string();
    log("plain baseline started from the residual trunk of " + o.backbone_from.string());
  } else if (!o.backbone_from.empty()) {
    // Stage 1 rebuilds the stage-0 model's LLformer on a residual backbone; stage 2 of a model that has
    // one already (from --init) keeps its LLformer and replaces only the trunk's weights (a trunk trained
    // further as the plain baseline, swapped back in).
    const bool swap = o.stage == 2 && !o.init.empty() && net->llformer && net->llformer->resnet;
    if (!swap && (o.stage != 1 || !net->llformer))
      throw std::runtime_error(
          "--backbone-from is for stage 1 (it rebuilds the LLformer of the stage-0 model), stage 2 with "
          "--init of a model on a residual backbone (it swaps in the trunk) and the plain baseline (it "
          "starts from an LLDif model's trunk)");
    LoadedCheckpoint base = loadCheckpoint(o.backbone_from);
    if (!base.net->plain)
      throw std::runtime_error(o.backbone_from.string() +
                               " is not a plain baseline (lldif train --variant plain)");
    if (!swap) {
      net->config = withResidualBackbone(net->config);
      net->llformer = net->replace_module("llformer", LLformer(net->config));
    }
    loadPlainBackbone(net->llformer, base.net->plain);
    meta.info["stage" + std::to_string(o.stage) + ".backbone_from"] =
        o.backbone_from.filename().string() + " (" + base.meta.info["stage2.valid"] + ")";
    log(swap ? "the LLformer's residual trunk replaced by the plain baseline's of " + o.backbone_from.string()
             : "LLformer rebuilt with the residual backbone of " + o.backbone_from.string());
  }
  if (net->config.framing != pack.framing) {
    if (!o.init.empty())
      log("note: " + o.init.string() + " was trained on " + net->config.framing +
          "-framed faces; this pack is " + pack.framing + "-framed, and so is the model from now on");
    net->config.framing = pack.framing;
  }
  net->to(dev);
  const ModelConfig& cfg = net->config;
  if (o.stage > 0 && !net->plain)  // LA-CLIP and the plain baseline look at no landmarks
    log(dark_lm.defined() ? "darkened faces train with the landmarks of darkened copies (pack dark_landmarks)"
                          : "darkened faces train with the clear faces' landmarks");

  const fs::path run_dir = o.run_dir.empty() ? fs::path(o.out.string() + ".run") : o.run_dir;
  fs::create_directories(run_dir);
  if (!o.teachers.empty()) {
    if (o.stage == 0) throw std::runtime_error("--teacher is for stages 1-2 and the plain baseline");
    const torch::Tensor teacher = teachersOf(o, pack, train_idx, run_dir, log);  // [R, 8]
    const torch::Tensor votes = soft.index_select(0, train_idx);
    const double agree = teacher.argmax(1).eq(votes.argmax(1)).to(torch::kFloat64).mean().item<double>();
    log(
        fmt("teachers agree with the votes' top class on %.2f%% of the training faces; targets: %.2f x votes "
            "+ %.2f x teachers",
            100 * agree, 1 - o.teacher_weight, o.teacher_weight));
    soft.index_copy_(0, train_idx, blendTargets(votes, teacher, o.teacher_weight));
    std::string names;
    for (const auto& t : o.teachers) names += (names.empty() ? "" : ", ") + t.filename().string();
    meta.info["stage" + std::to_string(o.stage) + ".teachers"] =
        names + fmt(" (weight %.2f, clear faces and their mirror images)", o.teacher_weight);
  }
  // One parameter group, or two when the residual trunk learns at its own share of the rate:
  // [0] the trunk (res_stem, res1-3 of the LLformer), [1] everything else this stage trains.
  std::vector<torch::Tensor> params = trainableParameters(net, o.stage);
  std::vector<double> group_lr_scale = {1.0};
  std::vector<torch::optim::OptimizerParamGroup> groups;
  const auto adamw = [&](double scale) {
    return std::make_unique<torch::optim::AdamWOptions>(
        torch::optim::AdamWOptions(o.lr * scale).weight_decay(o.weight_decay));
  };
  if (o.backbone_lr_scale != 1.0) {
    if (o.stage == 0 || (!net->plain && !net->llformer->resnet))
      throw std::runtime_error(
          "--backbone-lr is for stages 1 and 2 of an LLformer on a residual backbone and the plain baseline");
    std::vector<torch::Tensor> trunk, rest;
    std::set<const void*> in_trunk;
    // The plain baseline's trunk is everything but its classifier head.
    const std::vector<torch::nn::Module*> trunk_modules =
        net->plain
            ? std::vector<torch::nn::Module*>{net->plain->stem.ptr().get(), net->plain->stem_bn.ptr().get(),
                                              net->plain->blocks.ptr().get()}
            : std::vector<torch::nn::Module*>{
                  net->llformer->res_stem.ptr().get(), net->llformer->res1.ptr().get(),
                  net->llformer->res2.ptr().get(), net->llformer->res3.ptr().get()};
    for (auto* m : trunk_modules)
      for (auto& p : m->parameters()) in_trunk.insert(p.unsafeGetTensorImpl());
    for (auto& p : params) (in_trunk.count(p.unsafeGetTensorImpl()) ? trunk : rest).push_back(p);
    groups.emplace_back(trunk, adamw(o.backbone_lr_scale));
    groups.emplace_back(rest, adamw(1.0));
    group_lr_scale = {o.backbone_lr_scale, 1.0};
    log(fmt("the residual trunk (%.0f tensors) learns at %.3g x the learning rate",
            static_cast<double>(trunk.size()), o.backbone_lr_scale));
  } else {
    groups.emplace_back(params, adamw(1.0));
  }
  torch::optim::AdamW opt(std::move(groups), torch::optim::AdamWOptions(o.lr).weight_decay(o.weight_decay));
  const int64_t steps_per_epoch = train_idx.numel() / o.batch;
  auto total_steps = static_cast<int64_t>(std::ceil(o.epochs * static_cast<double>(steps_per_epoch)));
  int64_t step = 0;
  double best = -1;
  double trained_s_before = 0;  // training wall time of earlier runs of this command (resume)
  // Wall time of the last validation pass and checkpoint writes: the budget keeps room for the closing one,
  // so that a stage ends within its budget, not a validation pass after it.
  double closing_s = 0;
  const fs::path state_file = run_dir / "state.txt";
  if (fs::exists(state_file)) {  // resume
    std::ifstream s(state_file);
    s >> step >> best;
    if (!(s >> trained_s_before)) trained_s_before = 0;  // older state files have no training time
    if (!(s >> closing_s)) closing_s = 0;
    LoadedCheckpoint last = loadCheckpoint(run_dir / "last.ckpt");
    torch::NoGradGuard ng;
    auto dst = net->named_parameters(true);
    for (const auto& p : last.net->named_parameters(true)) dst[p.key()].copy_(p.value());
    auto dstb = net->named_buffers(true);
    for (const auto& b : last.net->named_buffers(true)) dstb[b.key()].copy_(b.value());
    torch::load(opt, (run_dir / "optimizer.pt").string());
    log(fmt("resuming stage %.0f at step %.0f of %.0f", o.stage, static_cast<double>(step),
            static_cast<double>(total_steps)));
  }

  const torch::Tensor label_words = labelWordBatch().to(dev);
  const auto evaluate = [&]() {
    // Majority-label accuracy on FER2013Valid, clear and ll-darkened (fixed seed), by this stage's path.
    torch::NoGradGuard ng;
    net->eval();
    std::array<double, 2> acc{};
    for (int dark = 0; dark < 2; ++dark) {
      torch::manual_seed(1234 + dark);
      int64_t correct = 0;
      for (int64_t b = 0; b < valid_idx.numel(); b += 256) {
        const torch::Tensor idx = valid_idx.slice(0, b, std::min<int64_t>(b + 256, valid_idx.numel()));
        torch::Tensor x = pack.images.index_select(0, idx).to(torch::kFloat32).unsqueeze(1) / 255.0;
        const auto n = idx.numel();
        if (dark) x = darkenBatch(x, torch::rand({n}) * 1.5 + 3.0, torch::rand({n}) * 1.5 + 1.5);
        const torch::Tensor lm = dark && dark_lm.defined() ? dark_lm.index_select(0, idx).select(1, 0)
                                                           : pack.landmarks.index_select(0, idx);
        const torch::Tensor heat = renderHeatmapsBatch(lm, 48).to(dev);
        const torch::Tensor xi = normaliseInput(x, cfg).to(dev);
        const torch::Tensor y = majority.index_select(0, idx).to(dev);
        // Every random draw is made here, before the rows are cut into chunks.
        const torch::Tensor caps =
            o.stage == 1 ? captionBatch(torch::full({n}, dark), y.to(torch::kCPU)).to(dev) : torch::Tensor();
        const torch::Tensor noise = o.stage == 2 ? torch::randn({n, cfg.prior_dim}).to(dev) : torch::Tensor();
        // Logits of rows [from, to) of the batch; the model is only read.
        const auto logitsOf = [&](int64_t from, int64_t to) -> torch::Tensor {
          const torch::Tensor xc = xi.slice(0, from, to);
          if (o.stage == 0) {
            const auto pooled = net->la_clip->encodeImage(xc).second;
            return textSideLogits(net->la_clip->labelHead(pooled), net->la_clip->encodeText(label_words),
                                  net->la_clip->logit_scale);
          }
          if (o.stage == 1) {
            torch::Tensor z = net->priorS1(xc, caps.slice(0, from, to));
            if (o.prior_dropout > 0) z = torch::zeros_like(z);  // image and landmarks only
            return net->classify(xc, heat.slice(0, from, to), z);
          }
          const torch::Tensor z0 = net->priorS2(xc, noise.slice(0, from, to)).back();
          return net->classify(xc, heat.slice(0, from, to), z0);
        };
        // On the CPU the rows run in chunks side by side, one thread each, as inference runs them
        // (side_by_side.h): OpenMP's fork and join on this network's many small operations cost more.
        const torch::Tensor logits =
            catSideBySide(dev.is_cpu() ? threads : 1, n, [&](int64_t from, int64_t to) {
              const torch::NoGradGuard no_grad;  // per thread
              return logitsOf(from, to);
            });
        correct += logits.argmax(1).eq(y).sum().item<int64_t>();
      }
      acc[static_cast<std::size_t>(dark)] =
          static_cast<double>(correct) / static_cast<double>(valid_idx.numel());
    }
    setTrainMode(net, o.stage);
    return acc;
  };

  meta.stage = o.stage;
  if (meta.alignment_template.empty())
    meta.alignment_template = o.alignment_template.empty() ? pack.alignment_template : o.alignment_template;
  meta.trained = o.stage == 2;
  meta.info["stage" + std::to_string(o.stage) + ".command"] = o.command;

  setTrainMode(net, o.stage);
  // On the CPU, stages 1-2 and the plain baseline run each batch as one part per thread, side by side
  // (CpuDataParallel); stage 0 (a contrastive loss over the whole batch) and CUDA as one.
  const int parallel_threads = dev.is_cpu() && o.stage != 0 ? threads : 1;
  CpuDataParallel parallel(net, params, parallel_threads, [&o](LLDifNet& r) { setTrainMode(r, o.stage); });
  if (parallel_threads > 1)
    log(fmt("data-parallel: each batch runs as %.0f parts side by side, one thread each", parallel_threads));
  TrainReport report;
  const auto t_loop = Clock::now();
  const int64_t step0 = step;
  torch::Tensor perm = torch::randperm(train_idx.numel());
  double loss_ema = 0;
  AugmentOptions aug;
  aug.p_erase = o.erase;
  aug.erase_area_max = o.erase_max;
  aug.p_photometric = o.photometric;
  while (step < total_steps) {
    const int64_t epoch = step / steps_per_epoch, in_epoch = step % steps_per_epoch;
    if (in_epoch == 0 || step == step0) {
      torch::manual_seed(o.seed * 1000 + static_cast<std::uint64_t>(epoch));
      perm = torch::randperm(train_idx.numel());
      torch::manual_seed(o.seed * 1000003 + static_cast<std::uint64_t>(step));
    }
    const torch::Tensor idx =
        train_idx.index_select(0, perm.slice(0, in_epoch * o.batch, (in_epoch + 1) * o.batch));
    const AugmentedBatch a =
        augment(pack.images.index_select(0, idx), pack.landmarks.index_select(0, idx), aug, true,
                dark_lm.defined() ? dark_lm.index_select(0, idx) : torch::Tensor());
    const torch::Tensor target = soft.index_select(0, idx).to(dev);
    const torch::Tensor x = normaliseInput(a.image, cfg).to(dev);
    const torch::Tensor heat =  // the plain baseline does not look at landmarks
        net->plain ? torch::Tensor() : renderHeatmapsBatch(a.landmarks, 48).to(dev);
    const torch::Tensor label = soft.index_select(0, idx).argmax(1);

    // Learning rate: linear warm-up then cosine decay over the steps, or over the time budget when that
    // ends first (so a slower machine, or one shared with other work, still anneals fully).
    const double trained_s = trained_s_before + secondsSince(t_start);
    // This step is the last when it would end past the budget (at the mean step time of this run).
    const double mean_step_s = step > step0 ? secondsSince(t_loop) / static_cast<double>(step - step0) : 0.0;
    // Until a validation pass has been timed, its time is estimated: every validation face forward, clear
    // and dark, at about a third of a training row's time (no backward).
    const double closing_est =
        closing_s > 0 ? closing_s
                      : mean_step_s * (2.0 * static_cast<double>(valid_idx.numel()) / o.batch) / 3.0;
    const double budget_s = std::max(1.0, o.budget_minutes * 60.0 - closing_est);  // for the steps
    double progress = static_cast<double>(step - o.warmup_steps) /
                      static_cast<double>(std::max<int64_t>(1, total_steps - o.warmup_steps));
    if (o.budget_minutes > 0) progress = std::max(progress, trained_s / budget_s);
    const double lr = step < o.warmup_steps ? o.lr * (step + 1) / o.warmup_steps
                                            : o.lr * 0.5 * (1 + std::cos(M_PI * std::min(1.0, progress)));
    const bool budget_spent = o.budget_minutes > 0 && trained_s + mean_step_s >= budget_s;
    for (std::size_t g = 0; g < opt.param_groups().size(); ++g)
      static_cast<torch::optim::AdamWOptions&>(opt.param_groups()[g].options()).lr(lr * group_lr_scale[g]);

    // The step's random draws are made here, on this thread, before the batch is cut into parts
    // (CpuDataParallel): the same seed gives the same run.
    const int64_t rows = x.size(0);
    const bool split = o.stage != 0;  // LA-CLIP's contrastive loss couples the rows
    const int parts = split ? parallel.parts(rows) : 1;
    torch::Tensor caps, keep, noise;
    if (o.stage == 0 || !net->plain) caps = captionBatch(a.lighting, label).to(dev);
    if (o.stage == 1 && o.prior_dropout > 0) keep = (torch::rand({rows, 1}) >= o.prior_dropout).to(dev);
    if (o.stage == 2 && !net->plain) noise = torch::randn({rows, cfg.prior_dim}).to(dev);
    const int64_t dropout_seed = net->plain && parts > 1 ? torch::randint(1 << 30, {1}).item<int64_t>() : 0;
    // A class-weighted loss is normalised by its rows' total weight: a part's share is its weight's share.
    const torch::Tensor row_weight =
        class_weights.defined() ? torch::matmul(target, class_weights.to(target.device())) : torch::Tensor();
    const bool insert = cfg.variant == Variant::kV2 || cfg.variant == Variant::kV4;
    const auto part_loss = [&](LLDifNet& n, int part, int64_t from, int64_t to) -> torch::Tensor {
      const auto cut = [from, to](const torch::Tensor& t) { return t.defined() ? t.slice(0, from, to) : t; };
      const torch::Tensor xp = cut(x), tp = cut(target);
      const auto classLoss = [&](const torch::Tensor& logits) {
        torch::Tensor l = weightedSoftCrossEntropy(logits, tp, class_weights);
        if (row_weight.defined() && to - from < rows)
          l = l * (row_weight.slice(0, from, to).sum() / row_weight.sum().clamp_min(1e-8)) *
              (static_cast<double>(rows) / static_cast<double>(to - from));
        return l;
      };
      if (o.stage == 0) {
        const auto pooled = n->la_clip->encodeImage(xp).second;
        const torch::Tensor cap_ids = (a.lighting * 8 + label).to(dev);
        return symmetricInfoNce(n->la_clip->captionHead(pooled), n->la_clip->encodeText(caps), cap_ids,
                                n->la_clip->logit_scale) +
               softCrossEntropy(textSideLogits(n->la_clip->labelHead(pooled),
                                               n->la_clip->encodeText(label_words), n->la_clip->logit_scale),
                                tp);
      }
      if (n->plain) {
        if (parts > 1)
          n->plain->dropout_generator = torch::make_generator<torch::CPUGeneratorImpl>(dropout_seed + part);
        return classLoss(n->classify(xp, cut(heat), {}));
      }
      torch::Tensor z_s1;
      if (o.stage == 1) {
        z_s1 = n->priorS1(xp, cut(caps));
        if (keep.defined()) z_s1 = z_s1 * cut(keep).to(z_s1.options());
        return classLoss(n->classify(xp, cut(heat), z_s1));
      }
      {
        torch::NoGradGuard ng;
        z_s1 = n->priorS1(xp, cut(caps));
      }
      const auto traj = n->priorS2(xp, cut(noise), insert ? z_s1 : torch::Tensor());
      const torch::Tensor z0 = traj.back();
      if (step < o.warmup_steps && cfg.variant != Variant::kV1NoDiffusion)
        return (z0 - z_s1).abs().mean();  // DiffIR: warm up PNET_s2 + denoiser on |Z_0 - Z_s1|
      torch::Tensor l = classLoss(n->classify(xp, cut(heat), z0));
      if (cfg.variant == Variant::kV2) l = l + priorKl(z_s1, z0, cfg.kl_tau);
      return l;
    };
    opt.zero_grad();
    const double lv = parallel.forwardBackward(rows, part_loss, split);
    torch::nn::utils::clip_grad_norm_(params, 5.0);
    opt.step();
    parallel.afterStep();
    ++step;
    loss_ema = loss_ema == 0 ? lv : 0.98 * loss_ema + 0.02 * lv;

    const double elapsed = secondsSince(t_loop);
    if (step % 50 == 0 || step == total_steps) {
      const double per_step = elapsed / static_cast<double>(step - step0);
      log("stage " + std::to_string(o.stage) +
          fmt("  step %.0f/%.0f  epoch %.2f  loss %.4f", static_cast<double>(step),
              static_cast<double>(total_steps), static_cast<double>(step) / steps_per_epoch, loss_ema) +
          fmt("  lr %.2e  %.2f s/step", lr, per_step) + "  ETA " +
          formatDuration(o.budget_minutes > 0 ? std::min(per_step * static_cast<double>(total_steps - step),
                                                         std::max(0.0, budget_s - trained_s))
                                              : per_step * static_cast<double>(total_steps - step)));
    }
    if (budget_spent) total_steps = step;  // the schedule is complete: this is the last step
    const bool epoch_end = step % steps_per_epoch == 0 || step == total_steps;
    const bool out_of_time = (o.max_minutes > 0 && secondsSince(t_start) > o.max_minutes * 60.0) ||
                             (o.stop_at_step > 0 && step >= o.stop_at_step);
    if (epoch_end || out_of_time) {
      const auto t_closing = Clock::now();
      const auto acc = evaluate();
      const double score = 0.5 * (acc[0] + acc[1]);
      log(fmt("valid after %.2f epochs: clear %.2f%%  ll %.2f%%", static_cast<double>(step) / steps_per_epoch,
              100 * acc[0], 100 * acc[1]) +
          (score > best ? "  (best so far: saved)" : ""));
      net->to(torch::kCPU);
      if (score > best || o.stage == 0) {
        best = std::max(best, score);
        meta.info["stage" + std::to_string(o.stage) + ".valid"] =
            fmt("clear %.4f ll %.4f after %.2f epochs", acc[0], acc[1],
                static_cast<double>(step) / steps_per_epoch);
        saveCheckpoint(o.out, net, meta);
      }
      saveCheckpoint(run_dir / "last.ckpt", net, meta);
      torch::save(opt, (run_dir / "optimizer.pt").string());
      closing_s = secondsSince(t_closing) + 1.0;  // + the state file below, with room to spare
      {
        std::ofstream s(state_file.string() + ".part");
        s << step << " " << best << " " << trained_s_before + secondsSince(t_start) << " " << closing_s
          << "\n";
      }
      fs::rename(state_file.string() + ".part", state_file);
      net->to(dev);
      report.epochs_done = static_cast<int>(step / steps_per_epoch);
      if (out_of_time && step < total_steps) {
        log("time or step limit reached: stopped at step " + std::to_string(step) +
            "; run the same command to resume");
        break;
      }
    }
  }
  report.finished = step >= total_steps;
  report.best_valid = best;
  report.wall_s = secondsSince(t_start);
  report.total_wall_s = trained_s_before + report.wall_s;
  return report;
}

}  // namespace lldif
