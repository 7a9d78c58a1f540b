// emotion_colors.h - one colour per FERPlus class, shared by the plots of lldif eval and the viewer.
#pragma once

#include <array>

#include "core/model/model_config.h"

namespace lldif {

struct Rgb {
  int r, g, b;
};

// neutral, happiness, surprise, sadness, anger, disgust, fear, contempt (colour-blind-friendly tableau).
inline constexpr std::array<Rgb, kNumClasses> kClassColors = {{{140, 140, 140},
                                                               {255, 187, 0},
                                                               {0, 170, 230},
                                                               {60, 90, 200},
                                                               {220, 40, 40},
                                                               {40, 160, 70},
                                                               {150, 70, 190},
                                                               {230, 110, 170}}};

}  // namespace lldif
