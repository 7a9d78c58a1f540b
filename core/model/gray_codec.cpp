#include "core/model/gray_codec.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/model/fnv1a.h"
#include "core/model/range_coder.h"

namespace lldif {

namespace {

constexpr char kMagic[4] = {'L', 'G', 'C', '1'};
constexpr std::int64_t kImagesPerBlock = 1024;
constexpr int kContexts = 5 * 9 * 9;

// Header: magic, width, height, max_error (u32 each), count, blocks (u64), then per block its byte size and
// the FNV-1a hash of its decoded pixels (u64 each), then the blocks' streams one after the other.
constexpr std::size_t kFixedHeader = 4 + 3 * 4 + 2 * 8;

// Blocks of kImagesPerBlock images in a stream of `count`.
std::int64_t blockCount(std::uint64_t count) {
  return static_cast<std::int64_t>((count + kImagesPerBlock - 1) / kImagesPerBlock);
}

// JPEG-LS's bias cancellation: each context learns the mean of its residuals and moves its prediction by it.
struct BiasState {
  std::array<int, kContexts> b{}, n{}, c{};
  void update(int ctx, int q) {
    b[ctx] += q;
    if (++n[ctx] == 64) {
      b[ctx] /= 2;
      n[ctx] /= 2;
    }
    if (b[ctx] <= -n[ctx]) {
      --c[ctx];
      b[ctx] += n[ctx];
      if (b[ctx] <= -n[ctx]) b[ctx] = -n[ctx] + 1;
    } else if (b[ctx] > 0) {
      ++c[ctx];
      b[ctx] -= n[ctx];
      if (b[ctx] > 0) b[ctx] = 0;
    }
    c[ctx] = std::clamp(c[ctx], -32, 32);
  }
};

int gradientLevel(int d, int near) {
  // JPEG-LS's default thresholds for 8-bit samples, widened by the near-lossless step.
  const int t1 = 3 + 3 * near, t2 = 7 + 5 * near, t3 = 21 + 7 * near;
  const int a = std::abs(d);
  const int l = a <= near ? 0 : a < t1 ? 1 : a < t2 ? 2 : a < t3 ? 3 : 4;
  return d < 0 ? -l : l;
}

// Walks one image in raster order, the loop the encoder and the decoder share: predicts each pixel (median
// edge detector + the context's learnt bias), has `code(ctx, i, p, sign)` write or read its quantised
// residual q (in the context's sign), and reconstructs the pixel.
template <typename Code>
void walkImage(std::uint8_t* rec, int w, int h, int max_error, BiasState& bias, Code&& code) {
  const int step = 2 * max_error + 1;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int i = y * w + x;
      const int a = x > 0 ? rec[i - 1] : y > 0 ? rec[i - w] : 128;
      const int b = y > 0 ? rec[i - w] : a;
      const int c = y > 0 && x > 0 ? rec[i - w - 1] : b;
      const int d = y > 0 && x + 1 < w ? rec[i - w + 1] : b;
      const int pm = c >= std::max(a, b) ? std::min(a, b) : c <= std::min(a, b) ? std::max(a, b) : a + b - c;
      int q1 = gradientLevel(d - b, max_error), q2 = gradientLevel(b - c, max_error),
          q3 = gradientLevel(c - a, max_error);
      int sign = 1;
      if (q1 < 0 || (q1 == 0 && (q2 < 0 || (q2 == 0 && q3 < 0)))) {
        sign = -1;
        q1 = -q1;
        q2 = -q2;
        q3 = -q3;
      }
      const int ctx = (q1 * 9 + (q2 + 4)) * 9 + (q3 + 4);
      const int p = std::clamp(pm + sign * bias.c[ctx], 0, 255);
      const int q = code(ctx, i, p, sign);  // the residual x - p, quantised, times sign
      rec[i] = static_cast<std::uint8_t>(std::clamp(p + sign * q * step, 0, 255));
      bias.update(ctx, q);
    }
  }
}

std::vector<std::uint8_t> encodeBlock(const std::uint8_t* pixels, std::int64_t n, int w, int h, int max_error,
                                      std::uint64_t& hash) {
  rc::RangeEncoder enc;
  std::vector<rc::AdaptiveGamma> model(kContexts);  // one per context
  BiasState bias;
  const std::size_t area = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
  std::vector<std::uint8_t> rec(area * static_cast<std::size_t>(n));
  const int step = 2 * max_error + 1;
  for (std::int64_t k = 0; k < n; ++k) {
    const std::uint8_t* src = pixels + static_cast<std::size_t>(k) * area;
    std::uint8_t* r = rec.data() + static_cast<std::size_t>(k) * area;
    walkImage(r, w, h, max_error, bias, [&](int ctx, int i, int p, int sign) {
      const int e = sign * (src[i] - p);
      const int q = e >= 0 ? (e + max_error) / step : -((max_error - e) / step);
      model[static_cast<std::size_t>(ctx)].encode(enc, rc::zigzag(q));
      return q;
    });
  }
  hash = fnv1a(rec.data(), rec.size());
  return enc.finish();
}

bool decodeBlock(const std::uint8_t* data, std::size_t size, std::int64_t n, int w, int h, int max_error,
                 std::uint8_t* out, std::uint64_t hash) {
  rc::RangeDecoder dec(data, size);
  std::vector<rc::AdaptiveGamma> model(kContexts);
  BiasState bias;
  const std::size_t area = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
  for (std::int64_t k = 0; k < n; ++k) {
    walkImage(out + static_cast<std::size_t>(k) * area, w, h, max_error, bias, [&](int ctx, int, int, int) {
      const std::uint32_t u = model[static_cast<std::size_t>(ctx)].decode(dec);
      return std::clamp(rc::unzigzag(u), -256, 256);
    });
  }
  return fnv1a(out, area * static_cast<std::size_t>(n)) == hash;
}

