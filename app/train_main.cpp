// lldif-train: `lldif train` on its own, built with LibTorch alone (cmake -DLLDIF_TRAIN_ONLY=ON), for
// machines that have a CUDA LibTorch (e.g. inside a PyTorch install) but no OpenCV, dlib, Qt or CLI11. It
// reads the face pack that `lldif prepare` writes elsewhere and writes checkpoints that `lldif` and the
// viewer load. Same options, checks and output as `lldif train` (core/model/train_args.h).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "core/blas_kernels.h"
#include "core/model/train_args.h"
#include "core/model/trainer.h"

int main(int argc, char** argv) {
  lldif::ensureFastBlasKernels();  // before any matrix product (core/blas_kernels.h)
  using namespace lldif;
  const std::vector<std::string> words(argv + 1, argv + argc);
  TrainOptions options;
  const std::vector<TrainArg> args = trainArgs(options);
  for (const auto& w : words) {
    if (w == "--help" || w == "-h") {
      std::printf(
          "Train one stage of LLDif (0: LA-CLIP, 1, 2) on a face pack (LibTorch only; same as 'lldif "
          "train')\nUsage: %s [OPTIONS]\n\n%s",
          argv[0], trainArgsHelp(args).c_str());
      return 0;
    }
    if (w == "--version") {
      std::printf("lldif-train %s\n", LLDIF_VERSION);
      return 0;
    }
  }
  const std::string problem = parseTrainArgs(args, words);
  if (!problem.empty()) {
    std::fprintf(stderr, "%s\nRun with --help for more information.\n", problem.c_str());
    return 2;
  }
  for (int i = 0; i < argc; ++i) options.command += (i ? " " : "") + std::string(argv[i]);
  try {
    const TrainReport r = train(options, [](const std::string& line) {
      std::fprintf(stderr, "%s\n", line.c_str());
      std::fflush(stderr);
    });
    std::printf("%s\n", trainSummary(options.stage, r).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
