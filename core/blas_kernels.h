// blas_kernels.h - makes sure OpenBLAS runs the matrix kernels this CPU can run.
//
// LibTorch on Debian 12 does its matrix products (every Linear layer, attention, the im2col convolutions)
// in OpenBLAS 0.3.21, which picks its kernels once, when it is loaded, from the CPU's model number. On CPUs
// newer than it (seen: a Sapphire Rapids virtual machine that reports "Intel(R) Xeon(R) Processor") it
// falls back to its "Prescott" kernels (SSE3, 2004): a 4M-MAC product took 280 us instead of 82 us, and
// the shipped model at batch 1 20.3 ms instead of 13.4-14.6 ms (docs/MODEL.md). OpenBLAS reads the
// environment variable OPENBLAS_CORETYPE while it is loaded, before main() runs; ensureFastBlasKernels()
// sets it and has OpenBLAS choose again, through the functions its own loader uses.
//
// Contract: nothing here needs LibTorch or OpenBLAS at build time; OpenBLAS is found at run time (dlsym),
// and with another BLAS every function is a no-op that says so.
#pragma once

#include <optional>
#include <string>

namespace lldif {

// What the CPU can run, as far as choosing BLAS kernels goes.
struct CpuVectorFeatures {
  bool avx2_fma = false;  // AVX2 and FMA3 (OpenBLAS "Haswell" kernels)
  bool avx512 = false;    // AVX-512 F, BW, DQ, VL, CD (OpenBLAS "SkylakeX" kernels)
};

// The running CPU's features (as the compiler's runtime, which also checks that the OS saves the
// registers). Thread safe.
CpuVectorFeatures cpuVectorFeatures();

// The OPENBLAS_CORETYPE to force, or nothing. requires: `core` is openblas_get_corename()'s answer (null
// when the BLAS is not OpenBLAS). ensures: a value only when OpenBLAS chose kernels older than AVX2 on a
// CPU that has AVX2 + FMA ("Haswell") or AVX-512 ("SkylakeX"); a choice with AVX2 kernels (Haswell, Zen,
// SkylakeX, ...) is kept, even where a faster one might exist. Pure; thread safe.
std::optional<std::string> blasCoreOverride(const char* core, const CpuVectorFeatures& cpu);

// Call first in main(), before any thread starts and before any matrix product. If OPENBLAS_CORETYPE is
// unset and blasCoreOverride() says so, sets it and makes OpenBLAS choose its kernels again
// (gotoblas_dynamic_quit + gotoblas_dynamic_init, exported by OpenBLAS's DYNAMIC_ARCH builds such as
// Debian's); programs started from this one inherit the variable. Otherwise does nothing. Not thread safe
// (changes the environment and OpenBLAS's kernel table).
void ensureFastBlasKernels();

// One line saying which BLAS kernels run, e.g. "OpenBLAS SkylakeX (set by lldif; OpenBLAS chose Prescott
// for this CPU)", "OpenBLAS Haswell" or "not OpenBLAS". Thread safe while nothing changes the environment.
std::string blasKernelsSummary();

}  // namespace lldif
