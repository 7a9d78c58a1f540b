// data_paths.h - where the programs find their bundled data (demo images, models).
#pragma once

#include <filesystem>
#include <string>

namespace lldif {

// Finds a bundled data file or folder given its path relative to the data root
// (e.g. "demo", "models/lldif.ckpt"). Search order: $LLDIF_DATA_DIR, the installed data directory
// (<prefix>/share/lldif-viewer), the directory beside the executable's ../share/lldif-viewer, and the
// source tree (resources/ and models/ of the checkout the program was built from).
// returns: the first existing path, or an empty path when none exists.
std::filesystem::path findData(const std::string& relative);

// The default dlib 68-point landmark model (libdlib-data), or $LLDIF_LANDMARK_MODEL when set.
std::filesystem::path defaultLandmarkModelPath();

}  // namespace lldif
