#include "core/image_io.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace lldif {

namespace fs = std::filesystem;

bool hasImageExtension(const fs::path& path) {
  static const std::array<const char*, 11> kExt = {".png",  ".jpg", ".jpeg", ".bmp", ".tif", ".tiff",
                                                   ".webp", ".pgm", ".ppm",  ".pbm", ".jp2"};
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kExt.begin(), kExt.end(), ext) != kExt.end();
}

std::vector<fs::path> listImageFiles(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::runtime_error("No such folder: " + dir.string());
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec) && hasImageExtension(entry.path())) files.push_back(entry.path());
  }
  if (ec) throw std::runtime_error("Cannot list folder " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

cv::Mat loadImageBgr(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw std::runtime_error("No such file: " + path.string());
  if (fs::is_directory(path, ec)) throw std::runtime_error(path.string() + " is a folder, not an image");
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw std::runtime_error("Cannot read " + path.string() + " (permission denied?)");
  if (fs::file_size(path, ec) == 0) throw std::runtime_error(path.string() + " is empty, not an image");

  cv::Mat img;
  try {
    img = cv::imread(path.string(), cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    throw std::runtime_error("Cannot decode " + path.string() + " as an image: " + e.what());
  }
  if (img.empty()) {
    throw std::runtime_error(path.string() +
                             " is not an image OpenCV can decode (corrupt, truncated, "
                             "too large, or another kind of file)");
  }
  const int side = std::max(img.cols, img.rows);
  if (side > kMaxImageSide) {
    const double s = static_cast<double>(kMaxImageSide) / side;
    cv::Mat small;
    cv::resize(img, small, cv::Size(), s, s, cv::INTER_AREA);
    img = small;
  }
  return img;
}

cv::Mat toGray(const cv::Mat& image) {
  cv::Mat gray;
  if (image.channels() == 3) {
    cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  } else if (image.channels() == 4) {
    cv::cvtColor(image, gray, cv::COLOR_BGRA2GRAY);
  } else {
    gray = image.isContinuous() ? image : image.clone();
  }
  return gray;
}

void saveImage(const fs::path& path, const cv::Mat& image) {
  bool ok = false;
  try {
    ok = cv::imwrite(path.string(), image);
  } catch (const cv::Exception& e) {
    throw std::runtime_error("Cannot write " + path.string() + ": " + e.what());
  }
  if (!ok)
    throw std::runtime_error("Cannot write " + path.string() + " (unknown extension or unwritable folder)");
}

}  // namespace lldif
