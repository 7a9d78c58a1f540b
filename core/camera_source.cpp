#include "core/camera_source.h"

#include <filesystem>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "core/stopwatch.h"

namespace lldif {

CameraSource::CameraSource(int index, int width, int height) : index_(index) {
  const std::string dev = "/dev/video" + std::to_string(index);
  std::error_code ec;
  if (index < 0 || !std::filesystem::exists(dev, ec)) {
    throw SourceError("Camera " + std::to_string(index) + " not found (" + dev +
                      " does not exist). Is a webcam plugged in?");
  }
  try {
    cap_.open(index, cv::CAP_V4L2);
  } catch (const cv::Exception& e) {
    throw SourceError("Camera " + std::to_string(index) + " could not be opened: " + e.what());
  }
  if (!cap_.isOpened()) {
    throw SourceError("Camera " + std::to_string(index) + " could not be opened (" + dev +
                      " is busy in another program, or you lack permission: join the 'video' group).");
  }
  cap_.set(cv::CAP_PROP_FRAME_WIDTH, width);
  cap_.set(cv::CAP_PROP_FRAME_HEIGHT, height);
  const double reported = cap_.get(cv::CAP_PROP_FPS);
  if (reported > 1.0 && reported < 240.0) fps_ = reported;
  start_ = Clock::now();
}

ReadStatus CameraSource::read(Frame& out) {
  if (failed_) return ReadStatus::kError;
  cv::Mat img;
  // A camera may drop an odd frame; only a run of failures (~1 s) means it is gone.
  constexpr int kMaxFailures = 30;
  while (true) {
    bool ok = false;
    try {
      ok = cap_.read(img) && !img.empty();
    } catch (const cv::Exception&) {
      ok = false;
    }
    if (ok) break;
    if (++consecutive_failures_ >= kMaxFailures) {
      failed_ = true;
      error_ = "Camera " + std::to_string(index_) +
               " stopped delivering frames (unplugged or taken by another program).";
      return ReadStatus::kError;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(33));
  }
  consecutive_failures_ = 0;
  if (img.channels() == 1) cv::cvtColor(img, img, cv::COLOR_GRAY2BGR);
  out.image = img;
  out.index = next_index_++;
  out.timestamp_s = secondsSince(start_);
  out.origin = description();
  return ReadStatus::kFrame;
}

std::string CameraSource::description() const { return "camera " + std::to_string(index_); }

}  // namespace lldif
