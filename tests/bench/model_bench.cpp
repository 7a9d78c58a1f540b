// Stage-2 inference per face (PNET_s2 + T denoiser steps + LLformer) through the public EmotionModel API,
// on real aligned input (a CC0 portrait through dlib + alignment), of the shipped model (models/lldif.ckpt,
// its real configuration), or of LLDIF_BENCH_MODEL when set; without either, of an untrained checkpoint of
// the default configuration written here (timing does not depend on the weights' values). One pass per face
// (the network itself, as issue 3 defines the figure); LLDIF_BENCH_FLIP=1 times the default mirror averaging
// (each face and its mirror image: twice the rows).
//   build/tests/lldif_model_bench [--benchmark_repetitions=5 --benchmark_report_aggregates_only=true]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "bench_main.h"
#include "core/data_paths.h"
#include "core/emotion_model.h"
#include "core/face_analyzer.h"
#include "core/image_io.h"
#include "test_support.h"

namespace {

using namespace lldif;

struct Fixture {
  test::TempDir dir;
  std::unique_ptr<EmotionModel> model;
  ModelInput face;
  Fixture() {
    const char* chosen = std::getenv("LLDIF_BENCH_MODEL");
    std::filesystem::path file = chosen ? std::filesystem::path(chosen) : findData("models/lldif.ckpt");
    if (file.empty()) {
      file = dir / "bench.ckpt";
      writeUntrainedModel(file, 1);
    }
    const char* th = std::getenv("LLDIF_THREADS");
    const char* flip = std::getenv("LLDIF_BENCH_FLIP");
    ModelOptions mo;
    mo.device = "cpu";
    mo.threads = th ? std::atoi(th) : 0;
    mo.flip_average = flip && std::atoi(flip) != 0;
    model = EmotionModel::load(file, mo);
    std::fprintf(stderr, "model: %s%s\n", file.string().c_str(),
                 mo.flip_average ? " (each face with its mirror image)" : "");
    AnalyzerOptions o;
    o.detector = DetectorOptions::stills();
    FaceAnalyzer analyzer(o);
    const auto r = analyzer.analyze(loadImageBgr(test::faceImage("portrait-005.jpg")), false);
    face = {r.faces.at(0).aligned.crop, r.faces.at(0).aligned.heatmaps};
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void run(benchmark::State& state, int batch, int steps) {
  Fixture& f = fixture();
  f.model->setTimesteps(steps);
  const std::vector<ModelInput> faces(static_cast<std::size_t>(batch), f.face);
  PredictTimings t, sum;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.model->predict(faces, {}, 1, &t));
    sum.prior_ms += t.prior_ms;
    sum.classify_ms += t.classify_ms;
    sum.total_ms += t.total_ms;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["prior_ms"] = sum.prior_ms / n;
  state.counters["llformer_ms"] = sum.classify_ms / n;
  state.counters["other_ms"] = (sum.total_ms - sum.prior_ms - sum.classify_ms) / n;
  state.counters["ms_per_face"] =
      benchmark::Counter(static_cast<double>(batch) * state.iterations(),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["params"] = static_cast<double>(f.model->info().parameters);
  state.counters["MMACs_per_face"] = static_cast<double>(f.model->info().macs_per_face) / 1e6;
  f.model->setTimesteps(4);
}

void BM_Stage2Batch(benchmark::State& state) { run(state, static_cast<int>(state.range(0)), 4); }
// Wall time (UseRealTime): the rows run in chunks on several threads, so the main thread's CPU time
// (Google Benchmark's default clock, and the base of the ms_per_face rate) would undercount a batch.
BENCHMARK(BM_Stage2Batch)->Arg(1)->Arg(32)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();

void BM_Stage2Steps(benchmark::State& state) { run(state, 1, static_cast<int>(state.range(0))); }
BENCHMARK(BM_Stage2Steps)->DenseRange(1, 8)->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();

}  // namespace

int main(int argc, char** argv) { return lldif::bench::runBenchmarks(argc, argv); }
