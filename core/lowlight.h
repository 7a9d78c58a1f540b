// lowlight.h - the physical low-light sensor model (darkening) and the display enhancer.
//
// Follows ../shared/tools/lowlight_ref.py, the specification of the LL-FERPlus benchmark:
//   1. 8-bit sRGB -> linear light
//   2. colour cast (colour images only): per-channel gains (r, g, b) = (1, cast_g, cast_b)
//   3. exposure drop: x *= 2^-EV
//   4. sensor noise in electrons: e = Poisson(x * full_well) + Normal(0, read_noise); x = clip(e / full_well,
//   0, 1)
//   5. linear -> sRGB, rounded to 8 bits
// Not bit-identical to the reference (different random generator), statistically the same.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lldif {

// One concrete darkening.
struct LowLightParams {
  double ev = 3.75;           // exposure drop in stops (>= 0)
  double full_well = 4000.0;  // electrons at full scale (> 0); smaller = noisier
  double read_noise = 2.25;   // Gaussian read noise, electrons (>= 0)
  double cast_g = 0.85;       // green gain relative to red (colour images)
  double cast_b = 0.60;       // blue gain relative to red (colour images)
  bool noise = true;          // false: exposure and cast only (a noise-free reference)

  bool operator==(const LowLightParams& o) const {
    return ev == o.ev && full_well == o.full_well && read_noise == o.read_noise && cast_g == o.cast_g &&
           cast_b == o.cast_b && noise == o.noise;
  }
  bool operator!=(const LowLightParams& o) const { return !(*this == o); }
};

// A named level: ranges that a seed draws concrete parameters from, as the reference does per image.
struct LowLightPreset {
  std::string name;
  double ev_min, ev_max;
  double read_min, read_max;
  double full_well = 4000.0;
  double g_min = 0.75, g_max = 0.95;
  double b_min = 0.45, b_max = 0.75;

  // Draws EV, read noise and cast uniformly from the ranges; the same seed gives the same parameters.
  LowLightParams sample(std::uint64_t seed) const;
  // The middle of every range.
  LowLightParams typical() const;
};

// "ll": EV 3.0-4.5, read noise 1.5-3.0 e-;  "xll": EV 5.0-6.5, read noise 2.0-4.0 e-.
// throws: std::invalid_argument for an unknown name.
const LowLightPreset& lowLightPreset(const std::string& name);
std::vector<std::string> lowLightPresetNames();

// Darkens an 8-bit image (1 channel gray, or 3 channel BGR; 4 channel BGRA keeps its alpha).
// requires: image depth CV_8U, params valid (throws std::invalid_argument otherwise).
// ensures: same size and type as the input; the same (image, params, seed) always gives the same output,
//   whatever the number of threads. Thread safe (no shared state). Runs rows in parallel.
cv::Mat darken(const cv::Mat& image, const LowLightParams& params, std::uint64_t seed);

// Fast darkening for live video: the same sensor model, sampled from tables. For each channel and input
// level it draws kPool outputs with darken()'s exact sampler once (at construction, ~3 ms), then each pixel
// picks one of them at random. Mean and noise of every level follow the exact model; only the shape of
// the distribution is a 256-sample estimate. About 10x faster than darken() (one random number and one
// table read per value), so a 640x480 colour frame darkens in a few milliseconds.
// Thread safe after construction (apply() is const and uses no shared state).
class DarkenSampler {
 public:
  static constexpr int kPool = 256;
  // requires: params valid (throws std::invalid_argument otherwise).
  explicit DarkenSampler(const LowLightParams& params, std::uint64_t table_seed = 7);
  // requires: 8-bit, 1, 3 or 4 channels. ensures: as darken(); deterministic in (image, params, seed).
  cv::Mat apply(const cv::Mat& image, std::uint64_t seed) const;
  const LowLightParams& params() const { return params_; }

 private:
  LowLightParams params_;
  // [gray, B, G, R][input level][kPool] output levels
  std::vector<std::uint8_t> table_;
};

// Display enhancer, so a person can see what a dark frame contains. Not used for the model's input.
struct EnhanceParams {
  enum class Mode { kGamma, kClahe, kGammaClahe };
  Mode mode = Mode::kGammaClahe;
  double target_mean = 0.45;  // auto gamma maps the mean luminance (0..1) to this
  double clahe_clip = 2.0;
  int clahe_tiles = 8;
};

// ensures: same size and type as the input (8-bit gray or BGR); brighter when the input is dark; a
//   well-exposed image is changed little by the gamma step. Thread safe.
cv::Mat enhance(const cv::Mat& image, const EnhanceParams& params = {});

// Frames and face crops whose mean luminance (0..255) is below this are searched for faces and landmarks
// on their enhanced copy (FaceAnalyzer, FerFaceAligner); the model always gets the raw pixels.
constexpr double kDarkMeanLuminance = 60.0;

// Mean luminance of an 8-bit image, 0..255 (BGR uses Rec. 601 weights).
double meanLuminance(const cv::Mat& image);

}  // namespace lldif
