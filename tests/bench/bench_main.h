// bench_main.h - the main() of the benchmark programs: OpenBLAS's kernels chosen as lldif and the viewer
// choose them (core/blas_kernels.h), then Google Benchmark, with those kernels in the printed context.
#pragma once

#include <benchmark/benchmark.h>

#include "core/blas_kernels.h"

namespace lldif::bench {

inline int runBenchmarks(int argc, char** argv) {
  ensureFastBlasKernels();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("blas", blasKernelsSummary());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace lldif::bench
