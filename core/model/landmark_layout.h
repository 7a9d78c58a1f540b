// landmark_layout.h - the iBUG 68-point layout: facial parts and the mirror map. No dependencies, so both
// the engine (dlib landmarks) and training (LibTorch only) use the same definition.
#pragma once

#include <array>

namespace lldif {

inline constexpr int kNumLandmarks = 68;

// Facial parts, [first, last] inclusive; one heatmap channel each.
struct LandmarkPart {
  const char* name;
  int first;
  int last;
};
inline constexpr std::array<LandmarkPart, 5> kLandmarkParts = {{
    {"jaw", 0, 16},
    {"brows", 17, 26},
    {"nose", 27, 35},
    {"eyes", 36, 47},
    {"mouth", 48, 67},
}};

// Index of the mirror-image point (left eye corner <-> right eye corner, ...), for horizontal flips.
inline constexpr std::array<int, kNumLandmarks> kMirroredLandmark = {
    16, 15, 14, 13, 12, 11, 10, 9,  8,  7,  6, 5, 4, 3, 2, 1, 0,  // jaw
    26, 25, 24, 23, 22, 21, 20, 19, 18, 17,                       // brows
    27, 28, 29, 30,                                               // nose bridge
    35, 34, 33, 32, 31,                                           // nostrils
    45, 44, 43, 42, 47, 46,                                       // eye 36-41 <-> eye 42-47
    39, 38, 37, 36, 41, 40,                                       //
    54, 53, 52, 51, 50, 49, 48,                                   // outer lip top
    59, 58, 57, 56, 55,                                           // outer lip bottom
    64, 63, 62, 61, 60,                                           // inner lip top
    67, 66, 65};                                                  // inner lip bottom

}  // namespace lldif
