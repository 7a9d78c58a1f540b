// gray_codec.h - a compact coder for many small 8-bit gray images (the face pack's 48x48 faces), lossless or
// near-lossless, with no dependency beyond the C++ library (it runs where training runs: LibTorch alone).
//
// Each pixel is predicted from its left, upper and upper-left neighbours (the median edge detector of
// LOCO-I / JPEG-LS); the residual, divided into steps of 2 * max_error + 1 gray levels, is written by an
// adaptive binary range coder whose models are chosen by the local gradient and the size of the left
// neighbour's residual. With max_error = 0 it is lossless; with max_error = k every decoded pixel is
// within k gray levels of the original (JPEG-LS's "near-lossless" mode).
//
// The stream is self-describing (size, count, max_error) and cut into blocks of images coded
// independently, which encode and decode on all cores; each block carries a checksum of its decoded pixels.
// Thread safety: the functions are reentrant (they start their own threads and share nothing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lldif {

struct GrayStreamInfo {
  int width = 0, height = 0;
  std::int64_t count = 0;  // images
  int max_error = 0;       // 0: lossless
};

// requires: pixels holds count * width * height bytes (image after image, rows top to bottom);
//   1 <= width, height <= 4096; 0 <= max_error <= 16.
// ensures: decodeGrayImages(result) gives every pixel within max_error of the original.
std::vector<std::uint8_t> encodeGrayImages(const std::uint8_t* pixels, std::int64_t count, int width,
                                           int height, int max_error);

// The header of a stream; throws std::runtime_error when it is not one.
GrayStreamInfo readGrayStreamInfo(const std::uint8_t* data, std::size_t size);

// requires: out holds count * width * height bytes (readGrayStreamInfo).
// throws: std::runtime_error when the stream is truncated or corrupt (a block's checksum differs).
void decodeGrayImages(const std::uint8_t* data, std::size_t size, std::uint8_t* out);

}  // namespace lldif
