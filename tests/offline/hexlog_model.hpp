// SPDX-License-Identifier: MIT
// The hexlog tests' reference model, written independently of the parser and renderer under
// test: a firmware-like image, the console log U-Boot prints for dumping it (md.b/w/l, old 4-space
// and new 2-space ASCII column, optional per-chunk crc32 as `camdump script uart` emits, echoed
// commands, repeats by an empty line), a damage generator applying what serial lines and terminal
// loggers do to such a log (recording the true addresses each damage touches), the decorations a
// logger adds (CR LF / LF, timestamps, ANSI colour), and the repair log a camera would print for
// a list of ranges.
#pragma once
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/crc32.hpp"

namespace camdump::test::model {

struct Line {
  std::string text;
  bool md = false;     ///< an md data line (damage targets these)
  uint64_t addr = 0;   ///< md: the true address
  unsigned count = 0;  ///< md: data bytes
};

struct Range {
  uint64_t addr = 0, size = 0;
};

enum class Damage {
  LoseFirst,
  LoseMiddle,
  LoseLast,
  LoseSeveral,
  LoseManyInARow,
  Duplicate,
  Merge,
  Split,
  DropHex,
  InsertHex,
  FlipHex,
  FlipAscii,
  DropAscii,
  FlipAddr,
  DropAddr,
  InsertAddr,
  GarbageBurst,
  TruncateLast,
  LoseThenReRead,
  GarbleFirstOfRun,
  GarbleOneLineReRead,
  CrcWrong,
  FlipHexInvisible,
};
constexpr int kDamageKinds = 23;
const char* damage_name(Damage d);

struct LogSpec {
  unsigned width = 1;          ///< md.b / md.w / md.l
  bool old_dialect = false;    ///< 4 spaces before the ASCII column
  bool crc_chunks = false;     ///< crc32 + md per chunk (script uart), else one md (+ repeats)
  uint64_t chunk = 256;        ///< crc chunk size
  bool use_repeat = false;     ///< (no crc) the md is continued by empty lines at the prompt
  bool lowercase_crc = false;  ///< the hash-command form "crc32 for ..."
};

struct Decor {
  bool crlf = true;
  bool timestamps = false;
  bool ansi = false;
};

/// A random image with what firmware has: erased 0xff runs, zero runs, text, random data.
std::vector<uint8_t> firmware_like(size_t n, std::mt19937& rng);
/// One md line exactly as print_buffer() prints it (no line end).
std::string md_line(const std::vector<uint8_t>& img, uint64_t base, uint64_t addr, unsigned n, unsigned width,
                    bool old_dialect);
/// The U-Boot console lines of dumping `img` at `base`.
std::vector<Line> dump_log(const std::vector<uint8_t>& img, uint64_t base, const LogSpec& spec);
/// Apply one damage at a random place; `damaged` gets the true address ranges it touched. Returns
/// false when the log has no place for it.
bool apply(Damage d, std::vector<Line>& lines, const std::vector<uint8_t>& img, uint64_t base, const LogSpec& spec,
           std::mt19937& rng, std::vector<Range>& damaged, std::vector<size_t>& used);
/// The log as a file: line ends and logger decorations.
std::string render(const std::vector<Line>& lines, const Decor& decor, std::mt19937& rng);
/// What the camera prints for `md.b A N` + `crc32 A N` of each range (clipped to the image).
std::string repair_log(const std::vector<uint8_t>& img, uint64_t base, const std::vector<Range>& ranges);

}  // namespace camdump::test::model
