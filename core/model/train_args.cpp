#include "core/model/train_args.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include "core/stopwatch.h"

namespace lldif {

namespace {

// The option's name is put in front of the message by trainArgs' add.
[[noreturn]] void bad(const std::string& value, const std::string& wanted) {
  throw std::invalid_argument("'" + value + "' is not " + wanted);
}

// The whole text must be the number (no trailing characters); lo..hi inclusive.
double number(const std::string& v, double lo, double hi, const std::string& hint) {
  std::size_t used = 0;
  double x = 0;
  try {
    x = std::stod(v, &used);
  } catch (const std::exception&) {
    bad(v, hint);
  }
  if (used != v.size() || !(x >= lo && x <= hi)) bad(v, hint);
  return x;
}

long long integer(const std::string& v, long long lo, long long hi, const std::string& hint) {
  std::size_t used = 0;
  long long x = 0;
  try {
    x = std::stoll(v, &used);
  } catch (const std::exception&) {
    bad(v, hint);
  }
  if (used != v.size() || x < lo || x > hi) bad(v, hint);
  return x;
}

// A whole unsigned 64-bit number written in decimal digits (no sign, no trailing characters).
std::uint64_t unsignedInteger(const std::string& v, const std::string& hint) {
  if (v.empty() || v[0] == '-' || v[0] == '+') bad(v, hint);
  std::size_t used = 0;
  std::uint64_t x = 0;
  try {
    x = std::stoull(v, &used);
  } catch (const std::exception&) {
    bad(v, hint);
  }
  if (used != v.size()) bad(v, hint);
  return x;
}

std::string oneOf(const std::string& v, const std::vector<std::string>& choices, const std::string& hint) {
  for (const auto& c : choices)
    if (v == c) return v;
  bad(v, hint);
}

constexpr double kInf = std::numeric_limits<double>::max();
constexpr long long kMaxInt = std::numeric_limits<int>::max();

}  // namespace

std::vector<TrainArg> trainArgs(TrainOptions& o) {
  std::vector<TrainArg> a;
  // One option: name, value hint, help, required, and how the text becomes the value.
  auto add = [&a](std::string name, std::string hint, std::string help, bool required,
                  std::function<void(const std::string&)> set) {
    // A bad value's message names the option (the setters below do not repeat the name).
    auto named = [name, set = std::move(set)](const std::string& v) {
      try {
        set(v);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(name + ": " + e.what());
      }
    };
    a.push_back({std::move(name), std::move(hint), std::move(help), required, std::move(named), false, ""});
  };
  add("--stage", "INT in 0..2", "0, 1 or 2", true,
      [&o](const std::string& v) { o.stage = static_cast<int>(integer(v, 0, 2, "a stage: 0, 1 or 2")); });
  add("--pack", "FILE", "Face pack from 'lldif prepare'", true, [&o](const std::string& v) { o.pack = v; });
  add("--out", "FILE", "Checkpoint to write", true, [&o](const std::string& v) { o.out = v; });
  add("--init", "FILE", "Checkpoint of the previous stage (stages 1 and 2)", false,
      [&o](const std::string& v) { o.init = v; });
  add("--epochs", "NUMBER in 0.01..1000", "Epochs (fractions allowed)", false, [&o](const std::string& v) {
    o.epochs = number(v, 0.01, 1000, "a number of epochs from 0.01 to 1000");
  });
  add("--batch", "INT in 2..4096", "Batch size", false, [&o](const std::string& v) {
    o.batch = static_cast<int>(integer(v, 2, 4096, "a batch size from 2 to 4096"));
  });
  add("--lr", "NUMBER", "Peak learning rate (AdamW, cosine)", false,
      [&o](const std::string& v) { o.lr = number(v, 1e-12, 10, "a learning rate above 0 and at most 10"); });
  add("--variant", "V1|V2|V3|V4|plain",
      "Table 5 variant for a new network: V1 (no diffusion), V2, V3, V4; or 'plain': the plain "
      "compact-ResNet baseline (stage 2 only, no --init)",
      false, [&o](const std::string& v) {
        const std::string s = oneOf(v, {"V1", "V2", "V3", "V4", "plain"}, "V1, V2, V3, V4 or plain");
        o.config.variant = s == "V1"      ? Variant::kV1NoDiffusion
                           : s == "V2"    ? Variant::kV2
                           : s == "V3"    ? Variant::kV3
                           : s == "plain" ? Variant::kPlain
                                          : Variant::kV4;
        o.override_variant = true;
      });
  add("--prior-dropout", "NUMBER in 0..1",
      "Stage 1: share of samples trained with a zero prior (image and landmarks only)", false,
      [&o](const std::string& v) { o.prior_dropout = number(v, 0, 1, "a share from 0 to 1"); });
  add("--backbone-from", "FILE",
      "Stage 1: give the LLformer the residual backbone and start it from this plain baseline; stage 2 "
      "with --init on a residual backbone: replace the trunk's weights by this plain baseline's; the plain "
      "baseline: start its trunk from this LLDif model's",
      false, [&o](const std::string& v) {
        if (!std::filesystem::is_regular_file(v)) bad(v, "an existing file");
        o.backbone_from = v;
      });
  add("--backbone-lr", "NUMBER in 0..1",
      "Stages 1-2 on a residual backbone and the plain baseline: the trunk's share of the learning rate "
      "(e.g. 0.1; 0: only the rest learns)",
      false, [&o](const std::string& v) { o.backbone_lr_scale = number(v, 0, 1, "a share from 0 to 1"); });
  add("--class-balance", "NUMBER in 0..1",
      "Stages 1-2: weight each face's loss by its class's training share to the power -P (0.5: square root)",
      false, [&o](const std::string& v) { o.class_balance = number(v, 0, 1, "a power from 0 to 1"); });
  add("--erase", "NUMBER in 0..1",
      "Stages 1-2 and the baseline: share of training faces with a random rectangle erased (occlusion; 0: "
      "off)",
      false, [&o](const std::string& v) { o.erase = number(v, 0, 1, "a share from 0 to 1"); });
  add("--erase-max", "NUMBER in 0.02..0.6",
      "With --erase: the largest erased rectangle as a share of the face (default 0.2; ~0.5 covers the lower "
      "half, like a mask)",
      false, [&o](const std::string& v) { o.erase_max = number(v, 0.02, 0.6, "a share from 0.02 to 0.6"); });
  a.back().needs = "--erase";
  add("--photometric", "NUMBER in 0..1",
      "Stages 1-2 and the baseline: share of training faces given a random gamma, contrast and blur or "
      "sharpening (faces from other cameras; 0: off)",
      false, [&o](const std::string& v) { o.photometric = number(v, 0, 1, "a share from 0 to 1"); });
  add("--teacher", "FILE",
      "Stages 1-2 and the baseline: a trained model whose probabilities on the clear faces join the targets "
      "(knowledge distillation; repeat for an ensemble of teachers)",
      false, [&o](const std::string& v) {
        if (!std::filesystem::is_regular_file(v)) bad(v, "an existing file");
        o.teachers.emplace_back(v);
      });
  a.back().repeatable = true;
  add("--teacher-weight", "NUMBER in 0..1",
      "With --teacher: the teachers' share of each target, the FERPlus votes the rest (default 0.5)", false,
      [&o](const std::string& v) { o.teacher_weight = number(v, 0, 1, "a share from 0 to 1"); });
  a.back().needs = "--teacher";
  add("--clear-landmarks", "",
      "Pair darkened faces with the clear faces' landmarks even when the pack has those of darkened copies",
      false, [&o](const std::string&) { o.dark_landmarks = false; });
  add("--steps", "INT in 1..64", "Diffusion steps T for a new network", false, [&o](const std::string& v) {
    o.config.timesteps = static_cast<int>(integer(v, 1, 64, "a number of steps from 1 to 64"));
  });
  add("--max-minutes", "NUMBER", "Stop (resumably) after this wall time", false, [&o](const std::string& v) {
    o.max_minutes = number(v, 0, kInf, "a number of minutes (0: no limit)");
  });
  add("--stop-at-step", "INT", "Stop (resumably) at this step", false, [&o](const std::string& v) {
    o.stop_at_step = integer(v, 0, std::numeric_limits<long long>::max(), "a step number");
  });
  add("--budget-minutes", "NUMBER",
      "Time budget of the stage, validation passes included: the learning-rate schedule ends there (or at "
      "--epochs)",
      false, [&o](const std::string& v) {
        o.budget_minutes = number(v, 0, kInf, "a number of minutes (0: epochs only)");
      });
  add("--threads", "INT",
      "CPU threads (default: every core); stages 1-2 and the baseline cut each batch into one part per "
      "thread, trained side by side (data-parallel)",
      false, [&o](const std::string& v) {
        o.threads = static_cast<int>(integer(v, 0, kMaxInt, "a number of threads (0: every core)"));
      });
  add("--device", "auto|cpu|cuda", "auto, cpu or cuda", false, [&o](const std::string& v) {
    o.device = oneOf(v, {"auto", "cpu", "cuda"}, "auto, cpu or cuda");
  });
  add("--seed", "UINT", "Seed", false,
      [&o](const std::string& v) { o.seed = unsignedInteger(v, "a seed (an integer from 0)"); });
  return a;
}

std::string parseTrainArgs(const std::vector<TrainArg>& args, const std::vector<std::string>& words) {
  std::vector<bool> given(args.size(), false);
  try {
    for (std::size_t i = 0; i < words.size(); ++i) {
      std::string name = words[i], value;
      const bool has_equals = name.rfind("--", 0) == 0 && name.find('=') != std::string::npos;
      if (has_equals) {
        value = name.substr(name.find('=') + 1);
        name = name.substr(0, name.find('='));
      }
      std::size_t k = 0;
      while (k < args.size() && args[k].name != name) ++k;
      if (k == args.size()) return "unknown option '" + words[i] + "' (see --help)";
      const TrainArg& arg = args[k];
      if (arg.value_hint.empty()) {
        if (has_equals) return arg.name + " takes no value";
      } else if (!has_equals) {
        if (i + 1 == words.size()) return arg.name + " needs a value: " + arg.value_hint;
        value = words[++i];
      }
      arg.set(value);
      given[k] = true;
    }
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  for (std::size_t k = 0; k < args.size(); ++k)
    if (args[k].required && !given[k]) return args[k].name + " is required";
  const auto wasGiven = [&args, &given](const std::string& name) {
    for (std::size_t k = 0; k < args.size(); ++k)
      if (args[k].name == name) return static_cast<bool>(given[k]);
    return false;
  };
  for (std::size_t k = 0; k < args.size(); ++k)
    if (given[k] && !args[k].needs.empty() && !wasGiven(args[k].needs))
      return args[k].name + " does nothing without " + args[k].needs;
  return {};
}

std::string trainArgsHelp(const std::vector<TrainArg>& args) {
  std::string s = "Options:\n";
  for (const auto& a : args) {
    s += "  " + a.name;
    if (!a.value_hint.empty()) s += " " + a.value_hint;
    if (a.required) s += " (required)";
    if (a.repeatable) s += " (repeatable)";
    s += "\n      " + a.help + "\n";
  }
  return s;
}

std::string trainSummary(int stage, const TrainReport& r) {
  const std::string in_all =
      r.total_wall_s > r.wall_s ? " (" + formatDuration(r.total_wall_s) + " in all runs)" : "";
  char best[96];
  std::snprintf(best, sizeof best, "; best validation (mean of clear and ll) %.2f%%", 100 * r.best_valid);
  return "stage " + std::to_string(stage) + (r.finished ? " finished" : " paused") + " in " +
         formatDuration(r.wall_s) + in_all + best;
}

}  // namespace lldif
