// results_json.h - JSON form of per-frame face results (CLI output, exports).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "core/face_analyzer.h"

namespace lldif {

// {"box":[x,y,w,h], "score":s, "track_id":n, "detected":b, "landmarks":[[x,y]*68],
//  "eye_angle_deg": a}  (frame coordinates)
nlohmann::json faceToJson(const FaceResult& face);
nlohmann::json analysisToJson(const FrameAnalysis& analysis);

}  // namespace lldif
