#include "core/progress.h"

#include <unistd.h>

#include "core/stopwatch.h"

namespace lldif {

Progress::Progress(std::string label, long long total, std::FILE* out, double interval_s)
    : label_(std::move(label)),
      total_(total),
      out_(out),
      interval_s_(interval_s),
      start_(Clock::now()),
      last_print_(start_ - std::chrono::hours(1)),
      tty_(isatty(fileno(out)) != 0) {}

double Progress::elapsedSeconds() const { return secondsSince(start_); }

std::string Progress::formatDuration(double s) { return lldif::formatDuration(s); }

void Progress::update(long long done, const std::string& extra) {
  last_done_ = done;
  const auto now = Clock::now();
  if (std::chrono::duration<double>(now - last_print_).count() < interval_s_) return;
  last_print_ = now;
  print(done, extra, false);
}

void Progress::finish(const std::string& extra) { print(total_ > 0 ? total_ : last_done_, extra, true); }

void Progress::print(long long done, const std::string& extra, bool final) {
  const double el = elapsedSeconds();
  const double fraction = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 0.0;
  const double pct = 100.0 * fraction;
  const std::string eta = formatEta(el, fraction);
  if (final) {
    std::fprintf(out_, "%s%s %lld/%lld done in %s%s%s\n", tty_ ? "\r" : "", label_.c_str(), done, total_,
                 formatDuration(el).c_str(), extra.empty() ? "" : "  ", extra.c_str());
  } else {
    std::fprintf(out_, "%s%s %lld/%lld %5.1f%%  elapsed %s  ETA %s%s%s%s", tty_ ? "\r" : "", label_.c_str(),
                 done, total_, pct, formatDuration(el).c_str(), eta.c_str(), extra.empty() ? "" : "  ",
                 extra.c_str(), tty_ ? "   " : "\n");
  }
  std::fflush(out_);
}

}  // namespace lldif
