#include "core/model/landmark_codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "core/model/fnv1a.h"
#include "core/model/range_coder.h"

namespace lldif {

namespace {

constexpr char kMagic[4] = {'L', 'L', 'C', '1'};
// Header: magic, points, grid (u32 each), count, FNV-1a hash of the decoded floats' bytes (u64 each).
constexpr std::size_t kHeader = 4 + 2 * 4 + 2 * 8;
constexpr double kMaxGridValue = 1 << 20;  // |value * grid| at most this, so residuals fit the coder

// The smallest power of two s <= 256 with every value * s an integer of magnitude <= kMaxGridValue; 0 if
// none.
int findGrid(const float* v, std::size_t n) {
  for (int s = 1; s <= 256; s *= 2) {
    bool ok = true;
    for (std::size_t i = 0; i < n && ok; ++i) {
      const double x = static_cast<double>(v[i]) * s;
      // (-0.0 would come back as 0.0: not bit for bit, so such values go the raw way.)
      ok = std::isfinite(x) && std::abs(x) <= kMaxGridValue && std::nearbyint(x) == x &&
           !(x == 0 && std::signbit(x));
    }
    if (ok) return s;
  }
  return 0;
}

// The prediction both sides share: the face's previous point plus the mean face's step between the two.
std::int32_t predict(const std::int32_t* face, const std::vector<std::int32_t>& mean, int j) {
  return j < 2 ? mean[static_cast<std::size_t>(j)]
               : face[j - 2] + mean[static_cast<std::size_t>(j)] - mean[static_cast<std::size_t>(j) - 2];
}

}  // namespace

std::vector<std::uint8_t> encodeLandmarks(const float* values, std::int64_t count, int points) {
  if (count < 0 || points < 1) throw std::invalid_argument("encodeLandmarks: bad count or points");
  const int per_face = 2 * points;
  const std::size_t n = static_cast<std::size_t>(count) * static_cast<std::size_t>(per_face);
  const int grid = findGrid(values, n);
  std::vector<std::uint8_t> out(kMagic, kMagic + 4);
  rc::putLittleEndian(out, static_cast<std::uint32_t>(points), 4);
  rc::putLittleEndian(out, static_cast<std::uint32_t>(grid), 4);
  rc::putLittleEndian(out, static_cast<std::uint64_t>(count), 8);
  rc::putLittleEndian(out, fnv1a(values, n * sizeof(float)), 8);
  if (grid == 0) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(values);
    out.insert(out.end(), bytes, bytes + n * sizeof(float));
    return out;
  }
  std::vector<std::int32_t> ints(n);
  for (std::size_t i = 0; i < n; ++i)
    ints[i] = static_cast<std::int32_t>(std::lrint(static_cast<double>(values[i]) * grid));
  std::vector<std::int32_t> mean(static_cast<std::size_t>(per_face), 0);
  if (count > 0) {
    std::vector<double> sum(static_cast<std::size_t>(per_face), 0.0);
    for (std::size_t i = 0; i < n; ++i) sum[i % static_cast<std::size_t>(per_face)] += ints[i];
    for (std::size_t j = 0; j < mean.size(); ++j)
      mean[j] = static_cast<std::int32_t>(std::lrint(sum[j] / static_cast<double>(count)));
  }
  for (std::int32_t m : mean) rc::putLittleEndian(out, static_cast<std::uint32_t>(m), 4);
  rc::RangeEncoder enc;
  std::vector<rc::AdaptiveGamma> models(static_cast<std::size_t>(per_face));  // one per point and axis
  for (std::int64_t f = 0; f < count; ++f) {
    const std::int32_t* face = ints.data() + static_cast<std::size_t>(f) * static_cast<std::size_t>(per_face);
    for (int j = 0; j < per_face; ++j)
      models[static_cast<std::size_t>(j)].encode(enc, rc::zigzag(face[j] - predict(face, mean, j)));
  }
  const std::vector<std::uint8_t> stream = enc.finish();
  out.insert(out.end(), stream.begin(), stream.end());
  return out;
}

LandmarkStreamInfo readLandmarkStreamInfo(const std::uint8_t* data, std::size_t size) {
  if (size < kHeader || std::memcmp(data, kMagic, 4) != 0)
    throw std::runtime_error("not a landmark stream (bad header)");
  LandmarkStreamInfo info;
  const std::uint64_t points = rc::getLittleEndian(data + 4, 4), grid = rc::getLittleEndian(data + 8, 4),
                      count = rc::getLittleEndian(data + 12, 8);
  if (points < 1 || points > 4096 || grid > 256 || (grid & (grid - 1)) != 0 || count > (1ull << 36))
    throw std::runtime_error("landmark stream: header out of range");
  const std::size_t n = static_cast<std::size_t>(count * points * 2);
  if (grid == 0 ? size < kHeader + n * sizeof(float) : size < kHeader + 2 * points * 4)
    throw std::runtime_error("landmark stream truncated");
  info.points = static_cast<int>(points);
  info.grid = static_cast<int>(grid);
  info.count = static_cast<std::int64_t>(count);
  return info;
}

void decodeLandmarks(const std::uint8_t* data, std::size_t size, float* out) {
  const LandmarkStreamInfo info = readLandmarkStreamInfo(data, size);
  const int per_face = 2 * info.points;
  const std::size_t n = static_cast<std::size_t>(info.count) * static_cast<std::size_t>(per_face);
  if (info.grid == 0) {
    std::memcpy(out, data + kHeader, n * sizeof(float));
  } else {
    std::vector<std::int32_t> mean(static_cast<std::size_t>(per_face));
    for (std::size_t j = 0; j < mean.size(); ++j)
      mean[j] = std::clamp(static_cast<std::int32_t>(rc::getLittleEndian(data + kHeader + 4 * j, 4)),
                           -(1 << 22), 1 << 22);
    const std::size_t start = kHeader + 4 * mean.size();
    rc::RangeDecoder dec(data + start, size - start);
    std::vector<rc::AdaptiveGamma> models(static_cast<std::size_t>(per_face));
    std::vector<std::int32_t> face(static_cast<std::size_t>(per_face));
    for (std::int64_t f = 0; f < info.count; ++f) {
      for (int j = 0; j < per_face; ++j) {
        const std::int64_t v = static_cast<std::int64_t>(predict(face.data(), mean, j)) +
                               rc::unzigzag(models[static_cast<std::size_t>(j)].decode(dec));
        face[static_cast<std::size_t>(j)] =
            static_cast<std::int32_t>(std::clamp<std::int64_t>(v, -(1 << 22), 1 << 22));
        out[static_cast<std::size_t>(f) * static_cast<std::size_t>(per_face) + static_cast<std::size_t>(j)] =
            static_cast<float>(static_cast<double>(face[static_cast<std::size_t>(j)]) / info.grid);
      }
    }
  }
  if (fnv1a(out, n * sizeof(float)) != rc::getLittleEndian(data + 20, 8))
    throw std::runtime_error("landmark stream corrupt: the decoded values do not match their checksum");
}

}  // namespace lldif
