#include "core/folder_source.h"

#include <algorithm>

#include "core/image_io.h"

namespace lldif {

namespace fs = std::filesystem;

FolderSource::FolderSource(const fs::path& dir, double fps, bool loop) : dir_(dir), fps_(fps), loop_(loop) {
  try {
    files_ = listImageFiles(dir);
  } catch (const std::runtime_error& e) {
    throw SourceError(e.what());
  }
  if (files_.empty()) throw SourceError("Folder " + dir.string() + " contains no image files");
}

ReadStatus FolderSource::read(Frame& out) {
  while (true) {
    if (pos_ >= files_.size()) {
      if (!loop_ || skipped_.size() >= files_.size()) {
        if (skipped_.size() >= files_.size()) {
          error_ = "None of the images in " + dir_.string() + " could be decoded";
          return ReadStatus::kError;
        }
        return ReadStatus::kEnd;
      }
      pos_ = 0;
    }
    const fs::path& file = files_[pos_++];
    try {
      out.image = loadImageBgr(file, &out.warning);
    } catch (const std::exception& e) {
      const std::string entry = file.filename().string() + ": " + e.what();
      if (std::find(skipped_.begin(), skipped_.end(), entry) == skipped_.end()) skipped_.push_back(entry);
      continue;
    }
    out.index = next_index_;
    out.timestamp_s = fps_ > 0 ? static_cast<double>(next_index_) / fps_ : 0.0;
    out.origin = file.filename().string();
    out.still = true;
    ++next_index_;
    return ReadStatus::kFrame;
  }
}

bool FolderSource::seek(std::int64_t index) {
  if (index < 0 || index >= static_cast<std::int64_t>(files_.size())) return false;
  pos_ = static_cast<std::size_t>(index);
  return true;
}

std::string FolderSource::description() const {
  return "folder " + dir_.filename().string() + " (" + std::to_string(files_.size()) + " images)";
}

}  // namespace lldif
