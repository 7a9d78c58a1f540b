// train_args.h - the command line of training, defined once: `lldif train` (which hands these options to
// CLI11) and the standalone `lldif-train` (LibTorch alone, for GPU machines without OpenCV, dlib, Qt or
// CLI11) read the same options with the same checks and print the same summary.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/model/trainer.h"

namespace lldif {

// One option of the training command line.
struct TrainArg {
  std::string name;        // "--stage"
  std::string value_hint;  // "INT in 0..2"; empty: a flag, which takes no value
  std::string help;
  bool required = false;
  // Checks and stores the value ("" for a flag).
  // throws: std::invalid_argument with a message naming the option and what it accepts.
  std::function<void(const std::string&)> set;
  bool repeatable = false;  // may be given more than once (each value is set in turn)
  std::string needs;        // another option's name: this one does nothing without it (an error if missing)
};

// requires: options outlives the returned list (each TrainArg::set writes into it).
// ensures: one entry per option of `lldif train --help`, in that order; stage, pack and out are required.
std::vector<TrainArg> trainArgs(TrainOptions& options);

// Parses command-line words (without the program name) as training options: "--name value",
// "--name=value" or "--flag".
// returns: an empty string on success, else the message for the user (an unknown option, a missing value,
//   a missing required option, a bad value). Options not given keep their defaults.
// Thread safety: as safe as the TrainOptions the list writes into.
std::string parseTrainArgs(const std::vector<TrainArg>& args, const std::vector<std::string>& words);

// The option list for --help: "  --stage INT in 0..2 (required)\n      0, 1 or 2\n" for each option.
std::string trainArgsHelp(const std::vector<TrainArg>& args);

// "stage 2 finished in 43m58s (1h02m in all runs); best validation (mean of clear and ll) 85.55%"
// ("paused" for a run stopped by --max-minutes or --stop-at-step; "in all runs" only after a resume).
std::string trainSummary(int stage, const TrainReport& report);

}  // namespace lldif
