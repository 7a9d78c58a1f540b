// trajectory_set.h - the prior's trajectories Z_T..Z_0 of a set of faces with their labels, as shipped in
// models/ (the viewer's reference set for the diffusion-step t-SNE; derived numbers only, no images) and
// as collected by the viewer during a session; plus the t-SNE snapshots of such a set, one per step.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/tsne.h"

namespace lldif {

struct TrajectorySet {
  int steps = 0;  // T + 1 snapshots per face: Z_T, ..., Z_0
  int dim = 0;    // C
  std::vector<int> predicted;                          // per face, class index
  std::vector<int> truth;                              // per face, class index or -1 (unknown)
  std::vector<std::vector<std::vector<float>>> z;      // [face][step][dim]
  std::string source;                                  // where it came from (free text)

  std::size_t size() const { return z.size(); }
  // requires: trajectory.size() == steps (or the set is empty: it takes its shape), each step dim floats.
  void add(const std::vector<std::vector<float>>& trajectory, int predicted_class, int true_class = -1);
};

// Binary file "LLDIFTRJ" v1 (little endian). save() writes atomically (temp file + rename).
// load() throws std::runtime_error naming the file and the problem (missing, foreign, truncated).
void saveTrajectorySet(const std::filesystem::path& file, const TrajectorySet& set);
TrajectorySet loadTrajectorySet(const std::filesystem::path& file);

// models/lldif_reference.trj next to the shipped model; empty path if none.
std::filesystem::path defaultReferenceTrajectoriesPath();

// t-SNE of every step separately: result[step][face]. Heavy (seconds): call off the UI thread.
std::vector<std::vector<cv::Point2f>> tsneSnapshots(const TrajectorySet& set, const TsneOptions& options = {},
                                                    const std::atomic<bool>* cancel = nullptr,
                                                    const std::function<void(int, int)>& progress = {});

// Small multiples (one panel per step, Z_T left to Z_0 right), points coloured by predicted class;
// faces from index highlight_from on are drawn larger with a dark ring (e.g. this session's faces over
// the reference set). Returns the picture (BGR).
cv::Mat drawTsneSnapshots(const TrajectorySet& set, const std::vector<std::vector<cv::Point2f>>& points,
                          const std::string& title, std::size_t highlight_from = static_cast<std::size_t>(-1));

}  // namespace lldif
