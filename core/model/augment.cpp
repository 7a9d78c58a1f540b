#include "core/model/augment.h"

#include <cmath>

#include "core/model/landmark_layout.h"

namespace lldif {

namespace F = torch::nn::functional;

namespace {
torch::Tensor srgbToLinear(const torch::Tensor& v) {
  return torch::where(v <= 0.04045, v / 12.92, torch::pow((v + 0.055) / 1.055, 2.4));
}
torch::Tensor linearToSrgb(const torch::Tensor& v) {
  return torch::where(v <= 0.0031308, v * 12.92, 1.055 * torch::pow(v.clamp_min(1e-12), 1.0 / 2.4) - 0.055);
}
torch::Tensor uniform(int64_t n, double lo, double hi) { return torch::rand({n}) * (hi - lo) + lo; }
}  // namespace

torch::Tensor darkenBatch(const torch::Tensor& x, const torch::Tensor& ev, const torch::Tensor& read_noise,
                          double full_well) {
  const torch::Tensor gain = torch::pow(2.0, -ev).view({-1, 1, 1, 1});
  const torch::Tensor lam = srgbToLinear(x) * gain * full_well;
  const torch::Tensor e = torch::poisson(lam) + torch::randn_like(lam) * read_noise.view({-1, 1, 1, 1});
  const torch::Tensor lin = (e / full_well).clamp(0.0, 1.0);
  return torch::round(linearToSrgb(lin) * 255.0) / 255.0;
}

torch::Tensor renderHeatmapsBatch(const torch::Tensor& landmarks, int size, double sigma) {
  const auto B = landmarks.size(0);
  const torch::Tensor coords = torch::arange(size, landmarks.options());
  const torch::Tensor dx = landmarks.select(2, 0).unsqueeze(-1) - coords;  // [B, 68, S]
  const torch::Tensor dy = landmarks.select(2, 1).unsqueeze(-1) - coords;  // [B, 68, S]
  const double inv = 1.0 / (2 * sigma * sigma);
  // exp(-(dx^2 + dy^2) / 2s^2) = exp(-dy^2 / 2s^2)^T * exp(-dx^2 / 2s^2): [B, 68, S(y), S(x)]
  const torch::Tensor g =
      torch::exp(-dy.pow(2) * inv).unsqueeze(-1) * torch::exp(-dx.pow(2) * inv).unsqueeze(-2);
  std::vector<torch::Tensor> parts;
  for (const auto& p : kLandmarkParts) parts.push_back(std::get<0>(g.slice(1, p.first, p.last + 1).max(1)));
  return torch::stack(parts, 1).view({B, static_cast<int64_t>(kLandmarkParts.size()), size, size});
}

torch::Tensor photometricBatch(const torch::Tensor& x, const AugmentOptions& o) {
  const auto B = x.size(0);
  const torch::Tensor changed = (torch::rand({B}) < o.p_photometric).view({B, 1, 1, 1});
  const torch::Tensor gamma =
      torch::exp(uniform(B, std::log(o.gamma_min), std::log(o.gamma_max))).view({B, 1, 1, 1});
  const torch::Tensor contrast = uniform(B, o.contrast_min, o.contrast_max).view({B, 1, 1, 1});
  const torch::Tensor blend = uniform(B, -o.sharpen_max, 1.0).view({B, 1, 1, 1});
  torch::Tensor y = x.clamp_min(0.0).pow(gamma);                // [B, 1, H, W]
  const torch::Tensor mean = y.mean({2, 3}, /*keepdim=*/true);  // [B, 1, 1, 1]
  y = (y - mean) * contrast + mean;
  // Separable Gaussian, radius 3 sigma, edges replicated: [B, 1, H, W] -> [B, 1, H, W].
  const auto radius = static_cast<int64_t>(std::ceil(3 * o.blur_sigma));
  const torch::Tensor k1 = torch::exp(-torch::arange(-radius, radius + 1, torch::kFloat32).pow(2) /
                                      (2 * o.blur_sigma * o.blur_sigma));
  const torch::Tensor k = k1 / k1.sum();
  torch::Tensor blurred =
      F::pad(y, F::PadFuncOptions({radius, radius, radius, radius}).mode(torch::kReplicate));
  blurred = F::conv2d(blurred, k.view({1, 1, 1, -1}));
  blurred = F::conv2d(blurred, k.view({1, 1, -1, 1}));
  y = (y + blend * (blurred - y)).clamp(0.0, 1.0);
  return torch::where(changed, y, x);
}

AugmentedBatch augment(const torch::Tensor& images, const torch::Tensor& landmarks, const AugmentOptions& o,
                       bool geometric, const torch::Tensor& dark_landmarks) {
  const auto B = images.size(0), S = images.size(1);
  AugmentedBatch out;
  torch::Tensor x = images.to(torch::kFloat32).unsqueeze(1) / 255.0;  // [B, 1, S, S]
  // Every landmark set moves with the pixels: [B, L, 68, 2], set 0 clear, 1 ll, 2 xll (when given).
  torch::Tensor lm = dark_landmarks.defined()
                         ? torch::cat({landmarks.unsqueeze(1), dark_landmarks.to(landmarks.dtype())}, 1)
                         : landmarks.unsqueeze(1).clone();
  const auto L = lm.size(1);
  if (geometric) {
    // Output pixel -> input pixel: u = A v + t about the image centre, in normalised coordinates.
    const torch::Tensor flip = torch::rand({B}) < o.p_flip;
    const torch::Tensor ang = uniform(B, -o.max_rotate_deg, o.max_rotate_deg) * (M_PI / 180.0);
    const torch::Tensor sc = uniform(B, 1.0 - o.max_scale, 1.0 + o.max_scale);
    const torch::Tensor tx = uniform(B, -o.max_shift_px, o.max_shift_px) * (2.0 / S);
    const torch::Tensor ty = uniform(B, -o.max_shift_px, o.max_shift_px) * (2.0 / S);
    const torch::Tensor fx = torch::where(flip, torch::full({B}, -1.0), torch::full({B}, 1.0));
    const torch::Tensor c = torch::cos(ang) / sc, s = torch::sin(ang) / sc;
    // theta maps output (x, y) to input: [c*fx, -s, tx; s*fx, c, ty]
    const torch::Tensor theta =
        torch::stack({torch::stack({c * fx, -s, tx}, 1), torch::stack({s * fx, c, ty}, 1)}, 1)
            .to(torch::kFloat32);  // [B, 2, 3]
    const torch::Tensor grid = F::affine_grid(theta, {B, 1, S, S}, /*align_corners=*/false);
    x = F::grid_sample(x, grid, F::GridSampleFuncOptions().padding_mode(torch::kBorder).align_corners(false));
    // Landmarks: input u = theta [v; 1] -> v = A^-1 (u - t). Normalised coords: n = (2p + 1) / S - 1.
    const torch::Tensor u = (2.0 * lm.view({B, L * 68, 2}) + 1.0) / S - 1.0;  // [B, L * 68, 2]
    const torch::Tensor A = theta.slice(2, 0, 2), t = theta.select(2, 2);     // [B, 2, 2], [B, 2]
    const torch::Tensor v = torch::matmul(u - t.unsqueeze(1), torch::inverse(A).transpose(1, 2));
    lm = (((v + 1.0) * S - 1.0) / 2.0).view({B, L, 68, 2});
    // A flipped face's left eye is now on the right: permute the points so indices keep their meaning.
    const torch::Tensor perm =
        torch::tensor(std::vector<int64_t>(kMirroredLandmark.begin(), kMirroredLandmark.end()));
    lm = torch::where(flip.view({B, 1, 1, 1}), lm.index_select(2, perm), lm);
  }
  if (o.p_erase > 0) {
    // One rectangle per erased sample: area a * S^2, aspect r (height / width) log-uniform in 0.3..3.3,
    // clipped to the image; top-left uniform over the places where it fits.
    const torch::Tensor erased = torch::rand({B}) < o.p_erase;
    const torch::Tensor area = uniform(B, o.erase_area_min, o.erase_area_max) * (S * S);
    const torch::Tensor aspect = torch::exp(uniform(B, std::log(0.3), std::log(3.3)));
    const torch::Tensor h = torch::sqrt(area * aspect).clamp(1.0, S),
                        w = torch::sqrt(area / aspect).clamp(1.0, S);
    const torch::Tensor y0 = torch::rand({B}) * (S - h), x0 = torch::rand({B}) * (S - w);
    const torch::Tensor coord = torch::arange(S, torch::kFloat32);
    const torch::Tensor in_y =
        (coord.view({1, S}) >= y0.view({B, 1})) & (coord.view({1, S}) < (y0 + h).view({B, 1}));
    const torch::Tensor in_x =
        (coord.view({1, S}) >= x0.view({B, 1})) & (coord.view({1, S}) < (x0 + w).view({B, 1}));
    const torch::Tensor mask = (in_y.unsqueeze(2) & in_x.unsqueeze(1) & erased.view({B, 1, 1})).unsqueeze(1);
    x = torch::where(mask, torch::rand_like(x), x);  // [B, 1, S, S]
  }
  if (o.p_photometric > 0) x = photometricBatch(x, o);
  // Lighting: clear, ll-like or xll-like per sample.
  const torch::Tensor r = torch::rand({B});
  out.lighting = torch::where(r < o.p_clear, torch::zeros({B}, torch::kLong),
                              torch::where(r < o.p_clear + o.p_ll, torch::ones({B}, torch::kLong),
                                           torch::full({B}, 2, torch::kLong)));
  const torch::Tensor ev = torch::where(out.lighting == 1, uniform(B, 2.5, 5.0), uniform(B, 4.5, 7.0));
  const torch::Tensor read = torch::where(out.lighting == 1, uniform(B, 1.5, 3.0), uniform(B, 2.0, 4.0));
  const torch::Tensor dark = darkenBatch(x, ev, read);
  const torch::Tensor is_dark = (out.lighting > 0).view({B, 1, 1, 1});
  // Clear faces get a mild brightness / contrast jitter instead.
  const torch::Tensor jitter =
      ((x - 0.5) * uniform(B, 0.8, 1.2).view({B, 1, 1, 1}) + 0.5 + uniform(B, -0.08, 0.08).view({B, 1, 1, 1}))
          .clamp(0.0, 1.0);
  out.image = torch::where(is_dark, dark, jitter);
  // A darkened face comes with the landmarks found on a darkened copy of it, when the pack has them.
  out.landmarks = L == 1 ? lm.select(1, 0) : lm.index({torch::arange(B), out.lighting});  // [B, 68, 2]
  return out;
}

}  // namespace lldif
