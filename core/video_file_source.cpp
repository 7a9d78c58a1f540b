#include "core/video_file_source.h"

#include <opencv2/imgproc.hpp>

namespace lldif {

namespace fs = std::filesystem;

VideoFileSource::VideoFileSource(const fs::path& path, bool loop) : path_(path), loop_(loop) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw SourceError("No such file: " + path.string());
  if (fs::file_size(path, ec) == 0) throw SourceError(path.string() + " is empty, not a video");
  try {
    cap_.open(path.string(), cv::CAP_FFMPEG);
  } catch (const cv::Exception& e) {
    throw SourceError("Cannot open video " + path.string() + ": " + e.what());
  }
  if (!cap_.isOpened()) {
    throw SourceError(path.string() +
                      " is not a video that can be decoded (corrupt, or an unsupported format)");
  }
  const double fps = cap_.get(cv::CAP_PROP_FPS);
  if (fps > 0.5 && fps < 1000.0) fps_ = fps;
  frame_count_ = static_cast<std::int64_t>(cap_.get(cv::CAP_PROP_FRAME_COUNT));
  if (frame_count_ < 0) frame_count_ = 0;
  // A file that opens but yields no first frame is as good as corrupt: say so now, not mid-stream.
  cv::Mat probe;
  bool ok = false;
  try {
    ok = cap_.read(probe) && !probe.empty();
  } catch (const cv::Exception&) {
    ok = false;
  }
  if (!ok) throw SourceError(path.string() + " contains no decodable video frames");
  cap_.set(cv::CAP_PROP_POS_FRAMES, 0);
}

ReadStatus VideoFileSource::read(Frame& out) {
  if (failed_) return ReadStatus::kError;
  if (ended_) return ReadStatus::kEnd;
  cv::Mat img;
  bool ok = false;
  try {
    ok = cap_.read(img) && !img.empty();
  } catch (const cv::Exception& e) {
    failed_ = true;
    error_ =
        "Decoding " + path_.string() + " failed at frame " + std::to_string(media_index_) + ": " + e.what();
    return ReadStatus::kError;
  }
  if (!ok) {
    if (media_index_ == 0) {
      failed_ = true;
      error_ = path_.string() + " contains no decodable video frames";
      return ReadStatus::kError;
    }
    if (!loop_) {
      ended_ = true;
      return ReadStatus::kEnd;
    }
    loop_offset_s_ += static_cast<double>(media_index_) / fps_;
    media_index_ = 0;
    cap_.set(cv::CAP_PROP_POS_FRAMES, 0);
    return read(out);
  }
  if (img.channels() == 1) cv::cvtColor(img, img, cv::COLOR_GRAY2BGR);
  out.image = img;
  out.index = next_index_++;
  out.timestamp_s = loop_offset_s_ + static_cast<double>(media_index_) / fps_;
  out.origin = path_.filename().string();
  ++media_index_;
  return ReadStatus::kFrame;
}

bool VideoFileSource::seek(std::int64_t frame_index) {
  if (frame_index < 0 || (frame_count_ > 0 && frame_index >= frame_count_)) return false;
  if (!cap_.set(cv::CAP_PROP_POS_FRAMES, static_cast<double>(frame_index))) return false;
  media_index_ = frame_index;
  ended_ = false;
  return true;
}

std::string VideoFileSource::description() const { return "video " + path_.filename().string(); }

}  // namespace lldif
