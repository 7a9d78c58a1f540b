#include "core/image_source.h"

#include "core/image_io.h"

namespace lldif {

ImageSource::ImageSource(const std::filesystem::path& path) : path_(path) {
  try {
    image_ = loadImageBgr(path, &warning_);
  } catch (const std::exception& e) {
    throw SourceError(e.what());
  }
}

ReadStatus ImageSource::read(Frame& out) {
  if (delivered_) return ReadStatus::kEnd;
  delivered_ = true;
  out.image = image_;
  out.index = 0;
  out.timestamp_s = 0.0;
  out.origin = path_.filename().string();
  out.still = true;
  out.warning = warning_;
  return ReadStatus::kFrame;
}

std::string ImageSource::description() const { return "image " + path_.filename().string(); }

}  // namespace lldif
