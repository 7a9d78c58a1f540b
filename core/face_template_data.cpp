// The alignment template: mean dlib 68-point landmarks of FERPlus training faces in 48x48 coordinates.
#include "core/face_aligner.h"

namespace lldif {

const Landmarks& ferplusTemplate() {
  static const Landmarks kTemplate = {{
#include "core/face_template_points.inc"
  }};
  return kTemplate;
}

std::vector<float> ferplusTemplateNumbers() {
  std::vector<float> numbers;
  for (const auto& p : ferplusTemplate()) {
    numbers.push_back(p.x);
    numbers.push_back(p.y);
  }
  return numbers;
}

}  // namespace lldif
