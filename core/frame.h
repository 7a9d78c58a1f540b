// frame.h - one timestamped image from a FrameSource.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace lldif {

// A captured image.
// ensures (for frames produced by a FrameSource): image is CV_8UC3 BGR, non-empty;
//   index counts frames from 0 within the source; timestamp_s is seconds since the source started
//   (media time for files, wall time for cameras).
struct Frame {
  cv::Mat image;  // H x W x 3, CV_8UC3, BGR
  double timestamp_s = 0.0;
  std::int64_t index = 0;
  std::string origin;                                   // file name or camera name, for display and export
  std::chrono::steady_clock::time_point captured_at{};  // when the pipeline received it (latency)
  bool still = false;   // a still photo (image and image-folder sources): unrelated to the frame before it
  std::string warning;  // what was wrong with its file though it loaded (a JPEG cut short); empty if nothing
};

}  // namespace lldif
