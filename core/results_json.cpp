#include "core/results_json.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace lldif {

namespace {
double round2(double v) { return std::round(v * 100.0) / 100.0; }
}  // namespace

nlohmann::json faceToJson(const FaceResult& face) {
  nlohmann::json j;
  j["track_id"] = face.track_id;
  j["box"] = {round2(face.box.x), round2(face.box.y), round2(face.box.width), round2(face.box.height)};
  j["score"] = round2(face.score);
  j["detected"] = face.detected;
  j["face_crop"] = face.face_crop;
  nlohmann::json pts = nlohmann::json::array();
  for (const auto& p : face.landmarks) pts.push_back({round2(p.x), round2(p.y)});
  j["landmarks"] = std::move(pts);
  const cv::Point2f l = leftEyeCentre(face.landmarks), r = rightEyeCentre(face.landmarks);
  j["eye_angle_deg"] = round2(std::atan2(r.y - l.y, r.x - l.x) * 180.0 / M_PI);
  return j;
}

nlohmann::json analysisToJson(const FrameAnalysis& a) {
  nlohmann::json j;
  j["faces"] = nlohmann::json::array();
  for (const auto& f : a.faces) j["faces"].push_back(faceToJson(f));
  j["enhanced_for_detection"] = a.enhanced;
  j["mean_luminance"] = round2(a.mean_luminance);
  j["times_ms"] = {{"prepare", round2(a.times.prepare_ms)},
                   {"detect", round2(a.times.detect_ms)},
                   {"landmarks", round2(a.times.landmarks_ms)},
                   {"align", round2(a.times.align_ms)}};
  return j;
}

}  // namespace lldif
