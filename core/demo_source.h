// demo_source.h - the built-in demo: bundled CC0 portraits shown as a gently moving 640x480 video.
#pragma once

#include <filesystem>
#include <vector>

#include "core/frame_source.h"

namespace lldif {

// Lets the product run on a machine with no camera. Each portrait is held for hold_s seconds while it
// drifts and zooms slightly (so tracking and per-frame inference are exercised), then the next follows;
// the cycle repeats forever.
// ensures: 640x480 BGR frames at fps(); deterministic (frame n is always the same image).
class DemoSource : public FrameSource {
 public:
  // dir: folder of portraits; default: the bundled resources/demo.
  // throws: SourceError when the folder is missing or holds no decodable image.
  explicit DemoSource(const std::filesystem::path& dir = {}, double fps = 15.0, double hold_s = 4.0);
  ReadStatus read(Frame& out) override;
  std::string description() const override;
  double fps() const override { return fps_; }
  std::size_t portraitCount() const { return portraits_.size(); }

 private:
  std::vector<cv::Mat> portraits_;
  std::vector<std::string> names_;
  double fps_;
  int frames_per_portrait_;
  std::int64_t next_index_ = 0;
};

}  // namespace lldif
