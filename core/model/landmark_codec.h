// landmark_codec.h - lossless compact coding of many faces' landmark sets ([N, P, 2] floats), for the face
// pack.
//
// Landmarks that lie on a grid of 1/s pixel (s a power of two up to 256: what `lldif prepare` writes with
// the FERPlus framing, where they are dlib's integer pixels divided by the upsampling) are coded as integers:
// each point predicted from the face's previous point plus the mean face's step between the two, the
// residual written by an adaptive range coder (core/model/range_coder.h) with one model per point and axis.
// Any other floats are stored as they are. Either way the decoded floats equal the originals bit for bit.
// Thread safety: reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lldif {

// requires: values holds count * points * 2 floats (x, y per point, face after face), count >= 0, points
// >= 1.
std::vector<std::uint8_t> encodeLandmarks(const float* values, std::int64_t count, int points);

struct LandmarkStreamInfo {
  std::int64_t count = 0;
  int points = 0;
  int grid = 0;  // s: coordinates are multiples of 1/s pixel; 0 when stored as raw floats
};
// throws std::runtime_error when data is not a landmark stream.
LandmarkStreamInfo readLandmarkStreamInfo(const std::uint8_t* data, std::size_t size);

// requires: out holds count * points * 2 floats (readLandmarkStreamInfo).
// throws: std::runtime_error when the stream is truncated or corrupt (checksum of the decoded values).
void decodeLandmarks(const std::uint8_t* data, std::size_t size, float* out);

}  // namespace lldif
