// cli_run.h - runs the real `lldif` executable (LLDIF_CLI), or another program, with a shell command line
// and collects its output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace lldif::test {

struct CliRun {
  int code;         // exit status
  std::string out;  // stdout (and stderr when merged)
};

// Runs `program args` through the shell. Not thread safe (popen of a shell).
inline CliRun runProgram(const std::string& program, const std::string& args, bool merge_stderr = false) {
  const std::string cmd = program + " " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return {-1, "popen failed: " + cmd};
  std::string out;
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WEXITSTATUS(status), out};
}

// requires: LLDIF_CLI names the built lldif executable.
inline CliRun run(const std::string& args, bool merge_stderr = false) {
  return runProgram(LLDIF_CLI, args, merge_stderr);
}

}  // namespace lldif::test
