#include "core/latest_frame_slot.h"

#include <thread>

#include <gtest/gtest.h>

namespace lldif {
namespace {

Frame frameNumber(int i) {
  Frame f;
  f.index = i;
  f.image = cv::Mat(2, 2, CV_8UC3, cv::Scalar(i, i, i));
  return f;
}

TEST(LatestFrameSlot, TheNewestFrameWinsAndOverwrittenFramesAreCounted) {
  LatestFrameSlot slot;
  slot.put(frameNumber(1));
  slot.put(frameNumber(2));
  slot.put(frameNumber(3));
  auto f = slot.take(std::chrono::milliseconds(10));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->index, 3);
  EXPECT_EQ(slot.dropped(), 2u);
  EXPECT_EQ(slot.put_count(), 3u);
  EXPECT_FALSE(slot.take(std::chrono::milliseconds(5)));  // nothing queued behind it
}

TEST(LatestFrameSlot, CloseWakesAWaitingConsumerAndKeepsTheLastFrame) {
  LatestFrameSlot slot;
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    slot.close();
  });
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(slot.take(std::chrono::seconds(10)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  closer.join();
  slot.put(frameNumber(9));  // ignored after close
  EXPECT_FALSE(slot.take(std::chrono::milliseconds(1)));
  slot.reopen();
  slot.put(frameNumber(4));
  slot.close();
  auto f = slot.take(std::chrono::milliseconds(1));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->index, 4);
}

TEST(LatestFrameSlot, ProducerAndConsumerThreadsNeverLoseCount) {
  LatestFrameSlot slot;
  constexpr int kFrames = 2000;
  int taken = 0;
  std::thread consumer([&] {
    while (auto f = slot.take(std::chrono::milliseconds(200))) ++taken;
  });
  for (int i = 0; i < kFrames; ++i) slot.put(frameNumber(i % 200));
  slot.close();
  consumer.join();
  EXPECT_EQ(static_cast<std::uint64_t>(taken) + slot.dropped(), static_cast<std::uint64_t>(kFrames));
}

}  // namespace
}  // namespace lldif
