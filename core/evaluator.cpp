#include "core/evaluator.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <mutex>
#include <numeric>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/data_paths.h"
#include "core/fer_face.h"
#include "core/image_io.h"
#include "core/model/ferplus_labels.h"

namespace lldif {

namespace fs = std::filesystem;

std::array<double, kNumClasses> EvalResult::recall() const {
  std::array<double, kNumClasses> r{};
  for (int t = 0; t < kNumClasses; ++t)
    r[t] = images_of[t] ? static_cast<double>(confusion[t][t]) / images_of[t] : 0.0;
  return r;
}

double EvalResult::meanRecall() const {
  const auto r = recall();
  double sum = 0;
  int classes = 0;
  for (int t = 0; t < kNumClasses; ++t) {
    if (images_of[t] == 0) continue;
    sum += r[t];
    ++classes;
  }
  return classes ? sum / classes : 0.0;
}

double EvalResult::meanConfidence() const {
  double s = 0;
  for (const auto& e : per_image) s += e.confidence;
  return per_image.empty() ? 0.0 : s / per_image.size();
}

std::string evalFraming(const EmotionModel& model, const std::string& framing) {
  if (!framing.empty()) return toString(ferFramingFromString(framing));
  return model.info().framing == "image" ? "auto" : "aligned";
}

EvalResult evaluateFolder(EmotionModel& model, const fs::path& dir, const EvalOptions& options) {
  const int noise_seeds = options.noise_seeds;
  if (noise_seeds < 1) throw std::invalid_argument("evaluateFolder: noise_seeds must be at least 1");
  const auto rows = readLabelCsv(dir);
  EvalResult res;
  res.dir = dir;
  res.rows = static_cast<int>(rows.size());
  FerFaceOptions framing;  // frame the faces as the model's training data was framed
  framing.framing = ferFramingFromString(evalFraming(model, options.framing));
  res.framing = toString(framing.framing);
  res.noise_seeds = noise_seeds;
  res.perturbation = options.perturbation;
  FerFaceAligner aligner(std::make_shared<const Landmarker>(defaultLandmarkModelPath()), framing);
  std::vector<ModelInput> batch;
  std::vector<std::uint64_t> seeds;
  std::vector<EvalImage> pending;
  auto flush = [&] {
    const auto preds = model.predict(batch, seeds, noise_seeds);
    for (std::size_t i = 0; i < preds.size(); ++i) {
      EvalImage& e = pending[i];
      e.predicted = preds[i].top;
      e.probs = preds[i].probs;
      e.confidence = preds[i].probs[static_cast<std::size_t>(preds[i].top)];
      if (options.keep_trajectories) e.trajectory = preds[i].trajectory;
      res.per_image.push_back(e);
    }
    batch.clear();
    seeds.clear();
    pending.clear();
  };
  auto readRow = [&](std::size_t r) {
    const int label = majorityLabel(rows[r].votes);
    if (label < 0) return;
    ++res.images;
    EvalImage e;
    e.file = rows[r].file;
    e.label = label;
    cv::Mat img = cv::imread((dir / rows[r].file).string(), cv::IMREAD_GRAYSCALE);
    if (img.empty()) {
      res.per_image.push_back(e);  // counted wrong
      return;
    }
    const auto& b = rows[r].box;
    const cv::Rect box(b[0], b[1], b[2], b[3]);  // empty: none given
    if (options.perturbation != Perturbation::kNone) {
      img = perturb(img, options.perturbation, box.area() > 0 ? box : cv::Rect(0, 0, img.cols, img.rows),
                    options.seed + r);
    }
    FerFace f;
    try {
      f = aligner.align(img, box);
    } catch (const std::exception&) {
      res.per_image.push_back(e);  // an image OpenCV cannot frame: counted wrong, like a missing one
      return;
    }
    e.detected = f.detected;
    e.template_aligned = f.template_aligned;
    batch.push_back({f.aligned.crop, f.aligned.heatmaps});
    seeds.push_back(options.seed + r);
    pending.push_back(e);
    if (batch.size() == 64) flush();
  };
  for (std::size_t r = 0; r < rows.size(); ++r) {
    readRow(r);  // every row counts towards progress, skipped and unreadable ones too
    if (options.progress)
      options.progress(static_cast<long long>(r + 1), static_cast<long long>(rows.size()));
  }
  flush();
  for (const auto& e : res.per_image) {
    ++res.images_of[static_cast<std::size_t>(e.label)];
    if (e.predicted >= 0)
      ++res.confusion[static_cast<std::size_t>(e.label)][static_cast<std::size_t>(e.predicted)];
    res.correct += e.predicted == e.label;
    res.template_aligned += e.template_aligned;
    res.unreadable += e.predicted < 0;
  }
  return res;
}

namespace {

void writeAtomically(const fs::path& file, const std::string& text) {
  const fs::path tmp = file.string() + ".part";
  {
    std::ofstream os(tmp);
    os << text;
    if (!os) throw std::runtime_error("Cannot write " + file.string());
  }
  fs::rename(tmp, file);
}

void savePng(const fs::path& file, const cv::Mat& img) {
  const fs::path tmp = file.string() + ".part.png";
  saveImage(tmp, img);
  fs::rename(tmp, file);
}

cv::Mat drawHistograms(const std::vector<std::vector<float>>& sets, const std::vector<std::string>& names,
                       const std::vector<cv::Scalar>& colours, const std::string& title) {
  const int W = 720, H = 480, L = 70, R = 20, T = 95, B = 60, bins = 20;
  cv::Mat img(H, W, CV_8UC3, cv::Scalar(255, 255, 255));
  std::vector<std::vector<double>> frac(sets.size(), std::vector<double>(bins, 0));
  double top = 0.01;
  for (std::size_t s = 0; s < sets.size(); ++s) {
    for (float c : sets[s])
      frac[s][std::min(bins - 1, static_cast<int>(c * bins))] +=
          1.0 / std::max<std::size_t>(1, sets[s].size());
    for (double f : frac[s]) top = std::max(top, f);
  }
  const double bw = static_cast<double>(W - L - R) / bins;
  for (std::size_t s = 0; s < sets.size(); ++s) {
    for (int b = 0; b < bins; ++b) {
      const int h = static_cast<int>((H - T - B) * frac[s][b] / top);
      const int x0 = L + static_cast<int>(b * bw + s * bw / sets.size());
      const int x1 = L + static_cast<int>(b * bw + (s + 1) * bw / sets.size()) - 1;
      cv::rectangle(img, cv::Point(x0, H - B - h), cv::Point(x1, H - B), colours[s], cv::FILLED);
    }
    double mean = 0;
    for (float c : sets[s]) mean += c;
    mean /= std::max<std::size_t>(1, sets[s].size());
    const int mx = L + static_cast<int>(mean * (W - L - R));
    cv::line(img, cv::Point(mx, T), cv::Point(mx, H - B), colours[s], 2, cv::LINE_AA);
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s: mean %.3f (n=%zu)", names[s].c_str(), mean, sets[s].size());
    cv::putText(img, buf, cv::Point(L + 10, 50 + 20 * static_cast<int>(s)), cv::FONT_HERSHEY_SIMPLEX, 0.55,
                colours[s], 1, cv::LINE_AA);
  }
  cv::line(img, cv::Point(L, H - B), cv::Point(W - R, H - B), cv::Scalar(0, 0, 0), 1);
  cv::line(img, cv::Point(L, T), cv::Point(L, H - B), cv::Scalar(0, 0, 0), 1);
  for (int t = 0; t <= 10; t += 2) {
    const int x = L + (W - L - R) * t / 10;
    cv::putText(img, cv::format("%.1f", t / 10.0), cv::Point(x - 10, H - B + 20), cv::FONT_HERSHEY_SIMPLEX,
                0.45, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  cv::putText(img, "top-class confidence", cv::Point(W / 2 - 90, H - 15), cv::FONT_HERSHEY_SIMPLEX, 0.5,
              cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  cv::putText(img, "fraction of faces", cv::Point(5, T - 6), cv::FONT_HERSHEY_SIMPLEX, 0.45,
              cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  cv::putText(img, title, cv::Point(L, 25), cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(0, 0, 0), 1,
              cv::LINE_AA);
  return img;
}

std::vector<float> confidences(const EvalResult& r) {
  std::vector<float> c;
  for (const auto& e : r.per_image) c.push_back(e.confidence);
  return c;
}

}  // namespace

nlohmann::json evalToJson(const EvalResult& r) {
  nlohmann::json j;
  j["dir"] = r.dir.string();
  j["images"] = r.images;
  j["correct"] = r.correct;
  j["accuracy"] = r.accuracy();
  j["mean_recall"] = r.meanRecall();
  j["mean_confidence"] = r.meanConfidence();
  j["framing"] = r.framing;
  j["noise_seeds"] = r.noise_seeds;
  j["perturbation"] = perturbationName(r.perturbation);
  j["template_aligned"] = r.template_aligned;
  j["unreadable"] = r.unreadable;
  const auto recall = r.recall();
  for (int k = 0; k < kNumClasses; ++k)
    j["recall"][kClassNames[static_cast<std::size_t>(k)]] = recall[static_cast<std::size_t>(k)];
  j["confusion"] = r.confusion;
  return j;
}

void writeEvalReport(const EvalResult& r, const fs::path& out, const std::string& title) {
  fs::create_directories(out);
  // Confusion matrix, rows normalised by all of the class's benchmark images, so that the diagonal is the
  // recall lldif eval prints; when images were unreadable, a last column counts them (they are misses).
  const bool unread_column = r.unreadable > 0;
  const int columns = kNumClasses + (unread_column ? 1 : 0);
  const int cell = 64, L = 120, T = 70;
  cv::Mat img(T + cell * kNumClasses + 110, L + cell * columns + 20, CV_8UC3, cv::Scalar(255, 255, 255));
  const auto drawCell = [&](int t, int p, int count, int n) {
    const double f = n ? static_cast<double>(count) / n : 0.0;
    const cv::Scalar colour(255 - 200 * f, 255 - 120 * f, 255 - 40 * f);
    const cv::Rect rc(L + p * cell, T + t * cell, cell - 2, cell - 2);
    cv::rectangle(img, rc, colour, cv::FILLED);
    cv::putText(img, cv::format("%.2f", f), cv::Point(rc.x + 12, rc.y + 28), cv::FONT_HERSHEY_SIMPLEX, 0.45,
                f > 0.5 ? cv::Scalar(255, 255, 255) : cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    cv::putText(img, cv::format("%d", count), cv::Point(rc.x + 12, rc.y + 48), cv::FONT_HERSHEY_SIMPLEX, 0.35,
                f > 0.5 ? cv::Scalar(255, 255, 255) : cv::Scalar(80, 80, 80), 1, cv::LINE_AA);
  };
  for (int t = 0; t < kNumClasses; ++t) {
    const int read = std::accumulate(r.confusion[t].begin(), r.confusion[t].end(), 0);
    const int n = std::max(read, r.images_of[t]);
    cv::putText(img, kClassNames[t], cv::Point(5, T + t * cell + cell / 2 + 5), cv::FONT_HERSHEY_SIMPLEX,
                0.45, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    for (int p = 0; p < kNumClasses; ++p) drawCell(t, p, r.confusion[t][p], n);
    if (unread_column) drawCell(t, kNumClasses, n - read, n);
  }
  for (int p = 0; p < columns; ++p) {
    const std::string name = p < kNumClasses ? std::string(kClassNames[p]).substr(0, 7) : "unread";
    cv::putText(img, name, cv::Point(L + p * cell + 2, T - 10), cv::FONT_HERSHEY_SIMPLEX, 0.4,
                cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  cv::putText(img, title + cv::format("  accuracy %.2f%% (%d/%d)", 100 * r.accuracy(), r.correct, r.images),
              cv::Point(10, 25), cv::FONT_HERSHEY_SIMPLEX, 0.55, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  cv::putText(
      img,
      unread_column ? "rows: true class, columns: predicted or unreadable (share of the class's images)"
                    : "rows: true class, columns: predicted (share of the class's images)",
      cv::Point(10, img.rows - 20), cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(60, 60, 60), 1, cv::LINE_AA);
  savePng(out / "confusion.png", img);
  savePng(out / "confidence.png", drawHistograms({confidences(r)}, {title}, {cv::Scalar(200, 120, 40)},
                                                 "confidence of the predicted class"));

  std::string csv = "file,label,predicted,confidence,detected,framing";
  for (const char* n : kClassNames) csv += std::string(",p_") + n;
  csv += "\n";
  for (const auto& e : r.per_image) {
    csv += e.file + "," + (e.label >= 0 ? kClassNames[static_cast<std::size_t>(e.label)] : "") + "," +
           (e.predicted >= 0 ? kClassNames[static_cast<std::size_t>(e.predicted)] : "") + "," +
           cv::format("%.5f", e.confidence) + "," + (e.detected ? "1" : "0") + "," +
           (e.predicted < 0      ? ""
            : e.template_aligned ? "template"
                                 : "image");
    for (float p : e.probs) csv += cv::format(",%.5f", p);
    csv += "\n";
  }
  writeAtomically(out / "per_image.csv", csv);
  const nlohmann::json j = evalToJson(r);
  writeAtomically(out / "results.json", j.dump(2) + "\n");
}

void writeConfidenceComparison(const EvalResult& clear, const EvalResult& dark, const fs::path& png) {
  savePng(png, drawHistograms({confidences(clear), confidences(dark)}, {"clear", "low light"},
                              {cv::Scalar(200, 120, 40), cv::Scalar(40, 60, 200)},
                              "confidence on the same faces, clear vs low light (Fig. 6)"));
}

void writeRobustnessChart(const std::vector<EvalResult>& results, const fs::path& png,
                          const std::string& title) {
  if (results.empty()) throw std::invalid_argument("writeRobustnessChart: no results");
  const int row = 34, L = 120, R = 90, T = 60, B = 40, W = 760;
  const int H = T + B + row * static_cast<int>(results.size());
  cv::Mat img(H, W, CV_8UC3, cv::Scalar(255, 255, 255));
  const auto font = cv::FONT_HERSHEY_SIMPLEX;
  cv::putText(img, title, {10, 26}, font, 0.55, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  const auto xOf = [&](double acc) { return L + static_cast<int>(std::lround(acc * (W - L - R))); };
  for (int tick = 0; tick <= 10; ++tick) {  // 0%, 10%, ... 100%
    const int x = xOf(tick / 10.0);
    cv::line(img, {x, T - 6}, {x, H - B}, cv::Scalar(225, 225, 225), 1);
    cv::putText(img, std::to_string(tick * 10), {x - 8, H - B + 18}, font, 0.4, cv::Scalar(90, 90, 90), 1,
                cv::LINE_AA);
  }
  cv::putText(img, "accuracy (%)", {W / 2 - 40, H - 8}, font, 0.45, cv::Scalar(60, 60, 60), 1, cv::LINE_AA);
  const double ref = results.front().accuracy();
  const int xr = xOf(ref);  // the reference, under the bars and labels
  cv::line(img, {xr, T - 6}, {xr, H - B}, cv::Scalar(40, 40, 200), 1);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const EvalResult& r = results[i];
    const int y = T + static_cast<int>(i) * row;
    const cv::Scalar colour = i == 0 ? cv::Scalar(120, 120, 120) : cv::Scalar(200, 120, 40);
    cv::rectangle(img, {L, y + 5}, {xOf(r.accuracy()), y + row - 5}, colour, cv::FILLED);
    cv::putText(img, perturbationName(r.perturbation), {8, y + row / 2 + 5}, font, 0.5, cv::Scalar(0, 0, 0),
                1, cv::LINE_AA);
    const std::string label =
        i == 0 ? cv::format("%.2f%%", 100 * r.accuracy())
               : cv::format("%.2f%% (%+.2f)", 100 * r.accuracy(), 100 * (r.accuracy() - ref));
    const cv::Point at(xOf(r.accuracy()) + 6, y + row / 2 + 5);
    int base = 0;
    const cv::Size size = cv::getTextSize(label, font, 0.42, 1, &base);
    cv::rectangle(img, at + cv::Point(-2, base), at + cv::Point(size.width + 2, -size.height - 2),
                  cv::Scalar(255, 255, 255), cv::FILLED);
    cv::putText(img, label, at, font, 0.42, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  savePng(png, img);
}

}  // namespace lldif
