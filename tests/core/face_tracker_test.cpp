#include "core/face_tracker.h"

#include <gtest/gtest.h>

namespace lldif {
namespace {

FaceBox box(float x, float y, float s = 100) { return {cv::Rect2f(x, y, s, s), 1.0}; }

TEST(FaceTracker, KeepsIdentitiesOfMovingFacesAndGivesNewFacesNewIds) {
  FaceTracker t;
  auto r = t.update({box(0, 0), box(300, 0)});
  ASSERT_EQ(r.size(), 2u);
  const int left = r[0].box.x < 100 ? r[0].track_id : r[1].track_id;
  const int right = r[0].box.x < 100 ? r[1].track_id : r[0].track_id;
  for (int step = 1; step <= 10; ++step) {
    r = t.update({box(300 + 8.f * step, 0), box(8.f * step, 0)});  // order swapped, both move
    ASSERT_EQ(r.size(), 2u);
    for (const auto& f : r) EXPECT_EQ(f.track_id, f.box.x < 150 ? left : right);
  }
  r = t.update({box(80, 0), box(380, 0), box(600, 300)});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r.back().track_id, std::max(left, right) + 1);
}

TEST(FaceTracker, SurvivesMissedDetectionsThenExpires) {
  TrackerOptions o;
  o.max_missed = 3;
  FaceTracker t(o);
  const int id = t.update({box(50, 50)})[0].track_id;
  for (int i = 1; i <= 3; ++i) {
    auto r = t.update({});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].track_id, id);
    EXPECT_FALSE(r[0].detected);
    EXPECT_EQ(r[0].missed, i);
  }
  auto back = t.update({box(55, 52)});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].track_id, id);
  EXPECT_TRUE(back[0].detected);
  for (int i = 0; i < 4; ++i) t.update({});
  EXPECT_TRUE(t.update({}).empty());
  EXPECT_NE(t.update({box(55, 52)})[0].track_id, id);  // ids are never reused
}

TEST(FaceTracker, IouOfBoxes) {
  EXPECT_FLOAT_EQ(iou(cv::Rect2f(0, 0, 10, 10), cv::Rect2f(0, 0, 10, 10)), 1.0f);
  EXPECT_FLOAT_EQ(iou(cv::Rect2f(0, 0, 10, 10), cv::Rect2f(20, 0, 10, 10)), 0.0f);
  EXPECT_NEAR(iou(cv::Rect2f(0, 0, 10, 10), cv::Rect2f(5, 0, 10, 10)), 50.0 / 150.0, 1e-6);
}

}  // namespace
}  // namespace lldif
