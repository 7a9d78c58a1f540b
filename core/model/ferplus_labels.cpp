#include "core/model/ferplus_labels.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace lldif {

std::vector<LabelRow> readLabelCsv(const std::filesystem::path& dir) {
  const auto file = dir / "label.csv";
  std::ifstream in(file);
  if (!in)
    throw std::runtime_error("No label.csv in " + dir.string() + " (expected the FERPlus folder layout)");
  std::vector<LabelRow> rows;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line == "\r") continue;
    // file,"(0, 0, 48, 48)",v0,...,v9
    const auto q1 = line.find('"'), q2 = line.find('"', q1 == std::string::npos ? 0 : q1 + 1);
    if (q1 == std::string::npos || q2 == std::string::npos || q1 < 1) {
      throw std::runtime_error(file.string() + ":" + std::to_string(n) + ": malformed row");
    }
    LabelRow r;
    r.file = line.substr(0, q1 - 1);
    {
      std::string b = line.substr(q1 + 1, q2 - q1 - 1);
      for (char& c : b)
        if (c == '(' || c == ')' || c == ',') c = ' ';
      std::istringstream bs(b);
      std::array<int, 4> box{};
      // (0, 0, 48, 48) is FERPlus's constant (its whole 48x48 image), which folders of bigger images in
      // this layout often copy as it is: it means the whole image, like no box.
      if (bs >> box[0] >> box[1] >> box[2] >> box[3] && box[2] > 0 && box[3] > 0 &&
          box != std::array<int, 4>{0, 0, 48, 48})
        r.box = box;
    }
    std::istringstream rest(line.substr(q2 + 1));
    char comma;
    for (int& v : r.votes) {
      if (!(rest >> comma >> v) || comma != ',' || v < 0) {
        throw std::runtime_error(file.string() + ":" + std::to_string(n) + ": expected 10 vote counts");
      }
    }
    rows.push_back(std::move(r));
  }
  if (rows.empty()) throw std::runtime_error(file.string() + " has no rows");
  return rows;
}

int majorityLabel(const Votes& votes) {
  Votes v = votes;
  int total = 0, best = 0;
  for (int i = 0; i < 10; ++i) {
    if (v[i] == 1) v[i] = 0;
    total += v[i];
    if (v[i] > v[best]) best = i;
  }
  if (total == 0 || 2 * v[best] <= total || best >= 8) return -1;
  return best;
}

bool softLabel(const Votes& votes, std::array<float, 8>& target) {
  int total = 0;
  for (int i = 0; i < 8; ++i) total += votes[i] > 1 ? votes[i] : 0;
  if (total == 0) return false;
  for (int i = 0; i < 8; ++i) target[i] = votes[i] > 1 ? static_cast<float>(votes[i]) / total : 0.0f;
  return true;
}

}  // namespace lldif
