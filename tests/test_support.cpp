#include "test_support.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/blas_kernels.h"
#include "core/data_paths.h"
#include "core/face_detector.h"
#include "core/image_io.h"
#include "core/landmarker.h"

namespace lldif::test {

namespace fs = std::filesystem;

namespace {
// The test programs run OpenBLAS's kernels as lldif and the viewer do (core/blas_kernels.h): before main(),
// before any test makes a matrix product.
const bool kFastBlas = (ensureFastBlasKernels(), true);
}  // namespace

std::shared_ptr<const Landmarker> sharedLandmarker() {
  static const auto lm = std::make_shared<const Landmarker>(defaultLandmarkModelPath());
  return lm;
}

fs::path dataDir() { return fs::path(LLDIF_SOURCE_DIR) / "tests" / "data"; }
fs::path resourcesDir() { return fs::path(LLDIF_SOURCE_DIR) / "resources"; }
fs::path faceImage(const std::string& name) { return dataDir() / "faces" / name; }

std::vector<fs::path> portraitFixtures() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dataDir() / "faces")) {
    if (hasImageExtension(e.path())) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

cv::Mat ferLikeFace(const fs::path& file, int size) {
  const cv::Mat bgr = loadImageBgr(file);
  FaceDetector det(DetectorOptions::stills());
  const auto boxes = det.detect(bgr);
  if (boxes.size() != 1) throw std::runtime_error("expected one face in " + file.string());
  const cv::Rect2f b = boxes[0].rect;
  const float side = 1.25f * std::max(b.width, b.height);
  cv::Rect r(cvRound(b.x + b.width / 2 - side / 2), cvRound(b.y + b.height / 2 - side / 2), cvRound(side),
             cvRound(side));
  r &= cv::Rect(0, 0, bgr.cols, bgr.rows);
  cv::Mat gray, small;
  cv::cvtColor(bgr(r), gray, cv::COLOR_BGR2GRAY);
  cv::resize(gray, small, cv::Size(size, size), 0, 0, cv::INTER_AREA);
  return small;
}

fs::path graceHopper() { return "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg"; }

TempDir::TempDir() {
  std::random_device rd;
  path_ = fs::temp_directory_path() / ("lldif-test-" + std::to_string(rd()) + std::to_string(rd()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

cv::Mat placeOnCanvas(const cv::Mat& portrait, cv::Size size, int dx, int dy) {
  const double s = 0.8 * size.height / portrait.rows;
  cv::Mat small;
  cv::resize(portrait, small, cv::Size(), s, s, cv::INTER_AREA);
  cv::Mat canvas(size, CV_8UC3, cv::Scalar(60, 60, 60));
  const int x = (size.width - small.cols) / 2 + dx;
  const int y = (size.height - small.rows) / 2 + dy;
  const cv::Rect dst = cv::Rect(x, y, small.cols, small.rows) & cv::Rect(0, 0, size.width, size.height);
  small(cv::Rect(dst.x - x, dst.y - y, dst.width, dst.height)).copyTo(canvas(dst));
  return canvas;
}

void writeFerPlusFolder(const fs::path& dir, const std::vector<cv::Mat>& faces,
                        const std::vector<std::array<int, 10>>& votes) {
  if (faces.size() != votes.size()) throw std::runtime_error("writeFerPlusFolder: one vote row per face");
  fs::create_directories(dir);
  std::ofstream csv(dir / "label.csv");
  for (std::size_t i = 0; i < faces.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "fer%07zu.png", i);
    if (!cv::imwrite((dir / name).string(), faces[i]))
      throw std::runtime_error("cannot write " + (dir / name).string());
    csv << name << ",\"(0, 0, 48, 48)\"";
    for (int v : votes[i]) csv << "," << v;
    csv << "\n";
  }
  if (!csv) throw std::runtime_error("cannot write " + (dir / "label.csv").string());
}

void writeTestVideo(const fs::path& file, const cv::Mat& portrait, int frames, double fps, cv::Size size,
                    int step, const std::vector<int>& blank_frames) {
  cv::VideoWriter writer(file.string(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps,
                         size);
  if (!writer.isOpened()) throw std::runtime_error("VideoWriter cannot write " + file.string());
  for (int i = 0; i < frames; ++i) {
    const bool blank = std::find(blank_frames.begin(), blank_frames.end(), i) != blank_frames.end();
    writer.write(blank ? cv::Mat(size, CV_8UC3, cv::Scalar(60, 60, 60))
                       : placeOnCanvas(portrait, size, -frames * step / 2 + i * step, 0));
  }
}

}  // namespace lldif::test
