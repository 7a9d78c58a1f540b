// image_source.h - a single still image.
#pragma once

#include <filesystem>

#include "core/frame_source.h"

namespace lldif {

// ensures: read() delivers the image once, then kEnd (fps() is 0: a still).
class ImageSource : public FrameSource {
 public:
  // throws: SourceError when the file is missing or not a decodable image.
  explicit ImageSource(const std::filesystem::path& path);
  ReadStatus read(Frame& out) override;
  std::string description() const override;
  double fps() const override { return 0.0; }

 private:
  std::filesystem::path path_;
  cv::Mat image_;
  std::string warning_;  // loadImageBgr's (Frame::warning)
  bool delivered_ = false;
};

}  // namespace lldif
