// camera_source.h - a webcam read through OpenCV's V4L2 backend.
#pragma once

#include <chrono>

#include <opencv2/videoio.hpp>

#include "core/frame_source.h"

namespace lldif {

// requires: a V4L2 device /dev/videoN (N = index).
// ensures: frames carry wall-clock timestamps; a camera that stops delivering (unplugged, taken by
//   another program) makes read() return kError with a message after a short grace period, never hang.
// Not thread safe (one reader).
class CameraSource : public FrameSource {
 public:
  // throws: SourceError when the camera does not exist or cannot be opened (busy).
  explicit CameraSource(int index, int width = 640, int height = 480);
  ReadStatus read(Frame& out) override;
  std::string description() const override;
  double fps() const override { return fps_; }
  bool isLive() const override { return true; }

 private:
  int index_;
  cv::VideoCapture cap_;
  double fps_ = 30.0;
  std::int64_t next_index_ = 0;
  int consecutive_failures_ = 0;
  bool failed_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace lldif
