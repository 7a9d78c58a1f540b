#include "core/lowlight.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

namespace lldif {

namespace {

// --- random numbers: SplitMix64 seeding + xoshiro256** (fast, good quality, reproducible) ----------
std::uint64_t splitmix64(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& w : s_) w = splitmix64(seed);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  // Standard normal (Marsaglia's polar method, caching the second value).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }
  // Poisson: multiplication method below 10, PTRS (Hoermann 1993, as numpy uses) above.
  std::int64_t poisson(double lam) {
    if (lam <= 0.0) return 0;
    if (lam < 10.0) {
      const double limit = std::exp(-lam);
      std::int64_t k = 0;
      double p = uniform();
      while (p > limit) {
        ++k;
        p *= uniform();
      }
      return k;
    }
    const double slam = std::sqrt(lam);
    const double loglam = std::log(lam);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const double vr = 0.9277 - 3.6224 / (b - 2.0);
    while (true) {
      const double u = uniform() - 0.5;
      const double v = uniform();
      const double us = 0.5 - std::fabs(u);
      const auto k = static_cast<std::int64_t>(std::floor((2.0 * a / us + b) * u + lam + 0.43));
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
          -lam + static_cast<double>(k) * loglam - std::lgamma(static_cast<double>(k) + 1.0)) {
        return k;
      }
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_{};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

double srgbToLinear(double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); }

const std::array<float, 256>& decodeTable() {
  static const std::array<float, 256> table = [] {
    std::array<float, 256> t{};
    for (int i = 0; i < 256; ++i) t[i] = static_cast<float>(srgbToLinear(i / 255.0));
    return t;
  }();
  return table;
}

// Encoding table over linear [0, 1]: exact rounding thresholds, so encode() == round(255 * linearToSrgb(x)).
const std::array<double, 256>& encodeThresholds() {
  static const std::array<double, 256> th = [] {
    std::array<double, 256> t{};
    // Value v is chosen when x >= threshold[v], the linear value where sRGB crosses v - 0.5.
    t[0] = -1.0;
    for (int v = 1; v < 256; ++v) t[v] = srgbToLinear((v - 0.5) / 255.0);
    return t;
  }();
  return th;
}

std::uint8_t encode(double x) {
  const auto& th = encodeThresholds();
  return static_cast<std::uint8_t>(std::upper_bound(th.begin(), th.end(), x) - th.begin() - 1);
}

void validate(const LowLightParams& p) {
  if (!(p.ev >= 0.0 && p.ev <= 20.0)) throw std::invalid_argument("EV must be between 0 and 20");
  if (!(p.full_well > 0.0)) throw std::invalid_argument("full well must be positive");
  if (!(p.read_noise >= 0.0)) throw std::invalid_argument("read noise must be >= 0");
  if (!(p.cast_g > 0.0 && p.cast_g <= 1.0 && p.cast_b > 0.0 && p.cast_b <= 1.0)) {
    throw std::invalid_argument("cast gains must be in (0, 1]");
  }
}


// Channels of an image darken() accepts (8-bit, 1, 3 or 4 channels); throws otherwise.
int darkenableChannels(const cv::Mat& image) {
  if (image.empty()) throw std::invalid_argument("darken: empty image");
  if (image.depth() != CV_8U) throw std::invalid_argument("darken: 8-bit images only");
  const int ch = image.channels();
  if (ch != 1 && ch != 3 && ch != 4) throw std::invalid_argument("darken: 1, 3 or 4 channels only");
  return ch;
}

// Runs row(y, src, dst, rng) over the rows in parallel, one generator per row seeded by (seed, row): the
// output is independent of the thread split.
template <typename RowFn>
cv::Mat mapRows(const cv::Mat& image, std::uint64_t seed, RowFn row) {
  cv::Mat out(image.size(), image.type());
  cv::parallel_for_(cv::Range(0, image.rows), [&](const cv::Range& rows) {
    for (int y = rows.start; y < rows.end; ++y) {
      Rng rng(seed * 0x100000001B3ull + static_cast<std::uint64_t>(y) + 1);
      row(image.ptr<std::uint8_t>(y), out.ptr<std::uint8_t>(y), rng);
    }
  });
  return out;
}

// One exact draw of the sensor model for linear value lin (after gain and exposure).
std::uint8_t sampleLevel(double lin, const LowLightParams& params, Rng& rng) {
  constexpr double kGaussianShot = 64.0;
  if (params.noise) {
    const double q = params.full_well;
    const double lam = lin * q;
    const double read2 = params.read_noise * params.read_noise;
    const double e = lam >= kGaussianShot
                         ? lam + std::sqrt(lam + read2) * rng.normal()
                         : static_cast<double>(rng.poisson(lam)) + rng.normal() * params.read_noise;
    lin = std::clamp(e / q, 0.0, 1.0);
  }
  return encode(lin);
}

}  // namespace

LowLightParams LowLightPreset::sample(std::uint64_t seed) const {
  Rng rng(seed ^ 0x6C6C6C6C6C6C6C6Cull);
  LowLightParams p;
  p.ev = rng.uniform(ev_min, ev_max);
  p.read_noise = rng.uniform(read_min, read_max);
  p.cast_g = rng.uniform(g_min, g_max);
  p.cast_b = rng.uniform(b_min, b_max);
  p.full_well = full_well;
  return p;
}

LowLightParams LowLightPreset::typical() const {
  LowLightParams p;
  p.ev = 0.5 * (ev_min + ev_max);
  p.read_noise = 0.5 * (read_min + read_max);
  p.cast_g = 0.5 * (g_min + g_max);
  p.cast_b = 0.5 * (b_min + b_max);
  p.full_well = full_well;
  return p;
}

const LowLightPreset& lowLightPreset(const std::string& name) {
  static const LowLightPreset kLL{"ll", 3.0, 4.5, 1.5, 3.0};
  static const LowLightPreset kXLL{"xll", 5.0, 6.5, 2.0, 4.0};
  if (name == "ll") return kLL;
  if (name == "xll") return kXLL;
  throw std::invalid_argument("Unknown low-light level '" + name + "' (expected ll or xll)");
}

std::vector<std::string> lowLightPresetNames() { return {"ll", "xll"}; }

cv::Mat darken(const cv::Mat& image, const LowLightParams& params, std::uint64_t seed) {
  validate(params);
  const int ch = darkenableChannels(image);

  const auto& decode = decodeTable();
  const double exposure = std::pow(2.0, -params.ev);
  // Gains in OpenCV's BGR order.
  const std::array<double, 4> gain = ch == 1 ? std::array<double, 4>{1.0, 1.0, 1.0, 1.0}
                                             : std::array<double, 4>{params.cast_b, params.cast_g, 1.0, 1.0};
  const int colour_channels = ch == 4 ? 3 : ch;

  return mapRows(image, seed, [&](const std::uint8_t* src, std::uint8_t* dst, Rng& rng) {
    for (int x = 0; x < image.cols; ++x) {
      for (int c = 0; c < ch; ++c) {
        const int i = x * ch + c;
        dst[i] = c >= colour_channels ? src[i] : sampleLevel(decode[src[i]] * gain[c] * exposure, params, rng);
      }
    }
  });
}


DarkenSampler::DarkenSampler(const LowLightParams& params, std::uint64_t table_seed) : params_(params) {
  validate(params);
  const auto& decode = decodeTable();
  const double exposure = std::pow(2.0, -params.ev);
  const std::array<double, 4> gain = {1.0, params.cast_b, params.cast_g, 1.0};  // gray, B, G, R
  table_.resize(4 * 256 * kPool);
  Rng rng(table_seed);
  for (int c = 0; c < 4; ++c) {
    for (int v = 0; v < 256; ++v) {
      std::uint8_t* pool = &table_[static_cast<std::size_t>((c * 256 + v) * kPool)];
      for (int k = 0; k < kPool; ++k) pool[k] = sampleLevel(decode[v] * gain[c] * exposure, params, rng);
    }
  }
}

cv::Mat DarkenSampler::apply(const cv::Mat& image, std::uint64_t seed) const {
  const int ch = darkenableChannels(image);
  const int colour_channels = ch == 4 ? 3 : ch;
  return mapRows(image, seed, [&](const std::uint8_t* src, std::uint8_t* dst, Rng& rng) {
    std::uint64_t bits = 0;
    int left = 0;
    for (int x = 0; x < image.cols; ++x) {
      for (int c = 0; c < ch; ++c) {
        const int i = x * ch + c;
        if (c >= colour_channels) {
          dst[i] = src[i];
          continue;
        }
        if (left == 0) {
          bits = rng.next();
          left = 8;
        }
        const int pick = static_cast<int>(bits & 0xFF);  // kPool == 256: one byte per value
        bits >>= 8;
        --left;
        const int table = ch == 1 ? 0 : 1 + c;
        dst[i] = table_[static_cast<std::size_t>(((table * 256) + src[i]) * kPool + pick)];
      }
    }
  });
}

double meanLuminance(const cv::Mat& image) {
  if (image.empty()) return 0.0;
  if (image.channels() == 1) return cv::mean(image)[0];
  const cv::Scalar m = cv::mean(image);
  return 0.114 * m[0] + 0.587 * m[1] + 0.299 * m[2];
}

cv::Mat enhance(const cv::Mat& image, const EnhanceParams& params) {
  if (image.empty()) throw std::invalid_argument("enhance: empty image");
  if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
    throw std::invalid_argument("enhance: 8-bit gray or BGR images only");
  }
  const bool colour = image.channels() == 3;
  cv::Mat lab, luma;
  if (colour) {
    cv::cvtColor(image, lab, cv::COLOR_BGR2Lab);
    cv::extractChannel(lab, luma, 0);
  } else {
    luma = image.clone();
  }

  if (params.mode != EnhanceParams::Mode::kClahe) {
    // Auto gamma: mean (0..1) -> target_mean. Never darkens (gamma <= 1).
    const double mean = std::max(1.0, cv::mean(luma)[0]) / 255.0;
    double gamma = std::log(params.target_mean) / std::log(mean);
    gamma = std::clamp(gamma, 0.15, 1.0);
    cv::Mat lut(1, 256, CV_8U);
    for (int i = 0; i < 256; ++i) {
      lut.at<std::uint8_t>(i) = cv::saturate_cast<std::uint8_t>(255.0 * std::pow(i / 255.0, gamma));
    }
    cv::LUT(luma, lut, luma);
  }
  if (params.mode != EnhanceParams::Mode::kGamma) {
    auto clahe = cv::createCLAHE(params.clahe_clip, cv::Size(params.clahe_tiles, params.clahe_tiles));
    clahe->apply(luma, luma);
  }

  if (!colour) return luma;
  cv::insertChannel(luma, lab, 0);
  cv::Mat out;
  cv::cvtColor(lab, out, cv::COLOR_Lab2BGR);
  return out;
}

}  // namespace lldif
