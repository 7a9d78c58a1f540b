#include "core/tsne.h"

#include <cmath>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "core/trajectory_set.h"
#include "test_support.h"

using namespace lldif;

namespace {
// Three well separated Gaussian clusters in 32-D.
std::vector<std::vector<float>> clusters(int per, std::vector<int>& label) {
  std::mt19937 rng(3);
  std::normal_distribution<float> n(0.f, 1.f);
  std::vector<std::vector<float>> rows;
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < per; ++i) {
      std::vector<float> r(32);
      for (int k = 0; k < 32; ++k) r[k] = n(rng) + (k % 3 == c ? 12.f : 0.f);
      rows.push_back(r);
      label.push_back(c);
    }
  }
  return rows;
}
}  // namespace

TEST(Tsne, KeepsSeparatedClustersSeparatedAndIsRepeatable) {
  std::vector<int> label;
  const auto rows = clusters(30, label);
  TsneOptions o;
  o.iterations = 400;
  const auto y = tsne(rows, o);
  ASSERT_EQ(y.size(), rows.size());
  // Every point's nearest neighbour in the embedding is from its own cluster.
  int same = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    double best = 1e30;
    std::size_t nn = i;
    for (std::size_t j = 0; j < y.size(); ++j) {
      if (i == j) continue;
      const double d = std::hypot(y[i].x - y[j].x, y[i].y - y[j].y);
      if (d < best) best = d, nn = j;
    }
    same += label[i] == label[nn];
  }
  EXPECT_GE(same, static_cast<int>(y.size()) - 2);
  const auto y2 = tsne(rows, o);
  for (std::size_t i = 0; i < y.size(); ++i) EXPECT_EQ(y[i], y2[i]);
}

TEST(Tsne, RejectsBadInputAndCanBeCancelled) {
  EXPECT_THROW(tsne({{1.f, 2.f}}), std::invalid_argument);
  EXPECT_THROW(tsne({{1.f, 2.f}, {1.f}}), std::invalid_argument);
  std::vector<int> label;
  std::atomic<bool> cancel{true};
  EXPECT_THROW(tsne(clusters(5, label), {}, &cancel), TsneCancelled);
}

TEST(TrajectorySet, RoundTripsAndReportsBadFiles) {
  TrajectorySet set;
  set.source = "test";
  for (int i = 0; i < 4; ++i) {
    std::vector<std::vector<float>> traj(5, std::vector<float>(8, static_cast<float>(i)));
    traj[4][3] = 0.5f * i;
    set.add(traj, i % 8, i);
  }
  EXPECT_THROW(set.add({{1.f}}, 0), std::invalid_argument);
  test::TempDir dir;
  saveTrajectorySet(dir / "a.trj", set);
  const TrajectorySet back = loadTrajectorySet(dir / "a.trj");
  EXPECT_EQ(back.size(), 4u);
  EXPECT_EQ(back.steps, 5);
  EXPECT_EQ(back.dim, 8);
  EXPECT_EQ(back.z, set.z);
  EXPECT_EQ(back.predicted, set.predicted);
  EXPECT_EQ(back.truth, set.truth);
  EXPECT_EQ(back.source, "test");
  // Truncated and foreign files: clear messages naming the file.
  const auto bytes = std::filesystem::file_size(dir / "a.trj");
  std::filesystem::copy_file(dir / "a.trj", dir / "t.trj");
  std::filesystem::resize_file(dir / "t.trj", bytes - 10);
  try {
    loadTrajectorySet(dir / "t.trj");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos);
  }
  std::ofstream(dir / "x.trj") << "hello";
  try {
    loadTrajectorySet(dir / "x.trj");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("x.trj"), std::string::npos);
  }
  EXPECT_THROW(loadTrajectorySet(dir / "missing.trj"), std::runtime_error);
}

TEST(TrajectorySet, ShippedReferenceSetMatchesTheShippedModel) {
  const auto file = std::filesystem::path(LLDIF_SOURCE_DIR) / "models/lldif_reference.trj";
  ASSERT_TRUE(std::filesystem::exists(file));
  const TrajectorySet set = loadTrajectorySet(file);
  EXPECT_GE(set.size(), 100u);
  EXPECT_EQ(set.steps, 5);  // T = 4
  EXPECT_EQ(set.dim, 256);
  std::array<int, 8> per_class{};
  for (int t : set.truth) ++per_class[static_cast<std::size_t>(t)];
  for (int k = 0; k < 6; ++k) EXPECT_GT(per_class[k], 0) << k;  // every common class is represented
}
