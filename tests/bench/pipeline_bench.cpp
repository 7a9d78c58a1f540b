// Micro-benchmarks of the viewer's per-frame stages on a real 640x480 frame (a CC0 portrait on a canvas):
// darkening (exact vs tabulated), detection, landmarks, alignment, and the shipped model on one face and
// on the clear + dark pair of compare mode (one pass per face: ModelOptions::flip_average off, as the viewer
// reads video). The whole-frame figure comes from `lldif bench --source`.
//   build/tests/lldif_pipeline_bench [--benchmark_repetitions=5 --benchmark_report_aggregates_only=true]
#include <benchmark/benchmark.h>

#include <filesystem>

#include "bench_main.h"
#include "core/emotion_model.h"
#include "core/face_analyzer.h"
#include "core/image_io.h"
#include "core/lowlight.h"
#include "test_support.h"

namespace {

using namespace lldif;

struct Frame640 {
  cv::Mat frame, gray;
  FaceAnalyzer analyzer;
  FaceResult face;
  std::unique_ptr<EmotionModel> model;
  Frame640() {
    frame = test::placeOnCanvas(loadImageBgr(test::faceImage("portrait-005.jpg")), {640, 480});
    gray = toGray(frame);
    face = analyzer.analyze(frame, false).faces.at(0);
    ModelOptions one_pass;
    one_pass.flip_average = false;
    model = EmotionModel::load(std::filesystem::path(LLDIF_SOURCE_DIR) / "models/lldif.ckpt", one_pass);
  }
};

Frame640& f() {
  static Frame640 x;
  return x;
}

void BM_DarkenExact(benchmark::State& state) {
  const LowLightParams p = lowLightPreset("ll").typical();
  std::uint64_t seed = 0;
  for (auto _ : state) benchmark::DoNotOptimize(darken(f().frame, p, ++seed));
}
void BM_DarkenTabulated(benchmark::State& state) {
  const DarkenSampler sampler(lowLightPreset("ll").typical());
  std::uint64_t seed = 0;
  for (auto _ : state) benchmark::DoNotOptimize(sampler.apply(f().frame, ++seed));
}
void BM_DarkenSamplerBuild(benchmark::State& state) {
  const LowLightParams p = lowLightPreset("ll").typical();
  for (auto _ : state) benchmark::DoNotOptimize(DarkenSampler(p));
}
void BM_AnalyzeFrame(benchmark::State& state) {  // gray + detect + landmarks + align, one face
  for (auto _ : state) benchmark::DoNotOptimize(f().analyzer.analyze(f().frame, true));
}
void BM_Align(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(alignFace(f().gray, f().face.landmarks));
}
void BM_ModelOneFace(benchmark::State& state) {
  const std::vector<ModelInput> in = {{f().face.aligned.crop, f().face.aligned.heatmaps}};
  for (auto _ : state) benchmark::DoNotOptimize(f().model->predict(in, {1}));
}
void BM_ModelClearAndDark(benchmark::State& state) {  // compare mode: both passes in one batch
  const AlignedFace dark =
      alignFace(toGray(darken(f().frame, lowLightPreset("ll").typical(), 3)), f().face.landmarks);
  const std::vector<ModelInput> in = {{f().face.aligned.crop, f().face.aligned.heatmaps},
                                      {dark.crop, dark.heatmaps}};
  for (auto _ : state) benchmark::DoNotOptimize(f().model->predict(in, {1, 1}));
}

}  // namespace

BENCHMARK(BM_DarkenExact)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_DarkenTabulated)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_DarkenSamplerBuild)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_AnalyzeFrame)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_Align)->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK(BM_ModelOneFace)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_ModelClearAndDark)->Unit(benchmark::kMillisecond)->MinTime(1.0);

int main(int argc, char** argv) { return lldif::bench::runBenchmarks(argc, argv); }