// Runs job(b) for b in [0, blocks) on all cores; rethrows the first failure.
template <typename Job>
void forEachBlock(std::int64_t blocks, Job&& job) {
  std::atomic<std::int64_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (std::int64_t b = next++; b < blocks; b = next++) {
      try {
        job(b);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  const auto threads = static_cast<std::int64_t>(
      std::min<std::int64_t>(blocks, std::max(1u, std::thread::hardware_concurrency())));
  std::vector<std::thread> pool;
  for (std::int64_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace

std::vector<std::uint8_t> encodeGrayImages(const std::uint8_t* pixels, std::int64_t count, int width,
                                           int height, int max_error) {
  if (width < 1 || height < 1 || width > 4096 || height > 4096 || count < 0 || max_error < 0 ||
      max_error > 16)
    throw std::invalid_argument("encodeGrayImages: bad size, count or max_error");
  const std::int64_t blocks = blockCount(static_cast<std::uint64_t>(count));
  const std::size_t area = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  std::vector<std::vector<std::uint8_t>> streams(static_cast<std::size_t>(blocks));
  std::vector<std::uint64_t> hashes(static_cast<std::size_t>(blocks));
  forEachBlock(blocks, [&](std::int64_t b) {
    const std::int64_t first = b * kImagesPerBlock, n = std::min(kImagesPerBlock, count - first);
    streams[static_cast<std::size_t>(b)] =
        encodeBlock(pixels + static_cast<std::size_t>(first) * area, n, width, height, max_error,
                    hashes[static_cast<std::size_t>(b)]);
  });
  std::vector<std::uint8_t> out(kMagic, kMagic + 4);
  rc::putLittleEndian(out, static_cast<std::uint32_t>(width), 4);
  rc::putLittleEndian(out, static_cast<std::uint32_t>(height), 4);
  rc::putLittleEndian(out, static_cast<std::uint32_t>(max_error), 4);
  rc::putLittleEndian(out, static_cast<std::uint64_t>(count), 8);
  rc::putLittleEndian(out, static_cast<std::uint64_t>(blocks), 8);
  for (std::size_t b = 0; b < streams.size(); ++b) {
    rc::putLittleEndian(out, streams[b].size(), 8);
    rc::putLittleEndian(out, hashes[b], 8);
  }
  for (const auto& s : streams) out.insert(out.end(), s.begin(), s.end());
  return out;
}

GrayStreamInfo readGrayStreamInfo(const std::uint8_t* data, std::size_t size) {
  if (size < kFixedHeader || std::memcmp(data, kMagic, 4) != 0)
    throw std::runtime_error("not a gray image stream (bad header)");
  GrayStreamInfo info;
  info.width = static_cast<int>(rc::getLittleEndian(data + 4, 4));
  info.height = static_cast<int>(rc::getLittleEndian(data + 8, 4));
  info.max_error = static_cast<int>(rc::getLittleEndian(data + 12, 4));
  const std::uint64_t count = rc::getLittleEndian(data + 16, 8), blocks = rc::getLittleEndian(data + 24, 8);
  if (info.width < 1 || info.height < 1 || info.width > 4096 || info.height > 4096 || info.max_error > 16 ||
      count > (1ull << 40) || static_cast<std::int64_t>(blocks) != blockCount(count) ||
      size < kFixedHeader + 16 * blocks)
    throw std::runtime_error("gray image stream: header out of range or truncated");
  info.count = static_cast<std::int64_t>(count);
  return info;
}

void decodeGrayImages(const std::uint8_t* data, std::size_t size, std::uint8_t* out) {
  const GrayStreamInfo info = readGrayStreamInfo(data, size);
  const std::int64_t blocks = blockCount(static_cast<std::uint64_t>(info.count));
  const std::size_t area = static_cast<std::size_t>(info.width) * static_cast<std::size_t>(info.height);
  std::vector<std::size_t> offset(static_cast<std::size_t>(blocks) + 1);
  std::vector<std::uint64_t> hashes(static_cast<std::size_t>(blocks));
  offset[0] = kFixedHeader + 16 * static_cast<std::size_t>(blocks);
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::uint64_t bytes =
        rc::getLittleEndian(data + kFixedHeader + 16 * static_cast<std::size_t>(b), 8);
    hashes[static_cast<std::size_t>(b)] =
        rc::getLittleEndian(data + kFixedHeader + 16 * static_cast<std::size_t>(b) + 8, 8);
    if (bytes > size) throw std::runtime_error("gray image stream truncated");
    offset[static_cast<std::size_t>(b) + 1] =
        offset[static_cast<std::size_t>(b)] + static_cast<std::size_t>(bytes);
    if (offset[static_cast<std::size_t>(b) + 1] > size)
      throw std::runtime_error("gray image stream truncated");
  }
  forEachBlock(blocks, [&](std::int64_t b) {
    const std::int64_t first = b * kImagesPerBlock, n = std::min(kImagesPerBlock, info.count - first);
    const auto ub = static_cast<std::size_t>(b);
    if (!decodeBlock(data + offset[ub], offset[ub + 1] - offset[ub], n, info.width, info.height,
                     info.max_error, out + static_cast<std::size_t>(first) * area, hashes[ub]))
      throw std::runtime_error("gray image stream corrupt: block " + std::to_string(b) +
                               " does not match its checksum");
  });
}

}  // namespace lldif
