// augment.h - training-time augmentation on batches of tensors (LibTorch only): the low-light sensor model
// (the same physics as core/lowlight.h and ../shared/tools/lowlight_ref.py, for gray faces), flips that also
// mirror the landmarks, small rotations / scalings / shifts, and landmark heatmap rendering.
#pragma once

#include <torch/torch.h>

namespace lldif {

// x: [B, 1, H, W] in [0, 1] (8-bit sRGB levels / 255); ev, read: [B]. Returns the darkened image,
// quantised to 8-bit levels, in [0, 1]. full_well electrons at full scale.
torch::Tensor darkenBatch(const torch::Tensor& x, const torch::Tensor& ev, const torch::Tensor& read_noise,
                          double full_well = 4000.0);

// Renders landmarks [B, 68, 2] (pixel coordinates) as [B, 5, size, size] Gaussian heatmaps (one per part).
torch::Tensor renderHeatmapsBatch(const torch::Tensor& landmarks, int size, double sigma = 1.5);

struct AugmentOptions {
  double p_flip = 0.5;
  double max_rotate_deg = 10.0;
  double max_scale = 0.08;  // scale in [1 - s, 1 + s]
  double max_shift_px = 3.0;
  // Lighting mix: P(clear), P(ll-like), P(xll-like); ll EV 3-4.5, xll EV 5-6.5 (the benchmark's ranges,
  // widened by 0.5 EV on each side so the model does not learn the exact levels).
  double p_clear = 1.0 / 3, p_ll = 1.0 / 3;
  // Random erasing (occlusion): share of faces with one rectangle of uniform noise, erase_area of the face
  // (aspect 0.3-3.3), drawn before the lighting so the occluder is darkened with the face. Landmarks are
  // left where they are. 0: off, and then no random numbers are drawn for it (the stream is unchanged).
  double p_erase = 0.0;
  double erase_area_min = 0.02, erase_area_max = 0.2;
  // Photometric variety (faces from other cameras and collections): share of faces whose appearance is
  // changed before the lighting by a gamma (log-uniform in gamma_min..gamma_max), a contrast about the
  // face's mean (contrast_min..contrast_max) and a blur or sharpening (a blend of the face with its
  // Gaussian blur at blur_sigma by a weight in -sharpen_max..1: 1 is the whole blur, negative weights
  // sharpen). 0: off, and then no random numbers are drawn for it (the stream is unchanged).
  double p_photometric = 0.0;
  double gamma_min = 0.6, gamma_max = 1.65;
  double contrast_min = 0.5, contrast_max = 1.25;
  double blur_sigma = 1.8, sharpen_max = 0.8;
};

// x: [B, 1, H, W] in [0, 1]. Returns x with the photometric change of AugmentOptions::p_photometric
// applied to a share p_photometric of the samples (the others exactly unchanged), in [0, 1].
torch::Tensor photometricBatch(const torch::Tensor& x, const AugmentOptions& o);

struct AugmentedBatch {
  torch::Tensor image;      // [B, 1, 48, 48] in [0, 1]
  torch::Tensor landmarks;  // [B, 68, 2]
  torch::Tensor lighting;   // [B] int64: 0 clear, 1 ll-like, 2 xll-like
};

// images: [B, 48, 48] uint8; landmarks: [B, 68, 2]; dark_landmarks (optional, FacePack::dark_landmarks
// rows): [B, 2, 68, 2], the landmarks of an ll- and an xll-darkened copy. ensures: landmarks of a clear
// sample are the clear ones, of an ll-like / xll-like one the ll / xll set (all moved with the pixels);
// without dark_landmarks every sample gets the clear ones. With p_erase > 0, each sample is erased with
// that probability (after the geometry, before the lighting); with p_photometric > 0, photometricBatch
// follows (also before the lighting). Deterministic given the global torch seed (the
// same random draws with or without dark_landmarks).
AugmentedBatch augment(const torch::Tensor& images, const torch::Tensor& landmarks, const AugmentOptions& o,
                       bool geometric = true, const torch::Tensor& dark_landmarks = {});

}  // namespace lldif
