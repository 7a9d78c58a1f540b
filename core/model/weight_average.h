// weight_average.h - writes the uniform weight average of several checkpoints of one network ("model soup").
//
// Stage-2 runs that start from the same stage-1 checkpoint stay close enough in weight space that the
// mean of their weights is itself a working network, at no inference cost (unlike an ensemble, which runs
// every model). Whether it beats its ingredients is for validation to say: for three stage-2 runs of `s2f`
// it did not measurably (docs/MODEL_HISTORY.md, "Tried on `s2f`: averaging the weights of stage-2 runs");
// `s2a` and `akd`, two models shipped since, were such means of a model and its continuations.
#pragma once

#include <filesystem>
#include <vector>

namespace lldif {

// requires: at least two checkpoint files, each loadable, all with the same configuration (sizes, variant,
//   schedule, framing...) and the same training stage.
// ensures: every parameter and every floating-point buffer (BatchNorm running mean / variance) is the mean
//   of the inputs'; integer buffers (BatchNorm step counters) are the first input's; the metadata is the
//   first input's (alignment template, command) with info["averaged_from"] listing the files; trained is
//   true only when every input is trained; the result is written to out (atomically, as saveCheckpoint).
// throws: CheckpointError (checkpoint.h) naming the file and the problem (unloadable, other configuration
//   or stage, fewer than two inputs, out among the inputs).
// Thread safety: none needed; it touches only the networks it loads and the file it writes.
void averageCheckpoints(const std::vector<std::filesystem::path>& files, const std::filesystem::path& out);

}  // namespace lldif
