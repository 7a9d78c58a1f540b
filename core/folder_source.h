// folder_source.h - every image in a folder, in name order.
#pragma once

#include <filesystem>
#include <vector>

#include "core/frame_source.h"

namespace lldif {

// ensures: read() delivers each decodable image once, in name order, then kEnd (or starts again when
//   looping). Files that fail to decode are skipped and listed in skipped(); they never end the stream.
//   Timestamps advance by 1/fps per image (a slideshow).
// Not thread safe (one reader).
class FolderSource : public FrameSource {
 public:
  // throws: SourceError when the folder is missing or holds no image files.
  explicit FolderSource(const std::filesystem::path& dir, double fps = 0.5, bool loop = false);
  ReadStatus read(Frame& out) override;
  std::string description() const override;
  double fps() const override { return fps_; }
  std::int64_t frameCount() const override { return static_cast<std::int64_t>(files_.size()); }
  bool seek(std::int64_t index) override;
  std::int64_t position() const override { return static_cast<std::int64_t>(pos_); }
  void setLoop(bool loop) override { loop_ = loop; }

  const std::vector<std::filesystem::path>& files() const { return files_; }
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  std::filesystem::path dir_;
  std::vector<std::filesystem::path> files_;
  std::vector<std::string> skipped_;  // "file: reason"
  double fps_;
  bool loop_;
  std::size_t pos_ = 0;
  std::int64_t next_index_ = 0;
};

}  // namespace lldif
