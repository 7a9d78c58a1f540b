#include "core/data_paths.h"

#include <cstdlib>
#include <system_error>
#include <vector>

#include <unistd.h>

namespace lldif {

namespace fs = std::filesystem;

namespace {

fs::path executableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

fs::path findData(const std::string& relative) {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("LLDIF_DATA_DIR"); env && *env)
    candidates.push_back(fs::path(env) / relative);
  const fs::path exe_dir = executableDir();
  if (!exe_dir.empty()) candidates.push_back(exe_dir / ".." / "share" / "lldif-viewer" / relative);
  candidates.push_back(fs::path(LLDIF_INSTALL_DATADIR) / relative);
  candidates.push_back(fs::path(LLDIF_SOURCE_DIR) / "resources" / relative);
  candidates.push_back(fs::path(LLDIF_SOURCE_DIR) / relative);
  std::error_code ec;
  for (const auto& c : candidates) {
    if (fs::exists(c, ec)) return fs::weakly_canonical(c, ec);
  }
  return {};
}

fs::path defaultLandmarkModelPath() {
  if (const char* env = std::getenv("LLDIF_LANDMARK_MODEL"); env && *env) return env;
  return "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
}

}  // namespace lldif
