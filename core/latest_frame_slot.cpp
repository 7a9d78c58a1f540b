#include "core/latest_frame_slot.h"

namespace lldif {

void LatestFrameSlot::put(Frame frame) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    if (frame_) ++dropped_;
    frame_ = std::move(frame);
    ++puts_;
  }
  cv_.notify_one();
}

std::optional<Frame> LatestFrameSlot::take(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, timeout, [this] { return frame_.has_value() || closed_; });
  std::optional<Frame> out;
  out.swap(frame_);
  return out;
}

void LatestFrameSlot::close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool LatestFrameSlot::closed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return closed_;
}

void LatestFrameSlot::reopen() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = false;
}

std::uint64_t LatestFrameSlot::put_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return puts_;
}

std::uint64_t LatestFrameSlot::dropped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_;
}

}  // namespace lldif
