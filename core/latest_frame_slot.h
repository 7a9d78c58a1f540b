// latest_frame_slot.h - hands the newest frame from a producer thread to a consumer thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

#include "core/frame.h"

namespace lldif {

// A one-frame mailbox: the latest frame wins and nothing queues up. A frame overwritten before the
// consumer took it is counted as dropped.
// Thread safe: one or more producers, one or more consumers; the lock is held only to move a Frame.
class LatestFrameSlot {
 public:
  // Stores the frame, replacing (and counting as dropped) one that was not taken. Ignored after close().
  void put(Frame frame);

  // Waits up to `timeout` for a frame. Returns nothing on timeout, or when closed and empty.
  std::optional<Frame> take(std::chrono::milliseconds timeout);

  // No more frames will come; wakes waiting consumers (a frame already stored can still be taken).
  void close();
  bool closed() const;
  // Re-opens after close() (e.g. for a new source); counters are kept.
  void reopen();

  std::uint64_t put_count() const;
  std::uint64_t dropped() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<Frame> frame_;
  bool closed_ = false;
  std::uint64_t puts_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace lldif
