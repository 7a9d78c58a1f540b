#include "core/progress.h"

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "core/stopwatch.h"

namespace lldif {
namespace {

// Everything written to `f` so far.
std::string contentsOf(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[256];
  while (std::fgets(buf, sizeof buf, f)) s += buf;
  return s;
}

TEST(Progress, TheTimeLeftIsExtrapolatedFromTheFractionDone) {
  EXPECT_EQ(formatEta(10.0, 0.5), "10s");
  EXPECT_EQ(formatEta(30.0, 0.2), "2m00s");
  EXPECT_EQ(formatEta(36.0, 0.01), "59m24s");
  EXPECT_EQ(formatDuration(3725.0), "1h02m");
}

TEST(Progress, NoEstimateFromTheFirstItems) {
  // One image of a 3,579-image folder after 0.8 s would extrapolate to 48 minutes: too early to say.
  EXPECT_EQ(formatEta(0.8, 1.0 / 3579.0), "?");
  EXPECT_EQ(formatEta(5.0, 0.0), "?");
  EXPECT_EQ(formatEta(5.0, -1.0), "?");
}

TEST(Progress, LinesCountTheWorkAndTheLastSaysHowLongItTook) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("eval demo", 1000, f, 0.0);
    p.update(1);
    p.update(500, "pass 1/2");
    p.finish("accuracy 90.00%");
  }
  const std::string out = contentsOf(f);
  std::fclose(f);
  EXPECT_NE(out.find("eval demo 1/1000   0.1%"), std::string::npos) << out;
  EXPECT_NE(out.find("ETA ?"), std::string::npos) << out;  // the first line: too early for an estimate
  EXPECT_NE(out.find("eval demo 500/1000  50.0%"), std::string::npos) << out;
  EXPECT_NE(out.find("pass 1/2"), std::string::npos) << out;
  EXPECT_NE(out.find("eval demo 1000/1000 done in"), std::string::npos) << out;
  EXPECT_NE(out.find("accuracy 90.00%"), std::string::npos) << out;
}

}  // namespace
}  // namespace lldif
