#include "core/trajectory_set.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/data_paths.h"
#include "core/emotion_colors.h"

namespace lldif {

namespace fs = std::filesystem;

namespace {
constexpr char kMagic[8] = {'L', 'L', 'D', 'I', 'F', 'T', 'R', 'J'};
constexpr std::int32_t kVersion = 1;

template <typename T>
void put(std::ostream& os, T v) {
  os.write(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
T get(std::istream& is, const fs::path& file) {
  T v{};
  if (!is.read(reinterpret_cast<char*>(&v), sizeof v))
    throw std::runtime_error(file.string() + ": truncated trajectory file");
  return v;
}
}  // namespace

void TrajectorySet::add(const std::vector<std::vector<float>>& trajectory, int predicted_class, int true_class) {
  if (z.empty() && steps == 0) {
    steps = static_cast<int>(trajectory.size());
    dim = trajectory.empty() ? 0 : static_cast<int>(trajectory[0].size());
  }
  if (static_cast<int>(trajectory.size()) != steps)
    throw std::invalid_argument("trajectory has " + std::to_string(trajectory.size()) + " steps, the set " +
                                std::to_string(steps));
  for (const auto& s : trajectory)
    if (static_cast<int>(s.size()) != dim) throw std::invalid_argument("trajectory step of the wrong size");
  z.push_back(trajectory);
  predicted.push_back(predicted_class);
  truth.push_back(true_class);
}

void saveTrajectorySet(const fs::path& file, const TrajectorySet& set) {
  const fs::path tmp = file.string() + ".part";
  {
    std::ofstream os(tmp, std::ios::binary);
    if (!os) throw std::runtime_error("cannot write " + tmp.string());
    os.write(kMagic, sizeof kMagic);
    put<std::int32_t>(os, kVersion);
    put<std::int32_t>(os, static_cast<std::int32_t>(set.size()));
    put<std::int32_t>(os, set.steps);
    put<std::int32_t>(os, set.dim);
    put<std::int32_t>(os, static_cast<std::int32_t>(set.source.size()));
    os.write(set.source.data(), static_cast<std::streamsize>(set.source.size()));
    for (std::size_t i = 0; i < set.size(); ++i) {
      put<std::int32_t>(os, set.predicted[i]);
      put<std::int32_t>(os, set.truth[i]);
      for (const auto& s : set.z[i]) os.write(reinterpret_cast<const char*>(s.data()),
                                               static_cast<std::streamsize>(s.size() * sizeof(float)));
    }
    if (!os) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, file);
}

TrajectorySet loadTrajectorySet(const fs::path& file) {
  std::ifstream is(file, std::ios::binary);
  if (!is) throw std::runtime_error(file.string() + ": cannot open (missing?)");
  char magic[8] = {};
  if (!is.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof magic) != 0)
    throw std::runtime_error(file.string() + ": not an LLDif trajectory file");
  const auto version = get<std::int32_t>(is, file);
  if (version != kVersion)
    throw std::runtime_error(file.string() + ": trajectory file version " + std::to_string(version) +
                             ", this build reads " + std::to_string(kVersion));
  const auto n = get<std::int32_t>(is, file);
  TrajectorySet set;
  set.steps = get<std::int32_t>(is, file);
  set.dim = get<std::int32_t>(is, file);
  const auto src = get<std::int32_t>(is, file);
  if (n < 0 || n > 1000000 || set.steps < 1 || set.steps > 64 || set.dim < 1 || set.dim > 65536 || src < 0 ||
      src > 100000)
    throw std::runtime_error(file.string() + ": corrupt trajectory header");
  set.source.resize(static_cast<std::size_t>(src));
  if (!is.read(set.source.data(), src)) throw std::runtime_error(file.string() + ": truncated trajectory file");
  for (int i = 0; i < n; ++i) {
    const int p = get<std::int32_t>(is, file), t = get<std::int32_t>(is, file);
    std::vector<std::vector<float>> traj(static_cast<std::size_t>(set.steps),
                                         std::vector<float>(static_cast<std::size_t>(set.dim)));
    for (auto& s : traj)
      if (!is.read(reinterpret_cast<char*>(s.data()), static_cast<std::streamsize>(s.size() * sizeof(float))))
        throw std::runtime_error(file.string() + ": truncated trajectory file");
    set.z.push_back(std::move(traj));
    set.predicted.push_back(p);
    set.truth.push_back(t);
  }
  return set;
}

fs::path defaultReferenceTrajectoriesPath() { return findData("models/lldif_reference.trj"); }

std::vector<std::vector<cv::Point2f>> tsneSnapshots(const TrajectorySet& set, const TsneOptions& options,
                                                    const std::atomic<bool>* cancel,
                                                    const std::function<void(int, int)>& progress) {
  std::vector<std::vector<cv::Point2f>> out;
  const int total = set.steps * options.iterations;
  for (int s = 0; s < set.steps; ++s) {
    std::vector<std::vector<float>> rows;
    rows.reserve(set.size());
    for (const auto& f : set.z) rows.push_back(f[static_cast<std::size_t>(s)]);
    out.push_back(tsne(rows, options, cancel, [&](int d, int) {
      if (progress) progress(s * options.iterations + d, total);
    }));
  }
  return out;
}

cv::Mat drawTsneSnapshots(const TrajectorySet& set, const std::vector<std::vector<cv::Point2f>>& points,
                          const std::string& title, std::size_t highlight_from) {
  const int panel = 300, pad = 10, top = 50, legend = 40;
  const int steps = static_cast<int>(points.size());
  cv::Mat img(top + panel + legend + 10, pad + steps * (panel + pad), CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(img, title, cv::Point(pad, 24), cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  const int T = steps - 1;
  for (int s = 0; s < steps; ++s) {
    const cv::Rect r(pad + s * (panel + pad), top, panel, panel);
    cv::rectangle(img, r, cv::Scalar(200, 200, 200));
    cv::putText(img, "Z_" + std::to_string(T - s), cv::Point(r.x + 5, r.y + 18), cv::FONT_HERSHEY_SIMPLEX, 0.5,
                cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    const auto& pts = points[static_cast<std::size_t>(s)];
    if (pts.empty()) continue;
    cv::Rect2f box = cv::boundingRect(pts);
    const float scale = 0.9f * panel / std::max({box.width, box.height, 1e-6f});
    const cv::Point2f c(box.x + box.width / 2, box.y + box.height / 2);
    for (int pass = 0; pass < 2; ++pass) {  // reference first, highlighted faces on top
      for (std::size_t i = 0; i < pts.size(); ++i) {
        const bool hi = i >= highlight_from;
        if (hi != (pass == 1)) continue;
        const cv::Point p(r.x + panel / 2 + static_cast<int>((pts[i].x - c.x) * scale),
                          r.y + panel / 2 + static_cast<int>((pts[i].y - c.y) * scale));
        const int k = i < set.predicted.size() ? set.predicted[i] : 0;
        const Rgb col = kClassColors[static_cast<std::size_t>(std::clamp(k, 0, kNumClasses - 1))];
        cv::circle(img, p, hi ? 5 : 3, cv::Scalar(col.b, col.g, col.r), cv::FILLED, cv::LINE_AA);
        if (hi) cv::circle(img, p, 6, cv::Scalar(30, 30, 30), 1, cv::LINE_AA);
      }
    }
  }
  int x = pad;
  for (int k = 0; k < kNumClasses; ++k) {
    const Rgb col = kClassColors[static_cast<std::size_t>(k)];
    const int y = top + panel + 25;
    cv::circle(img, cv::Point(x + 6, y - 5), 6, cv::Scalar(col.b, col.g, col.r), cv::FILLED, cv::LINE_AA);
    cv::putText(img, kClassNames[static_cast<std::size_t>(k)], cv::Point(x + 16, y), cv::FONT_HERSHEY_SIMPLEX,
                0.45, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    x += 110;
  }
  return img;
}

}  // namespace lldif
