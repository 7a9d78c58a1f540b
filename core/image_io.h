// image_io.h - safe image loading shared by every component that reads image files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lldif {

// Largest side a loaded image keeps; larger images are downscaled (INTER_AREA) on load so that a
// 100-megapixel photo cannot exhaust memory or stall the pipeline.
inline constexpr int kMaxImageSide = 4096;

// True when the file name has an extension OpenCV decodes as a still image.
bool hasImageExtension(const std::filesystem::path& path);

// The files of dir (not its subfolders) with an image extension, in name order.
// throws: std::runtime_error naming the folder when it is missing or cannot be listed.
std::vector<std::filesystem::path> listImageFiles(const std::filesystem::path& dir);

// Most pixels an image file may declare: a few hundred bytes of PNG can declare 30000 x 30000 pixels (2.7 GB
// once decoded), so larger images are refused before decoding (a 250-megapixel photo is still read).
inline constexpr long long kMaxImagePixels = 250'000'000;

// Loads an image as 8-bit BGR (gray and alpha images are converted), downscaled to kMaxImageSide (large
// JPEGs are decoded at 1/2, 1/4 or 1/8 scale directly, which is faster and lighter).
// warning (optional): set to a message naming the file when it loaded but is damaged (a JPEG cut short:
//   the missing part reads gray), else cleared.
// throws: std::runtime_error with a message naming the file when it is missing, unreadable,
//   not an image, corrupt, or declares more than kMaxImagePixels.
cv::Mat loadImageBgr(const std::filesystem::path& path, std::string* warning = nullptr);

// The width and height a PNG, JPEG or BMP file declares in its header (nothing decoded); 0 x 0 for other
// kinds or an unreadable header. Thread safe.
cv::Size declaredImageSize(const std::filesystem::path& path);

// 8-bit gray view of a gray, BGR or BGRA image, continuous in memory (what dlib's cv_image needs).
// Gray input is shared, not copied, when it is already continuous.
cv::Mat toGray(const cv::Mat& image);

// Writes an image; the extension picks the format.
// throws: std::runtime_error naming the file on failure.
void saveImage(const std::filesystem::path& path, const cv::Mat& image);

}  // namespace lldif
