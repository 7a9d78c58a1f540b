// results_log.h - per-frame, per-face results of a session, exported as CSV and JSON:
// time, frame, track id, box, the 8 probabilities, clear and dark confidence, whether the face was also
// read mirrored.
//
// Files are written atomically (temporary file + rename) and an existing file is never replaced unless
// the caller says so (after asking the user): FileExistsError otherwise. Not thread safe (one owner).
#pragma once

#include <array>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/pipeline_runner.h"

namespace lldif {

class FileExistsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ResultRow {
  double time_s = 0;
  std::int64_t frame = 0;
  std::string mode;  // clear, darkroom, compare
  int track_id = 0;
  cv::Rect2f box;
  std::array<float, kNumClasses> probs{};  // of what was analysed (clear, or dark in darkroom mode)
  int top = -1;
  float clear_confidence = -1;                  // -1: not measured in this mode
  float dark_confidence = -1;                   // darkroom: the analysed frame; compare: the dark pass
  std::array<float, kNumClasses> dark_probs{};  // compare mode only
  bool mirrored = false;  // probs average the face and its mirror image (ProcessedFrame::mirrored)
};

class ResultsLog {
 public:
  // Adds one row per face that has emotions; returns the number of rows added.
  int add(const ProcessedFrame& frame);
  void clear() { rows_.clear(); }
  const std::vector<ResultRow>& rows() const { return rows_; }

  // throws: FileExistsError (file exists and !overwrite), std::runtime_error (cannot write).
  void writeCsv(const std::filesystem::path& file, bool overwrite = false) const;
  void writeJson(const std::filesystem::path& file, bool overwrite = false) const;

 private:
  std::vector<ResultRow> rows_;
};

// Writes text to file atomically; refuses to replace an existing file unless overwrite.
void writeTextFileAtomically(const std::filesystem::path& file, const std::string& text, bool overwrite);

}  // namespace lldif
