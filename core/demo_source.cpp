#include "core/demo_source.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/data_paths.h"
#include "core/folder_source.h"
#include "core/image_io.h"

namespace lldif {

namespace fs = std::filesystem;

namespace {
constexpr int kWidth = 640;
constexpr int kHeight = 480;
}  // namespace

DemoSource::DemoSource(const fs::path& dir_in, double fps, double hold_s) : fps_(fps) {
  fs::path dir = dir_in.empty() ? findData("demo") : dir_in;
  if (dir.empty())
    throw SourceError("The built-in demo images (resources/demo) were not found; set LLDIF_DATA_DIR");
  FolderSource folder(dir);  // throws SourceError with the folder's problem
  for (const auto& f : folder.files()) {
    try {
      portraits_.push_back(loadImageBgr(f));
      names_.push_back(f.filename().string());
    } catch (const std::exception&) {
      // skipped: the demo shows what it can decode
    }
  }
  if (portraits_.empty()) throw SourceError("No demo image in " + dir.string() + " could be decoded");
  frames_per_portrait_ = std::max(1, static_cast<int>(std::lround(hold_s * fps_)));
}

ReadStatus DemoSource::read(Frame& out) {
  const std::int64_t n = next_index_++;
  const std::size_t which = static_cast<std::size_t>(n / frames_per_portrait_) % portraits_.size();
  const double phase = static_cast<double>(n % frames_per_portrait_) / frames_per_portrait_;
  const cv::Mat& src = portraits_[which];

  // Fit the portrait's height to the frame, then drift sideways and zoom slowly.
  const double base = static_cast<double>(kHeight) / src.rows;
  const double zoom = base * (0.9 + 0.12 * phase);
  const double dx = 40.0 * std::sin(2.0 * M_PI * phase);
  const double dy = 10.0 * std::sin(4.0 * M_PI * phase);
  cv::Matx23d m(zoom, 0, kWidth / 2.0 - zoom * src.cols / 2.0 + dx,  //
                0, zoom, kHeight / 2.0 - zoom * src.rows / 2.0 + dy);
  cv::Mat frame;
  cv::warpAffine(src, frame, m, cv::Size(kWidth, kHeight), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar(40, 40, 40));
  out.image = frame;
  out.index = n;
  out.timestamp_s = static_cast<double>(n) / fps_;
  out.origin = "demo/" + names_[which];
  return ReadStatus::kFrame;
}

std::string DemoSource::description() const {
  return "demo (" + std::to_string(portraits_.size()) + " portraits)";
}

}  // namespace lldif
