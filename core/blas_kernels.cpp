#include "core/blas_kernels.h"

#include <dlfcn.h>

#include <strings.h>
#include <array>
#include <cstdlib>

namespace lldif {

namespace {

// The kernels OpenBLAS chose itself, when ensureFastBlasKernels() replaced them; else empty.
std::string& detectedCore() {
  static std::string core;
  return core;
}

// openblas_get_corename() if OpenBLAS is loaded in this process, else null.
const char* openblasCoreName() {
  using CoreNameFn = char* (*)();
  auto fn = reinterpret_cast<CoreNameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return fn != nullptr ? fn() : nullptr;
}

}  // namespace

CpuVectorFeatures cpuVectorFeatures() {
  CpuVectorFeatures f;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  f.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  f.avx512 = f.avx2_fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512cd");
#endif
  return f;
}

std::optional<std::string> blasCoreOverride(const char* core, const CpuVectorFeatures& cpu) {
  if (core == nullptr || !cpu.avx2_fma) return std::nullopt;
  // OpenBLAS 0.3.21's kernel sets that use AVX2 or better (dynamic.c's core names).
  static constexpr std::array<const char*, 6> kAvx2Cores = {"Haswell",  "Excavator",  "Zen",
                                                            "SkylakeX", "Cooperlake", "SapphireRapids"};
  for (const char* good : kAvx2Cores)
    if (strcasecmp(core, good) == 0) return std::nullopt;
  return std::string(cpu.avx512 ? "SkylakeX" : "Haswell");
}

void ensureFastBlasKernels() {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;  // the user's choice
  const char* core = openblasCoreName();
  const std::optional<std::string> target = blasCoreOverride(core, cpuVectorFeatures());
  if (!target) return;
  // gotoblas_dynamic_quit / _init are what OpenBLAS's own load-time constructor runs (dynamic.c): the
  // first forgets the kernel table, the second picks one again, reading OPENBLAS_CORETYPE, and sets its
  // blocking sizes. Nothing has used a kernel yet, so nothing else holds on to the old table.
  using Fn = void (*)();
  auto quit = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
  auto init = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
  if (quit == nullptr || init == nullptr) return;  // not a DYNAMIC_ARCH build: its kernels are fixed
  detectedCore() = core;
  if (::setenv("OPENBLAS_CORETYPE", target->c_str(), 1) != 0) return;
  quit();
  init();
}

std::string blasKernelsSummary() {
  const char* core = openblasCoreName();
  if (core == nullptr) return "not OpenBLAS";
  std::string s = std::string("OpenBLAS ") + core;
  const char* forced = std::getenv("OPENBLAS_CORETYPE");
  if (!detectedCore().empty())
    s += " (set by lldif; OpenBLAS chose " + detectedCore() + " for this CPU)";
  else if (forced != nullptr)
    s += std::string(" (OPENBLAS_CORETYPE=") + forced + ")";
  return s;
}

}  // namespace lldif
