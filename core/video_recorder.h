// video_recorder.h - records annotated frames to a video file with OpenCV's VideoWriter.
//
// The file is written under a temporary name in the same folder and renamed when close() succeeds, so a
// crash never leaves a half-written file under the chosen name; an existing file is never replaced unless
// overwrite. .mp4 uses MPEG-4 Part 2 (mp4v), .avi Motion-JPEG. Not thread safe (one owner).
#pragma once

#include <filesystem>
#include <string>

#include <opencv2/videoio.hpp>

namespace lldif {

class VideoRecorder {
 public:
  ~VideoRecorder();  // an unfinished recording is kept (closed and renamed)
  // throws: FileExistsError, std::runtime_error (no encoder, cannot write, bad extension).
  void open(const std::filesystem::path& file, double fps, cv::Size size, bool overwrite = false);
  // Frames of another size are resized to the recording size. requires: BGR CV_8UC3 (gray is converted).
  void write(const cv::Mat& frame);
  // ensures: the file is complete under its final name. Returns the number of frames written.
  long long close();
  bool isOpen() const { return writer_.isOpened(); }
  long long frames() const { return frames_; }
  const std::filesystem::path& file() const { return file_; }

 private:
  cv::VideoWriter writer_;
  std::filesystem::path file_, tmp_;
  cv::Size size_;
  long long frames_ = 0;
};

}  // namespace lldif
