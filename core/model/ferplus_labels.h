// ferplus_labels.h - FERPlus label.csv and the label rules (../shared/docs/DATA.md).
// Class order everywhere: 0 neutral, 1 happiness, 2 surprise, 3 sadness, 4 anger, 5 disgust, 6 fear, 7
// contempt.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

namespace lldif {

// 10 vote columns: the 8 emotions, unknown, NF (not a face).
using Votes = std::array<int, 10>;

struct LabelRow {
  std::string file;
  Votes votes{};
  // The face box of the second column, "(x, y, width, height)" in image pixels ("(0, 0, 48, 48)" for every
  // FERPlus image: the whole image). All zero when the column does not hold four numbers, or holds
  // FERPlus's constant (0, 0, 48, 48), which folders of bigger images in this layout copy unchanged.
  std::array<int, 4> box{};
};

// Reads <dir>/label.csv (no header: file,"(x, y, w, h)",10 counts).
// throws: std::runtime_error naming the file and line when missing or malformed.
std::vector<LabelRow> readLabelCsv(const std::filesystem::path& dir);

// The official "majority" rule: counts equal to 1 become 0 (all 10 columns); the largest remaining count
// wins if it is more than half of the remaining total and is one of the 8 emotions. Returns -1 otherwise
// (the image is not part of the benchmark).
int majorityLabel(const Votes& votes);

// Training target: the 8 emotion votes with single votes removed, normalised to sum 1.
// Returns false (target untouched) when nothing is left (unknown / not a face).
bool softLabel(const Votes& votes, std::array<float, 8>& target);

}  // namespace lldif
