// video_file_source.h - a video file decoded by OpenCV's FFmpeg backend.
#pragma once

#include <filesystem>

#include <opencv2/videoio.hpp>

#include "core/frame_source.h"

namespace lldif {

// ensures: frames carry media timestamps (seconds); with loop on, the video restarts at its end and
//   timestamps keep increasing. A decode failure mid-file ends the stream with kError and a message.
// Not thread safe (one reader).
class VideoFileSource : public FrameSource {
 public:
  // throws: SourceError when the file is missing or is not a video FFmpeg can decode.
  explicit VideoFileSource(const std::filesystem::path& path, bool loop = false);
  ReadStatus read(Frame& out) override;
  std::string description() const override;
  double fps() const override { return fps_; }
  std::int64_t frameCount() const override { return frame_count_; }
  bool seek(std::int64_t frame_index) override;
  std::int64_t position() const override { return media_index_; }
  void setLoop(bool loop) override { loop_ = loop; }

 private:
  std::filesystem::path path_;
  cv::VideoCapture cap_;
  bool loop_;
  double fps_ = 25.0;
  std::int64_t frame_count_ = 0;
  std::int64_t next_index_ = 0;   // frames delivered so far (monotonic over loops)
  std::int64_t media_index_ = 0;  // position inside the file
  double loop_offset_s_ = 0.0;
  bool ended_ = false;
  bool failed_ = false;
};

}  // namespace lldif
