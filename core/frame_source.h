// frame_source.h - the one interface for every stream of frames (camera, video, image, folder, demo).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "core/frame.h"

namespace lldif {

// Thrown when a source cannot be opened. what() is a sentence for the user, naming the file or device.
class SourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ReadStatus {
  kFrame,  // a new frame was written to the output
  kEnd,    // the source is exhausted (end of a non-looping video, last image of a folder)
  kError,  // the source failed (camera unplugged, decode error); error() says why
};

// A stream of timestamped frames.
// requires: read() is called from one thread at a time (sources are not thread safe).
// ensures: frames delivered by read() satisfy the Frame contract; after kEnd or kError, further reads
//   return the same status (a source never throws from read()).
class FrameSource {
 public:
  virtual ~FrameSource() = default;

  virtual ReadStatus read(Frame& out) = 0;

  // Human-readable description, e.g. "camera 0", "video clip.mp4", "demo (6 portraits)".
  virtual std::string description() const = 0;

  // Message for the last kError.
  virtual std::string error() const { return error_; }

  // Rate at which frames should be presented; 0 for a single still image.
  // Live sources (cameras) pace themselves; others are paced by whoever reads them.
  virtual double fps() const = 0;
  virtual bool isLive() const { return false; }

  // Seekable sources (video files) report a frame count > 0 and accept seek().
  virtual std::int64_t frameCount() const { return 0; }
  virtual bool seek(std::int64_t /*frame_index*/) { return false; }
  // Index (in the file or folder) of the next frame read() delivers; -1 when it has no position.
  virtual std::int64_t position() const { return -1; }
  // Start again at the end (video files, folders); ignored by other sources.
  virtual void setLoop(bool /*loop*/) {}

 protected:
  std::string error_;
};

// Opens a source from a specification string:
//   "demo"            the built-in demo (bundled CC0 portraits, no camera needed)
//   "camera:N"        webcam number N (V4L2)
//   a directory       every image in it, sorted by name
//   an image file     one still image (png, jpg, bmp, tif, webp, ...)
//   any other file    a video file (decoded by FFmpeg)
// throws: SourceError with a clear message when the source cannot be opened.
std::unique_ptr<FrameSource> openSource(const std::string& spec);

}  // namespace lldif
