// face_pack.h - the prepared training data: aligned 48x48 faces, their landmarks and FERPlus votes, in one
// LibTorch archive that training reads with LibTorch alone (no OpenCV or dlib on GPU machines).
//
// Format 2 (written since 2026-12-01) codes the faces with core/model/gray_codec.h (lossless by default,
// or near-lossless: every pixel within `max_error` gray levels) and the landmarks losslessly with
// core/model/landmark_codec.h: the FERPlus pack takes 57 MB instead of 103, and its train + valid splits
// near-lossless at 1 gray level 37 MB, small enough to travel to a GPU machine. Format 1 packs still load.
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
  // The stored faces are within this many gray levels of the originals (0: exact). Set by loadFacePack.
  int max_error = 0;

  int64_t size() const { return images.defined() ? images.size(0) : 0; }
  // Rows of one split.
  torch::Tensor indices(Split s) const;
};

// The given rows ([K] int64), in that order: every tensor, and the names when the pack has one per row.
FacePack selectRows(const FacePack& pack, const torch::Tensor& rows);
// The rows of the given splits, in their order (names, votes and all).
FacePack selectSplits(const FacePack& pack, const std::vector<Split>& splits);

struct PackWriteOptions {
  // 0: the faces are stored exactly; k (1..16): every stored pixel is within k gray levels of the face's.
  int max_error = 0;
};

// Writes format 2 atomically (a .part file renamed). The faces in `pack` are taken as they are: a pack
// loaded with max_error k and saved with max_error m holds faces within k + m of the originals, and says so.
// throws: std::runtime_error naming the file.
void saveFacePack(const std::filesystem::path& file, const FacePack& pack,
                  const PackWriteOptions& options = {});
// Reads format 1 or 2. throws: std::runtime_error naming the file (missing, not a pack, corrupt).
FacePack loadFacePack(const std::filesystem::path& file);

}  // namespace lldif
