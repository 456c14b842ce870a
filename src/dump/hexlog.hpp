// SPDX-License-Identifier: MIT
// Terminal log of U-Boot md.b/md.w/md.l output -> the bytes it shows. Streams: logs are fed in
// chunks of any size, only the image (a SparseImage) is kept, so memory follows the output size,
// not the log size. A log file that can be mapped is parsed in parts on all cores, with the same
// result as reading it line by line. Reads the logs people have: \r\n or \n,
// ANSI escapes, logger timestamps ("[2026-01-01 12:00:00.123] ", "12:00:00.123 "), prompts and
// echoed commands, several md runs, overlapping re-reads (identical: fine; different: conflict),
// 4- and 2-space ASCII column, short unpadded last lines. The ASCII column checks the hex, and an
// md line must continue the address sequence of the line before it (a garbled address digit
// must not put bytes elsewhere). Format facts: protocols.md §4.1, field-notes.md §3.1.
#pragma once
#include <cstdint>
#include <filesystem>
#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/report.hpp"
#include "dump/sparse_image.hpp"
#include "uboot/md_format.hpp"

namespace camdump::dump {

struct HexlogIssue {
  enum class Kind {
    Corrupt,     ///< an md line whose hex/ASCII is damaged
    Sequence,    ///< a well-formed line whose address does not follow the line before it
    Conflict,    ///< a re-read that disagrees with an earlier read of the same bytes
  };
  Kind kind = Kind::Corrupt;
  uint64_t addr = 0;     ///< address of the damaged bytes (line start, or first differing byte)
  uint64_t size = 16;    ///< bytes the line covers
  unsigned source = 0;   ///< which log (index of begin_source calls)
  uint64_t line = 0;     ///< 1-based line number in that log
  uint64_t other_line = 0;  ///< Conflict: the line of the earlier read (in source other_source)
  unsigned other_source = 0;
  bool recovered = false;   ///< Corrupt/Sequence: the bytes were read correctly elsewhere in the logs
};

const char* issue_kind_name(HexlogIssue::Kind k) noexcept;

struct HexlogOptions {
  uboot::Endian endian = uboot::Endian::Little;  ///< how md.w/md.l words map to bytes (T-series: little)
  std::optional<uint64_t> start;                 ///< first address of the output (default: lowest seen)
  std::optional<uint64_t> size;                  ///< output size (default: up to the highest seen)
  size_t max_issues = 1000;                      ///< issues kept in detail; the rest are only counted
  Reporter* reporter = nullptr;                  ///< progress while reading (input bytes)
  unsigned threads = 0;                          ///< threads for feed_parallel (0: one per core)
  size_t parallel_min = 8u << 20;                ///< feed_parallel parses smaller inputs on one thread
  const CancelFlag* cancel = nullptr;
};

struct HexlogSummary {
  uint64_t start = 0, size = 0;  ///< the output range (size 0: no md line found)
  uint64_t lines = 0;            ///< all lines read
  uint64_t md_lines = 0;         ///< well-formed md lines used
  uint64_t repeated_lines = 0;   ///< of those, identical re-reads of bytes already known
  uint64_t unchecked_lines = 0;  ///< of those, lines without an ASCII column to check against
  uint64_t outside_lines = 0;    ///< well-formed lines outside --start/--size
  uint64_t corrupt_lines = 0, sequence_lines = 0, conflict_lines = 0;
  unsigned widths = 0;           ///< bit w set for each md.<w> width seen (1, 2, 4)
  uint64_t log_bytes = 0;
  std::vector<AddrRange> gaps;   ///< missing or unresolved byte ranges inside [start, start+size)
  uint64_t gap_bytes = 0;
  std::vector<HexlogIssue> issues;
  uint64_t issues_dropped = 0;   ///< issues beyond max_issues (counted, not listed)
  bool complete() const { return size > 0 && gap_bytes == 0; }
};

class HexlogReader {
 public:
  explicit HexlogReader(HexlogOptions opt = {});
  ~HexlogReader();
  HexlogReader(const HexlogReader&) = delete;
  HexlogReader& operator=(const HexlogReader&) = delete;

  /// Start the next log (line numbers restart, the address sequence resets).
  void begin_source();
  /// Feed log bytes; lines may be split across calls.
  void feed(std::string_view chunk);
  /// End the current log (a last line without a line end is processed).
  void end_source();
  /// Feed a large block that is all in memory at once (a mapped log): it is cut at line ends into
  /// one part per thread, each parsed by its own reader, and the parts are joined in order. The
  /// result is exactly that of feed(text); where the parts cannot be joined exactly (a byte read
  /// in two parts, a run of md lines whose sequence breaks at a cut) the rest is read again on
  /// this thread.
  void feed_parallel(std::string_view text);
  /// Parts feed_parallel joined without reading them again (for tests and benchmarks).
  unsigned parts_joined() const { return parts_joined_; }
  /// begin_source + read everything from `path` ("-" = stdin) in large blocks + end_source.
  /// Throws Error(NotFound/Permission/Io).
  void read_path(const std::filesystem::path& path);

  /// Decide the output range, list the gaps, mark recovered issues. Call once, after all input.
  HexlogSummary finish();
  /// Bytes [addr, addr+out.size()) of the image; unknown/conflicting bytes become `fill`.
  void copy_range(uint64_t addr, std::span<uint8_t> out, uint8_t fill) const { image_.copy_range(addr, out, fill); }

 private:
  /// How a reader's first line left the md run it was read into (for joining parts).
  enum class First { None, Reset, Accepted, Corrupt };

  void feed_blocks(std::string_view text);
  void process_line(const char* p, size_t n);
  bool try_clean_line(const char* p, size_t n);
  void accept(const uboot::MdLine& l);
  void handle_md(const uboot::MdLine& l);
  void add_issue(HexlogIssue issue);
  bool absorb(HexlogReader& later);

  HexlogOptions opt_;
  SparseImage image_;
  std::string carry_, scratch_;
  bool overlong_ = false;
  unsigned source_ = 0;
  uint64_t line_no_ = 0;
  std::optional<uint64_t> expect_;  ///< address the next md line must have (same run)
  uint64_t lo_ = ~0ull, hi_ = 0;    ///< lowest/highest+1 address accepted
  HexlogSummary sum_;
  uint64_t next_progress_ = 0;
  First first_ = First::None;       ///< line 1 of the current source
  uint64_t first_addr_ = 0;
  std::atomic<uint64_t>* shared_bytes_ = nullptr;  ///< input bytes read by all parts (progress)
  bool populate_ = false;
  unsigned parts_joined_ = 0;                          ///< the input is a file mapping (read_path)
};

}  // namespace camdump::dump
