// face_pack.h - the prepared training data: aligned 48x48 faces, their landmarks and FERPlus votes, in one
// LibTorch archive that training reads with LibTorch alone (no OpenCV or dlib on GPU machines).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace lldif {

enum class Split : std::uint8_t { kTrain = 0, kValid = 1, kTest = 2 };

struct FacePack {
  torch::Tensor images;     // [N, 48, 48] uint8, framed as `framing` says
  torch::Tensor landmarks;  // [N, 68, 2] float, crop coordinates
  torch::Tensor votes;      // [N, 10] uint8 (8 emotions, unknown, NF)
  torch::Tensor split;      // [N] uint8 (Split)
  torch::Tensor detected;   // [N] uint8: 1 when dlib found the face, 0 when the fallback box was used
  // [N, 2, 68, 2] float: the landmarks dlib finds on an ll- and an xll-darkened copy of the face, in the
  // same crop coordinates as `landmarks`; undefined in packs written without them (older ones).
  torch::Tensor dark_landmarks;
  std::vector<std::string> names;   // "<folder>/<file>"
  std::string framing = "aligned";  // "aligned" to the template, or "image" (lldif prepare --keep-framing)
  // The 68-point alignment template of the tools that wrote the pack (x0, y0, x1, ...; 136 numbers), which
  // training stores in checkpoints when their init has none; empty in packs written without it (older ones).
  std::vector<float> alignment_template;

  int64_t size() const { return images.defined() ? images.size(0) : 0; }
  // Rows of one split.
  torch::Tensor indices(Split s) const;
};

// throws: std::runtime_error naming the file.
void saveFacePack(const std::filesystem::path& file, const FacePack& pack);
FacePack loadFacePack(const std::filesystem::path& file);

}  // namespace lldif
