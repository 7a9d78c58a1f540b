#include "core/pack_builder.h"

#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/data_paths.h"
#include "core/face_aligner.h"
#include "core/fer_face.h"
#include "core/lowlight.h"
#include "core/model/face_pack.h"
#include "core/model/ferplus_labels.h"

namespace lldif {

namespace fs = std::filesystem;

std::vector<PackSource> findPackSources(const fs::path& root) {
  if (fs::exists(root / "label.csv")) {
    const std::string n = root.filename().string();
    const int split = n.find("Train") != std::string::npos ? 0 : n.find("Valid") != std::string::npos ? 1 : 2;
    return {{root, split}};
  }
  std::vector<PackSource> out;
  const std::pair<const char*, int> kFolders[] = {
      {"FER2013Train", 0}, {"FER2013Valid", 1}, {"FER2013Test", 2}};
  for (const auto& [name, split] : kFolders) {
    if (fs::exists(root / name / "label.csv")) out.push_back({root / name, split});
  }
  if (out.empty()) {
    throw std::runtime_error(root.string() +
                             " is not a FERPlus folder (no label.csv, no FER2013Train/Valid/Test)");
  }
  return out;
}

namespace {
// Writes 68 landmarks into a [68, 2] float tensor row.
void storeLandmarks(const Landmarks& l, torch::Tensor row) {
  float* dst = row.data_ptr<float>();
  for (std::size_t k = 0; k < l.size(); ++k) {
    dst[2 * k] = l[k].x;
    dst[2 * k + 1] = l[k].y;
  }
}
}  // namespace

PackStats buildFacePack(const std::vector<PackSource>& sources, const fs::path& out,
                        const std::function<void(long long, long long)>& progress,
                        const PackOptions& options) {
  struct Item {
    fs::path file;
    std::string name;
    Votes votes;
    int split;
    std::array<int, 4> box;
  };
  std::vector<Item> items;
  for (const auto& s : sources) {
    for (const auto& r : readLabelCsv(s.dir)) {
      items.push_back({s.dir / r.file, s.dir.filename().string() + "/" + r.file, r.votes, s.split, r.box});
    }
  }
  const auto N = static_cast<int64_t>(items.size());
  FacePack pack;
  pack.images = torch::zeros({N, 48, 48}, torch::kUInt8);
  pack.landmarks = torch::zeros({N, 68, 2});
  pack.votes = torch::zeros({N, 10}, torch::kUInt8);
  pack.split = torch::zeros({N}, torch::kUInt8);
  pack.detected = torch::zeros({N}, torch::kUInt8);
  if (options.dark_landmarks) pack.dark_landmarks = torch::zeros({N, 2, 68, 2});
  pack.framing = options.align ? "aligned" : "image";
  pack.alignment_template = ferplusTemplateNumbers();  // for checkpoints trained by lldif-train
  std::vector<char> ok(static_cast<std::size_t>(N), 0);

  auto landmarker = std::make_shared<const Landmarker>(defaultLandmarkModelPath());
  std::atomic<int64_t> next{0}, done{0};
  std::mutex progress_mutex;
  auto worker = [&] {
    FerFaceOptions fo;
    fo.framing = options.align ? FerFraming::Aligned : FerFraming::Auto;
    FerFaceAligner aligner(landmarker, fo);
    for (int64_t i = next++; i < N; i = next++) {
      const Item& it = items[static_cast<std::size_t>(i)];
      const cv::Mat img = cv::imread(it.file.string(), cv::IMREAD_GRAYSCALE);
      if (!img.empty()) {
        const cv::Rect box(it.box[0], it.box[1], it.box[2], it.box[3]);
        const FerFace f = aligner.align(img, box);
        std::memcpy(pack.images[i].data_ptr(), f.aligned.crop.data, 48 * 48);
        storeLandmarks(f.aligned.landmarks, pack.landmarks[i]);
        pack.detected.data_ptr<uint8_t>()[i] = f.detected ? 1 : 0;
        if (options.dark_landmarks) {
          // The landmarks dlib finds on darkened copies, moved into the clear crop's frame: what training
          // pairs with a face it darkens (real dark landmarks are noisier than the clear ones).
          for (int level = 0; level < 2; ++level) {
            const auto seed = static_cast<std::uint64_t>(i) * 2 + static_cast<std::uint64_t>(level) + 7919;
            const cv::Mat dark = darken(img, lowLightPreset(level == 0 ? "ll" : "xll").sample(seed), seed);
            const FerFace d = aligner.align(dark, box);
            cv::Matx23d crop_to_image;
            cv::invertAffineTransform(d.aligned.frame_to_crop, crop_to_image);
            storeLandmarks(transformLandmarks(transformLandmarks(d.aligned.landmarks, crop_to_image),
                                              f.aligned.frame_to_crop),
                           pack.dark_landmarks[i][level]);
          }
        }
        ok[static_cast<std::size_t>(i)] = 1;
      }
      auto* votes = pack.votes[i].data_ptr<uint8_t>();
      for (int k = 0; k < 10; ++k) votes[k] = static_cast<uint8_t>(it.votes[static_cast<std::size_t>(k)]);
      pack.split.data_ptr<uint8_t>()[i] = static_cast<uint8_t>(it.split);
      const int64_t d = ++done;
      if (progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        progress(d, N);
      }
    }
  };
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();

  PackStats stats;
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < N; ++i) {
    pack.names.push_back(items[static_cast<std::size_t>(i)].name);
    if (ok[static_cast<std::size_t>(i)]) {
      keep.push_back(i);
      stats.detected += pack.detected[i].item<int>();
    } else {
      ++stats.skipped;
    }
  }
  pack = selectRows(pack, torch::tensor(keep, torch::kLong));
  stats.images = static_cast<int>(keep.size());
  saveFacePack(out, pack, PackWriteOptions{options.max_error});
  return stats;
}

PackRewrite rewriteFacePack(const fs::path& in, const fs::path& out, const std::vector<int>& splits,
                            int max_error) {
  FacePack p = loadFacePack(in);
  PackRewrite r;
  r.total = p.size();
  r.max_error_before = p.max_error;
  if (!splits.empty()) {
    std::vector<Split> s;
    for (int k : splits) s.push_back(static_cast<Split>(k));
    p = selectSplits(p, s);
  }
  r.kept = p.size();
  saveFacePack(out, p, PackWriteOptions{max_error});
  return r;
}

}  // namespace lldif
