#include "core/image_io.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
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

namespace {

std::uint32_t bigEndian(const unsigned char* p, int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

// JPEG: the frame header (SOF0..SOF15 but DHT, JPG and DAC) after walking the marker segments.
cv::Size jpegSize(std::istream& in) {
  unsigned char b[8];
  for (int guard = 0; guard < 10000 && in.read(reinterpret_cast<char*>(b), 2); ++guard) {
    if (b[0] != 0xFF) return {};
    const int marker = b[1];
    if (marker == 0xFF) {  // fill byte
      in.seekg(-1, std::ios::cur);
      continue;
    }
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;  // no length
    if (!in.read(reinterpret_cast<char*>(b), 2)) return {};
    const auto length = static_cast<int>(bigEndian(b, 2));
    if (length < 2) return {};
    const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (!in.read(reinterpret_cast<char*>(b), 5)) return {};
      return {static_cast<int>(bigEndian(b + 3, 2)), static_cast<int>(bigEndian(b + 1, 2))};
    }
    in.seekg(length - 2, std::ios::cur);
  }
  return {};
}

// Whether a JPEG file ends with its end-of-image marker (trailing zero bytes allowed).
bool jpegComplete(std::istream& in) {
  in.clear();
  in.seekg(0, std::ios::end);
  const auto size = static_cast<long long>(in.tellg());
  const long long tail = std::min<long long>(size, 4096);
  std::string buf(static_cast<std::size_t>(tail), '\0');
  in.seekg(size - tail);
  in.read(buf.data(), tail);
  std::size_t end = buf.size();
  while (end > 0 && buf[end - 1] == '\0') --end;
  return end >= 2 && static_cast<unsigned char>(buf[end - 2]) == 0xFF &&
         static_cast<unsigned char>(buf[end - 1]) == 0xD9;
}

struct ImageHeader {
  cv::Size size;  // as declared; 0 x 0 when unknown
  bool jpeg = false;
};

// The kind and declared size of the image `in` holds, read from its start (nothing decoded).
ImageHeader readHeader(std::istream& in) {
  ImageHeader out;
  unsigned char h[26] = {};
  if (!in.read(reinterpret_cast<char*>(h), 2)) return out;
  if (h[0] == 0xFF && h[1] == 0xD8) {
    out.jpeg = true;
    out.size = jpegSize(in);
    return out;
  }
  if (!in.read(reinterpret_cast<char*>(h + 2), 24)) return out;
  if (h[0] == 0x89 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G') {  // IHDR: width, height at 16, 20
    out.size = {static_cast<int>(std::min<std::uint32_t>(bigEndian(h + 16, 4), 1u << 30)),
                static_cast<int>(std::min<std::uint32_t>(bigEndian(h + 20, 4), 1u << 30))};
  } else if (h[0] == 'B' && h[1] == 'M') {  // BITMAPINFOHEADER: width, height (negative: top-down) at 18, 22
    std::int32_t w = 0, hh = 0;
    std::memcpy(&w, h + 18, 4);
    std::memcpy(&hh, h + 22, 4);
    out.size = {std::min(std::abs(w), 1 << 30), std::min(std::abs(hh == INT32_MIN ? 0 : hh), 1 << 30)};
  }
  return out;
}

}  // namespace

cv::Size declaredImageSize(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return readHeader(in).size;
}

cv::Mat loadImageBgr(const fs::path& path, std::string* warning) {
  if (warning) warning->clear();
  std::error_code ec;
  if (!fs::exists(path, ec)) throw std::runtime_error("No such file: " + path.string());
  if (fs::is_directory(path, ec)) throw std::runtime_error(path.string() + " is a folder, not an image");
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw std::runtime_error("Cannot read " + path.string() + " (permission denied?)");
  if (fs::file_size(path, ec) == 0) throw std::runtime_error(path.string() + " is empty, not an image");

  const ImageHeader header = readHeader(probe);
  const cv::Size declared = header.size;
  const long long pixels = static_cast<long long>(declared.width) * declared.height;
  if (pixels > kMaxImagePixels) {
    throw std::runtime_error(path.string() + " declares " + std::to_string(declared.width) + " x " +
                             std::to_string(declared.height) + " pixels (" +
                             std::to_string(pixels / 1'000'000) + " megapixels): more than the " +
                             std::to_string(kMaxImagePixels / 1'000'000) + " this tool decodes");
  }
  // A large JPEG is decoded at 1/2, 1/4 or 1/8 scale (libjpeg scales while decoding), still at least
  // kMaxImageSide on its longer side.
  int flags = cv::IMREAD_COLOR;
  if (header.jpeg) {
    const int side = std::max(declared.width, declared.height);
    if (side >= 8 * kMaxImageSide)
      flags = cv::IMREAD_REDUCED_COLOR_8;
    else if (side >= 4 * kMaxImageSide)
      flags = cv::IMREAD_REDUCED_COLOR_4;
    else if (side >= 2 * kMaxImageSide)
      flags = cv::IMREAD_REDUCED_COLOR_2;
  }
  cv::Mat img;
  try {
    img = cv::imread(path.string(), flags);
  } catch (const cv::Exception& e) {
    throw std::runtime_error("Cannot decode " + path.string() + " as an image: " + e.what());
  }
  if (img.empty()) {
    throw std::runtime_error(path.string() +
                             " is not an image OpenCV can decode (corrupt, truncated, "
                             "too large, or another kind of file)");
  }
  if (header.jpeg && warning && !jpegComplete(probe))
    *warning = path.string() + " is cut short (a JPEG without its end): the missing part reads gray";
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
