// side_by_side.h - the rows of a batch cut into parts that run side by side on a multi-core CPU, one thread
// each with one OpenMP thread. On this network of many small operations OpenMP's fork and join at every
// operation cost more than they gain; inference (EmotionModel::predict) and data-parallel training
// (CpuDataParallel) use the cores this way instead (docs/MODEL.md, docs/TRAINING.md).
//
// Contract: runSideBySide(n, rows, part) requires n >= 1 and calls part(k, from, to) for every k in [0, n)
// with rows [k * rows / n, (k + 1) * rows / n): part 0 on the calling thread, each other part on a thread of
// its own, every one with one OpenMP thread. ensures: returns the n results in order of k; waits for every
// part even when one throws, then rethrows the first failure; the calling thread's OpenMP thread count is
// what it was. Thread safe when part is.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <future>
#include <type_traits>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

namespace lldif {

// For its lifetime, the calling thread's operations run on one OpenMP thread (OpenMP's setting is each
// thread's own); then the count is what it was, also when the scope is left by an exception.
class OneOpenMpThread {
 public:
  OneOpenMpThread() : saved_(at::get_num_threads()) { at::set_num_threads(1); }
  ~OneOpenMpThread() { at::set_num_threads(saved_); }
  OneOpenMpThread(const OneOpenMpThread&) = delete;
  OneOpenMpThread& operator=(const OneOpenMpThread&) = delete;

 private:
  int saved_;
};

template <class Part>
auto runSideBySide(int64_t n, int64_t rows, const Part& part)
    -> std::vector<std::invoke_result_t<const Part&, int64_t, int64_t, int64_t>> {
  using Result = std::invoke_result_t<const Part&, int64_t, int64_t, int64_t>;
  std::vector<std::future<Result>> others;
  for (int64_t k = 1; k < n; ++k) {
    others.push_back(std::async(std::launch::async, [&part, k, n, rows] {
      const OneOpenMpThread one;
      return part(k, k * rows / n, (k + 1) * rows / n);
    }));
  }
  const OneOpenMpThread one;
  std::vector<Result> results;
  std::exception_ptr failure;
  try {
    results.push_back(part(0, 0, rows / n));
  } catch (...) {
    failure = std::current_exception();
  }
  for (auto& f : others) {
    try {
      results.push_back(f.get());
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  return results;
}

// A row-wise tensor computation f(from, to) -> [to - from, ...] over rows [0, rows), cut into at most
// `parts` chunks (never an empty one) that run side by side as runSideBySide runs them, the results
// concatenated in row order. With one chunk (parts <= 1 or a single row), f(0, rows) runs on the calling
// thread as it is, its OpenMP thread count untouched. Each chunk's thread has its own grad mode: f sets the
// guard it needs. Thread safe when f is.
template <class F>
at::Tensor catSideBySide(int64_t parts, int64_t rows, const F& f) {
  const int64_t n = std::min(parts, rows);
  if (n <= 1) return f(0, rows);
  return at::cat(runSideBySide(n, rows, [&f](int64_t, int64_t from, int64_t to) { return f(from, to); }));
}

}  // namespace lldif
