// perturbation.h - image changes other than darkness that faces from other cameras and collections bring
// (blur, low resolution, sharpening, contrast, gamma, JPEG, sensor noise, occluders), so that `lldif eval
// --perturb KIND` measures how a model holds up under each on a benchmark folder, as the low-light levels
// do for darkness.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lldif {

enum class Perturbation {
  kNone,
  kBlur,         // Gaussian blur, sigma = 1.2 / 48 of the face box side
  kLowRes,       // the face box seen 20 px across (a 48-px crop at 20 / 48), scaled back up (bilinear)
  kSharpen,      // unsharp mask: 2 x image - its blur at sigma 1.5 / 48 of the face box side
  kLowContrast,  // levels squeezed to 45% about mid-grey: v -> 0.45 v + 0.55 x 128
  kGamma,        // brighter mid-tones: v -> 255 (v / 255)^0.5
  kJpeg,         // JPEG at quality 15
  kNoise,        // Gaussian noise, standard deviation 12 levels (seeded)
  kSunglasses,   // a dark bar (level 20) over the eyes: rows 15-23, columns 8-40 of a 48-px face box
  kMask,         // a light patch (level 200) over the mouth: rows 32-44, columns 12-36 of a 48-px face box
};

// "none", "blur", "lowres", "sharpen", "contrast", "gamma", "jpeg", "noise", "sunglasses", "mask".
std::string perturbationName(Perturbation p);
// throws: std::invalid_argument naming the known kinds for an unknown name.
Perturbation perturbationFromName(const std::string& name);
std::vector<std::string> perturbationNames();

// requires: gray is CV_8UC1 or CV_8UC3; face lies inside the image (the region the occluders and the
// blur's scale refer to; the whole image for a face crop). ensures: a new image of the same size and type
// (gray unchanged when p is kNone); deterministic given seed (only kNoise draws random numbers).
// Thread safe.
cv::Mat perturb(const cv::Mat& gray, Perturbation p, const cv::Rect& face, std::uint64_t seed = 0);

// The frame with each face's region (faces: FERPlus-like frames, ferFramingOfBox in core/fer_face.h) changed
// as `perturb` changes a face crop, and the rest of the frame as it is (the viewer's "Faces from elsewhere").
// Parts of a region outside the frame are changed with it (filled with the frame's edge) and not kept, so an
// occluder keeps its place on a face cut by the frame's edge. Deterministic given seed. Thread safe.
cv::Mat perturbFaces(const cv::Mat& image, Perturbation p, const std::vector<cv::Rect>& faces,
                     std::uint64_t seed = 0);

}  // namespace lldif
