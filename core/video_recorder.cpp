#include "core/video_recorder.h"

#include <algorithm>
#include <cctype>

#include <opencv2/imgproc.hpp>

#include "core/results_log.h"

namespace lldif {

namespace fs = std::filesystem;

VideoRecorder::~VideoRecorder() {
  try {
    close();
  } catch (...) {
  }
}

void VideoRecorder::open(const fs::path& file, double fps, cv::Size size, bool overwrite) {
  close();
  if (!overwrite && fs::exists(file)) throw FileExistsError(file.string() + " already exists; not overwritten");
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  int fourcc = 0;
  if (ext == ".mp4" || ext == ".m4v" || ext == ".mov")
    fourcc = cv::VideoWriter::fourcc('m', 'p', '4', 'v');
  else if (ext == ".avi" || ext == ".mkv")
    fourcc = cv::VideoWriter::fourcc('M', 'J', 'P', 'G');
  else
    throw std::runtime_error("cannot record to '" + file.filename().string() + "': use .mp4 or .avi");
  if (size.width < 2 || size.height < 2) throw std::runtime_error("cannot record an empty frame size");
  // Encoders want even sizes.
  size_ = cv::Size(size.width & ~1, size.height & ~1);
  file_ = file;
  tmp_ = file.parent_path() / ("." + file.stem().string() + ".part" + ext);
  if (!writer_.open(tmp_.string(), cv::CAP_FFMPEG, fourcc, fps > 0 ? fps : 25.0, size_, true))
    throw std::runtime_error("cannot record to " + file.string() + " (no encoder, or the folder is not writable)");
  frames_ = 0;
}

void VideoRecorder::write(const cv::Mat& frame) {
  if (!writer_.isOpened() || frame.empty()) return;
  cv::Mat bgr = frame;
  if (frame.channels() == 1) cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
  if (frame.channels() == 4) cv::cvtColor(frame, bgr, cv::COLOR_BGRA2BGR);
  if (bgr.size() != size_) cv::resize(bgr, bgr, size_, 0, 0, cv::INTER_AREA);
  writer_.write(bgr);
  ++frames_;
}

long long VideoRecorder::close() {
  if (!writer_.isOpened()) return frames_;
  writer_.release();
  std::error_code ec;
  fs::rename(tmp_, file_, ec);
  if (ec) throw std::runtime_error("cannot finish the recording " + file_.string() + ": " + ec.message());
  return frames_;
}

}  // namespace lldif
