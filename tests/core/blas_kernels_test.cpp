// The choice of OpenBLAS kernels (core/blas_kernels.h); the programs' use of it is checked through the real
// `lldif` in tests/app/cli_test.cpp.
#include <gtest/gtest.h>

#include "core/blas_kernels.h"

namespace {

using lldif::blasCoreOverride;
using lldif::CpuVectorFeatures;

TEST(BlasKernels, ForcesAvx2OrAvx512KernelsWhereOpenBlasFellBackToOldOnes) {
  const CpuVectorFeatures avx512{true, true}, avx2{true, false}, old{false, false};
  EXPECT_EQ(blasCoreOverride("Prescott", avx512), "SkylakeX");
  EXPECT_EQ(blasCoreOverride("Prescott", avx2), "Haswell");
  EXPECT_EQ(blasCoreOverride("Nehalem", avx2), "Haswell");
  EXPECT_EQ(blasCoreOverride("Sandybridge", avx512), "SkylakeX");  // AVX without FMA kernels
  EXPECT_FALSE(blasCoreOverride("Prescott", old));                 // they are right for this CPU
}

TEST(BlasKernels, KeepsOpenBlasOwnChoiceWhenItAlreadyRunsAvx2Kernels) {
  const CpuVectorFeatures avx512{true, true};
  for (const char* core : {"Haswell", "haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"})
    EXPECT_FALSE(blasCoreOverride(core, avx512)) << core;
  EXPECT_FALSE(blasCoreOverride(nullptr, avx512));  // not OpenBLAS
}

TEST(BlasKernels, ThisProgramRunsKernelsTheCpuCanRun) {
  // The test programs call ensureFastBlasKernels() before main() (test_support.cpp), as lldif does first
  // thing: OpenBLAS has chosen again, in this process, if its own choice was too old for this CPU.
  const std::string s = lldif::blasKernelsSummary();
  if (s == "not OpenBLAS") GTEST_SKIP() << "LibTorch does not run OpenBLAS here";
  ASSERT_EQ(s.rfind("OpenBLAS ", 0), 0u) << s;
  const std::string core = s.substr(9, s.find(' ', 9) - 9);
  EXPECT_FALSE(blasCoreOverride(core.c_str(), lldif::cpuVectorFeatures())) << s;
}

}  // namespace
