// face_aligner.h - landmark-based alignment to the model's input: a 48x48 gray crop framed like FERPlus,
// the landmarks in crop coordinates, and Gaussian heatmaps (one channel per facial part).
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "core/landmarker.h"

namespace lldif {

inline constexpr int kCropSize = 48;
inline constexpr int kHeatmapChannels =
    static_cast<int>(kLandmarkParts.size());  // jaw, brows, nose, eyes, mouth

struct AlignOptions {
  int size = kCropSize;
  float heatmap_sigma = 1.5f;  // pixels at crop size
};

struct AlignedFace {
  cv::Mat crop;               // size x size, CV_8UC1, gray 0..255
  Landmarks landmarks;        // in crop coordinates (pixel centres at integers)
  cv::Mat heatmaps;           // 3-D: kHeatmapChannels x size x size, CV_32F, values in [0, 1]
  cv::Matx23d frame_to_crop;  // similarity transform used (frame pixel -> crop pixel)
};

// The canonical template: where the 68 landmarks of an average FERPlus face lie in its 48x48 image.
// Derived by deriveAlignmentTemplate() from dlib landmarks on FERPlus training images (mirror-symmetrised,
// so the eyes are level); only the resulting coordinates are stored (face_template.cpp).
const Landmarks& ferplusTemplate();
// The same template as checkpoints and face packs store it: x0, y0, x1, y1, ... (136 numbers).
std::vector<float> ferplusTemplateNumbers();

// Similarity (rotation, uniform scale, translation) mapping `from` onto `to`. Scale and translation are the
// least-squares fit of the points that do not move with expression (nose and eyes, indices 27-47); the
// rotation is the one that maps the line between the eye centres of `from` onto that of `to`, so eyes
// come out exactly as level as the template's (the usual face-alignment convention; a pure least-squares
// rotation tilts yawed faces by up to several degrees).
cv::Matx23d estimateSimilarity(const Landmarks& from, const Landmarks& to);

// The landmarks moved by an affine transform (e.g. AlignedFace::frame_to_crop). Thread safe.
Landmarks transformLandmarks(const Landmarks& landmarks, const cv::Matx23d& m);

// Renders landmarks (crop coordinates) as kHeatmapChannels Gaussian channels of size x size.
cv::Mat renderHeatmaps(const Landmarks& crop_landmarks, int size, float sigma);

// requires: gray is an 8-bit single-channel frame; landmarks in its coordinates.
// ensures: see AlignedFace. Anti-aliased (faces larger than the crop are supersampled then area-reduced).
// Thread safe (stateless).
AlignedFace alignFace(const cv::Mat& gray, const Landmarks& landmarks, const AlignOptions& options = {});

}  // namespace lldif
