// face_template.h - derives the alignment template from dlib landmarks on FERPlus-layout images.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "core/landmarker.h"

namespace lldif {

struct TemplateDerivation {
  Landmarks mean;  // mirror-symmetrised mean landmarks in 48x48 image coordinates
  int images_seen = 0;
  int faces_found = 0;  // images where dlib's detector found the face (only those are averaged)
};

// Reads up to max_images 48x48 faces from dir (a FERPlus folder such as FER2013Train), upsamples each
// 4x, detects the face, predicts 68 landmarks, maps them back to 48x48 coordinates and averages them;
// the mean is then symmetrised with its mirror image so the template's eyes are exactly level.
// progress(done, total) is called now and then. throws: std::runtime_error when nothing usable is found.
TemplateDerivation deriveAlignmentTemplate(const std::filesystem::path& dir, int max_images,
                                           const Landmarker& landmarker,
                                           const std::function<void(int, int)>& progress = {});

// The template as a C++ initializer (what face_template_data.cpp stores).
std::string templateAsCpp(const TemplateDerivation& t, const std::string& command);

}  // namespace lldif
