// pack_builder.h - lldif prepare: FERPlus-layout folders -> a face pack (aligned faces, landmarks, votes).
#pragma once

#include <filesystem>
#include <functional>
#include <vector>

namespace lldif {

struct PackSource {
  std::filesystem::path dir;  // a folder with label.csv and its images
  int split;                  // Split: 0 train, 1 valid, 2 test
};

// The folders of a FERPlus root (FER2013Train/Valid/Test that exist), or `root` itself if it holds label.csv.
// throws: std::runtime_error when neither is found.
std::vector<PackSource> findPackSources(const std::filesystem::path& root);

struct PackStats {
  int images = 0, detected = 0, skipped = 0;
};

struct PackOptions {
  // false: keep each face crop's own framing (FerFraming::Auto: FERPlus's images all keep theirs; faces in
  // photos are aligned to the template, as lldif eval frames them for a model trained on such a pack).
  bool align = true;
  // Also find the landmarks of an ll- and an xll-darkened copy of each face (core/lowlight.h presets, seeded
  // by the row, so the pack is reproducible): FacePack::dark_landmarks. Triples the dlib work. Off by
  // default: training with them did not beat the model shipped then (docs/MODEL_HISTORY.md).
  bool dark_landmarks = false;
  // 0: the faces are stored exactly; k: each pixel within k gray levels (PackWriteOptions::max_error).
  int max_error = 0;
};

// Builds and writes the pack. progress(done, total) is called for each image. Missing or undecodable
// images are skipped and counted. Uses every core. throws: std::runtime_error on unreadable label files
// or an unwritable output.
PackStats buildFacePack(const std::vector<PackSource>& sources, const std::filesystem::path& out,
                        const std::function<void(long long, long long)>& progress = {},
                        const PackOptions& options = {});

struct PackRewrite {
  long long kept = 0, total = 0;  // faces written, faces in the input
  int max_error_before = 0;       // the input's faces were within this many gray levels already
};

// Writes the faces of the pack `in` that belong to `splits` (0 train, 1 valid, 2 test; all when empty) to
// `out`, each pixel stored within max_error gray levels (0: exactly). No dlib: landmarks, votes and
// framing are kept. throws: std::runtime_error (unreadable input, unwritable output).
PackRewrite rewriteFacePack(const std::filesystem::path& in, const std::filesystem::path& out,
                            const std::vector<int>& splits, int max_error);

}  // namespace lldif
