// checkpoint.h - one versioned file holding the configuration and the weights of every stage.
//
// Layout: "LLDIFCKP" | u32 format version | u64 header length | header (text, "key value" lines:
// the ModelConfig, class names, input normalisation, the alignment template, free metadata) |
// u64 weights length | u64 FNV-1a hash of the weights | weights (a LibTorch archive of LLDifNet).
// No JSON library here on purpose: training builds with LibTorch alone (GPU machines).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/model/fnv1a.h"  // the header keeps the FNV-1a hash of the weights
#include "core/model/lldif_net.h"

namespace lldif {

inline constexpr std::uint32_t kCheckpointVersion = 1;

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CheckpointMeta {
  bool trained = false;  // false: randomly initialised (plumbing only, never presented as trained)
  int stage = 0;         // last training stage completed (0 LA-CLIP, 1, 2)
  std::vector<float> alignment_template;    // 136 numbers: the 68 (x, y) points of the crop template
  std::map<std::string, std::string> info;  // free text: training command, data, wall time, ...
};

// Writes atomically (temporary file + rename). throws: CheckpointError naming the file.
void saveCheckpoint(const std::filesystem::path& file, LLDifNet& net, const CheckpointMeta& meta);

struct LoadedCheckpoint {
  LLDifNet net{nullptr};
  CheckpointMeta meta;
};

// throws: CheckpointError naming the file and the problem: missing, not an LLDif checkpoint, another
//   format version, truncated, corrupt (hash mismatch), or weights that do not fit the configuration.
LoadedCheckpoint loadCheckpoint(const std::filesystem::path& file);

// Header text <-> ModelConfig (exposed for tests).
std::string configToText(const ModelConfig& c);
ModelConfig configFromText(const std::string& text);

}  // namespace lldif
