// SPDX-License-Identifier: MIT
// docs/cli.md's examples are tests, so they cannot go stale (issue 15). Two kinds:
//   - transcripts: a ```console block, whose lines starting with "$ " are commands and the lines
//     after each are its documented stdout. Every command is run (in one temporary directory per
//     block, camdump on PATH) and must exit 0 (or N with a trailing "# exit N"); every documented
//     line must match a line of the real output, in order, where "…" stands for any text and a
//     line "..." for lines left out.
//   - example lines: a line in any other fenced block that starts with "camdump " and uses the
//     virtual camera (sim:) is run the same way and must exit 0.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/paths.hpp"

namespace ct = camdump::test;
using namespace std::chrono_literals;

namespace {

struct Step {
  std::string cmd;
  int exit_code = 0;
  std::vector<std::string> expect;  // documented output lines
  size_t line = 0;                  // in docs/cli.md
};
struct Block {
  std::vector<Step> steps;
};

std::vector<Block> parse_doc(const std::string& path) {
  std::ifstream f(path);
  std::vector<Block> blocks;
  std::string l;
  bool in = false, console = false;
  size_t n = 0;
  Block cur;
  while (std::getline(f, l)) {
    ++n;
    if (l.rfind("```", 0) == 0) {
      if (in && !cur.steps.empty()) blocks.push_back(cur);
      cur = {};
      console = !in && l == "```console";
      in = !in;
      continue;
    }
    if (!in) continue;
    if (console && l.rfind("$ ", 0) == 0) {
      Step s{l.substr(2), 0, {}, n};
      static const std::regex kExit(R"(\s+# exit (\d+)$)");
      std::smatch m;
      if (std::regex_search(s.cmd, m, kExit)) {
        s.exit_code = std::stoi(m[1]);
        s.cmd = s.cmd.substr(0, static_cast<size_t>(m.position(0)));  // >= 0: it matched
      }
      cur.steps.push_back(s);
    } else if (console && !cur.steps.empty()) {
      cur.steps.back().expect.push_back(l);
    } else if (l.rfind("camdump ", 0) == 0 && l.find("sim:") != std::string::npos) {
      Block b;
      b.steps.push_back(Step{l, 0, {}, n});
      blocks.push_back(b);
    }
  }
  return blocks;
}

// "…" matches any text; everything else literally.
std::regex line_pattern(const std::string& doc) {
  std::string re;
  const std::string ell = "…";
  for (size_t i = 0; i < doc.size();) {
    if (doc.compare(i, ell.size(), ell) == 0) {
      re += ".*";
      i += ell.size();
      continue;
    }
    char c = doc[i++];
    if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) re += '\\';
    re += c;
  }
  return std::regex(re);
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

}  // namespace

TEST(DocsCli, EveryExampleRunsAndEveryTranscriptMatches) {
  const auto blocks = parse_doc(camdump::test::source_dir() + "/docs/cli.md");
  size_t transcripts = 0, commands = 0;
  for (const auto& b : blocks) {
    ct::TempDir dir("camdump-docs");
    for (const auto& s : b.steps) {
      ++commands;
      transcripts += !s.expect.empty();
      // -q: the documented output is stdout; progress and logs on stderr are not part of it.
      auto p = ct::Process::spawn({"sh", "-c", "PATH=\"" + camdump::test::binary_dir() + ":$PATH\" exec " + s.cmd},
                                  {.stdout_file = (dir / "out.txt").string(),
                                   .stderr_file = (dir / "err.txt").string(),
                                   .cwd = dir.path().string()});
      auto st = p.wait_exit(300s);
      if (!st) p.stop();
      const std::string out = ct::read_file(dir / "out.txt");
      ASSERT_TRUE(st && WIFEXITED(*st)) << "docs/cli.md:" << s.line << ": " << s.cmd << " did not finish";
      EXPECT_EQ(WEXITSTATUS(*st), s.exit_code) << "docs/cli.md:" << s.line << ": " << s.cmd << "\n"
                                               << out << ct::read_file(dir / "err.txt");
      const auto got = lines_of(out);
      size_t at = 0;
      for (const auto& want : s.expect) {
        if (want == "..." || want.empty()) continue;
        const std::regex re = line_pattern(want);
        size_t k = at;
        while (k < got.size() && !std::regex_match(got[k], re)) ++k;
        if (k == got.size()) {
          ADD_FAILURE() << "docs/cli.md:" << s.line << ": `" << s.cmd << "` prints no line like\n  " << want
                        << "\nafter line " << at << " of its output:\n"
                        << out;
          break;
        }
        at = k + 1;
      }
    }
  }
  // The reference must keep real examples: a parse that finds none would make this test empty.
  EXPECT_GE(transcripts, 4u);
  EXPECT_GE(commands, 6u);
}
