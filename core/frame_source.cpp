#include "core/frame_source.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/camera_source.h"
#include "core/demo_source.h"
#include "core/folder_source.h"
#include "core/image_io.h"
#include "core/image_source.h"
#include "core/video_file_source.h"

namespace lldif {

namespace fs = std::filesystem;

std::unique_ptr<FrameSource> openSource(const std::string& spec) {
  if (spec.empty()) throw SourceError("No source given (use demo, camera:N, an image, a folder or a video)");
  if (spec == "demo") return std::make_unique<DemoSource>();
  if (spec.rfind("camera:", 0) == 0) {
    const std::string num = spec.substr(7);
    if (num.empty() || num.size() > 3 || !std::all_of(num.begin(), num.end(), ::isdigit)) {
      throw SourceError("Bad camera specification '" + spec + "' (expected camera:0, camera:1, ...)");
    }
    return std::make_unique<CameraSource>(std::stoi(num));
  }
  const fs::path path(spec);
  std::error_code ec;
  if (!fs::exists(path, ec)) throw SourceError("No such file or folder: " + spec);
  if (fs::is_directory(path, ec)) return std::make_unique<FolderSource>(path);
  if (hasImageExtension(path)) return std::make_unique<ImageSource>(path);
  return std::make_unique<VideoFileSource>(path);
}

}  // namespace lldif
