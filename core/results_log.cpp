#include "core/results_log.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace lldif {

namespace fs = std::filesystem;

int ResultsLog::add(const ProcessedFrame& f) {
  int added = 0;
  const ProcessorSettings& s = f.settings;
  const std::string mode = s.compare ? "compare" : s.darkroom ? "darkroom" : "clear";
  for (std::size_t i = 0; i < f.emotions.size() && i < f.analysis.faces.size(); ++i) {
    const FaceResult& face = f.analysis.faces[i];
    const FaceEmotion& e = f.emotions[i];
    ResultRow r;
    r.time_s = f.frame.timestamp_s;
    r.frame = f.frame.index;
    r.mode = mode;
    r.mirrored = f.mirrored;
    r.track_id = face.track_id;
    r.box = face.box;
    r.probs = e.main.probs;
    r.top = e.main.top;
    const float conf = e.main.probs[static_cast<std::size_t>(e.main.top)];
    if (s.darkroom && !s.compare)
      r.dark_confidence = conf;
    else
      r.clear_confidence = conf;
    if (e.has_dark) {
      r.dark_probs = e.dark.probs;
      r.dark_confidence = e.dark.probs[static_cast<std::size_t>(e.dark.top)];
    }
    rows_.push_back(r);
    ++added;
  }
  return added;
}

void writeTextFileAtomically(const fs::path& file, const std::string& text, bool overwrite) {
  if (!overwrite && fs::exists(file))
    throw FileExistsError(file.string() + " already exists; not overwritten");
  const fs::path tmp = file.parent_path() / ("." + file.filename().string() + ".part");
  {
    std::ofstream os(tmp, std::ios::binary);
    if (!os) throw std::runtime_error("cannot write " + file.string() + " (folder missing or read-only?)");
    os << text;
    os.flush();
    if (!os) throw std::runtime_error("cannot write " + file.string() + " (disk full?)");
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error("cannot write " + file.string());
  }
}

void ResultsLog::writeCsv(const fs::path& file, bool overwrite) const {
  std::ostringstream os;
  os << "time_s,frame,mode,track_id,x,y,width,height,emotion";
  for (const char* n : kClassNames) os << ",p_" << n;
  os << ",clear_confidence,dark_confidence,mirrored\n";
  os.precision(6);
  for (const ResultRow& r : rows_) {
    os << r.time_s << "," << r.frame << "," << r.mode << "," << r.track_id << "," << r.box.x << "," << r.box.y
       << "," << r.box.width << "," << r.box.height << ","
       << (r.top >= 0 ? kClassNames[static_cast<std::size_t>(r.top)] : "");
    for (float p : r.probs) os << "," << p;
    os << ",";
    if (r.clear_confidence >= 0) os << r.clear_confidence;
    os << ",";
    if (r.dark_confidence >= 0) os << r.dark_confidence;
    os << "," << (r.mirrored ? 1 : 0) << "\n";
  }
  writeTextFileAtomically(file, os.str(), overwrite);
}

void ResultsLog::writeJson(const fs::path& file, bool overwrite) const {
  nlohmann::json rows = nlohmann::json::array();
  for (const ResultRow& r : rows_) {
    nlohmann::json j;
    j["time_s"] = r.time_s;
    j["frame"] = r.frame;
    j["mode"] = r.mode;
    j["track_id"] = r.track_id;
    j["box"] = {r.box.x, r.box.y, r.box.width, r.box.height};
    j["emotion"] = r.top >= 0 ? kClassNames[static_cast<std::size_t>(r.top)] : "";
    for (int k = 0; k < kNumClasses; ++k) j["probs"][kClassNames[static_cast<std::size_t>(k)]] = r.probs[k];
    j["clear_confidence"] = r.clear_confidence >= 0 ? nlohmann::json(r.clear_confidence) : nlohmann::json();
    j["dark_confidence"] = r.dark_confidence >= 0 ? nlohmann::json(r.dark_confidence) : nlohmann::json();
    j["mirrored"] = r.mirrored;
    if (r.mode == "compare")
      for (int k = 0; k < kNumClasses; ++k)
        j["dark_probs"][kClassNames[static_cast<std::size_t>(k)]] = r.dark_probs[k];
    rows.push_back(j);
  }
  nlohmann::json out = {{"format", "lldif-viewer results v1"},
                        {"classes", std::vector<std::string>(kClassNames.begin(), kClassNames.end())},
                        {"rows", rows}};
  writeTextFileAtomically(file, out.dump(1) + "\n", overwrite);
}

}  // namespace lldif
