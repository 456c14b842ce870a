// SPDX-License-Identifier: MIT
// Terminal log of U-Boot md.b/md.w/md.l output -> the bytes it shows. Streams: logs are fed in
// chunks of any size, only the image (a SparseImage) is kept, so memory follows the output size,
// not the log size. A log file that can be mapped is parsed in parts on all cores, with the same
// result as reading it line by line. Reads the logs people have: \r\n or \n, ANSI escapes, logger
// timestamps, prompts and echoed commands, several md runs, re-reads, 4- and 2-space ASCII column,
// short unpadded last lines. Format facts: U-Boot lib/display_options.c print_buffer(), cmd/mem.c
// do_mem_md(), common/hash.c (docs/reference/uboot-console.md#md, #crc32).
//
// The one promise: bytes count as read only when a line read them correctly *and* its address
// is trusted. A line's address is trusted (the line is "confirmed") when the md line next to it
// in the log agrees with it (16 bytes apart, or 16 per damaged line between them), or when it is
// the first line after an echoed `md ADDR` and shows ADDR. Unconfirmed lines are reported and
// never stored. So a lost, duplicated, merged or split line costs exactly the damaged lines, and
// the run continues. The target range comes from --start/--size, else the echoed md commands,
// else the md lines seen; every target byte not covered is a gap. `crc32` results in the log
// check the bytes of their range.
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
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
    Corrupt,      ///< md lines whose hex/ASCII is damaged (consecutive ones merged into one issue)
    Lost,         ///< a run skipped these addresses: lines lost between two log lines
    Unconfirmed,  ///< a well-formed line whose address no neighbour confirms (not used)
    Conflict,     ///< two confirmed reads of the same bytes disagree
    CrcMismatch,  ///< a crc32 result in the log disagrees with the bytes read
  };
  Kind kind = Kind::Corrupt;
  uint64_t addr = 0;        ///< first address concerned
  uint64_t size = 16;       ///< bytes concerned
  unsigned source = 0;      ///< which log (index of begin_source calls)
  uint64_t line = 0;        ///< 1-based log line (Lost: the line before the loss)
  uint64_t line_end = 0;    ///< Corrupt: last line of the range; Lost: the line after the loss
  uint64_t other_line = 0;  ///< Conflict: the line of the earlier read (in source other_source)
  unsigned other_source = 0;
  uint32_t crc_log = 0, crc_read = 0;  ///< CrcMismatch: what the camera printed, what the bytes give
  bool recovered = false;              ///< the bytes concerned were read correctly elsewhere in the logs
};

const char* issue_kind_name(HexlogIssue::Kind k) noexcept;

struct HexlogOptions {
  uboot::Endian endian = uboot::Endian::Little;  ///< how md.w/md.l words map to bytes (T-series: little)
  std::optional<uint64_t> start;                 ///< first address of the output
  std::optional<uint64_t> size;                  ///< output size
  size_t max_issues = 1000;                      ///< issues kept in detail; the rest are only counted
  Reporter* reporter = nullptr;                  ///< progress while reading (input bytes)
  unsigned threads = 0;                          ///< threads for feed_parallel (0: one per core)
  size_t parallel_min = 8u << 20;                ///< feed_parallel parses smaller inputs on one thread
  uint64_t max_log_bytes = 0;                    ///< read_path refuses a longer input (0: no limit)
  const CancelFlag* cancel = nullptr;
};

/// Where the output range came from.
enum class TargetFrom { None, Options, Commands, Lines };

/// A crc32 result found in a log and what checking it gave.
struct HexlogCrc {
  uint64_t addr = 0, size = 0;
  uint32_t crc = 0;
  unsigned source = 0;
  uint64_t line = 0;
  enum class State { Verified, Mismatch, Superseded, Unchecked, Outside } state = State::Unchecked;
};

struct HexlogSummary {
  uint64_t start = 0, size = 0;  ///< the output range (size 0: no md line found)
  TargetFrom target_from = TargetFrom::None;
  uint64_t lines = 0;            ///< all lines read
  uint64_t md_lines = 0;         ///< confirmed md lines stored
  uint64_t repeated_lines = 0;   ///< of those, identical re-reads of bytes already known
  uint64_t unchecked_lines = 0;  ///< of those, lines without an ASCII column to check against
  uint64_t outside_lines = 0;    ///< confirmed lines outside --start/--size
  uint64_t corrupt_lines = 0, unconfirmed_lines = 0, conflict_lines = 0;
  uint64_t md_commands = 0;  ///< echoed md commands (and repeats by an empty line) seen
  unsigned widths = 0;       ///< bit w set for each md.<w> width seen (1, 2, 4)
  uint64_t log_bytes = 0;
  std::vector<AddrRange> gaps;  ///< missing or disagreeing byte ranges inside [start, start+size)
  uint64_t gap_bytes = 0;
  std::vector<HexlogCrc> crcs;      ///< crc32 results found in the logs, checked
  std::vector<AddrRange> verified;  ///< merged ranges a crc32 in the log confirmed
  uint64_t verified_bytes = 0;
  uint64_t crc_failures = 0;      ///< crc32 results that disagree (and no other agrees)
  std::vector<AddrRange> repair;  ///< ranges to read again (gaps and crc32 failures, merged)
  std::vector<HexlogIssue> issues;
  uint64_t issues_dropped = 0;  ///< issues beyond max_issues (counted, not listed)
  bool complete() const { return size > 0 && gap_bytes == 0 && crc_failures == 0; }
};

class HexlogReader {
 public:
  explicit HexlogReader(HexlogOptions opt = {});
  ~HexlogReader();
  HexlogReader(const HexlogReader&) = delete;
  HexlogReader& operator=(const HexlogReader&) = delete;

  /// Start the next log (line numbers restart, runs and command state reset).
  void begin_source();
  /// Feed log bytes; lines may be split across calls.
  void feed(std::string_view chunk);
  /// End the current log (a last line without a line end is processed).
  void end_source();
  /// Feed a large block that is all in memory at once (a mapped log): it is cut at line ends into
  /// one part per thread, each parsed by its own reader, and the parts are joined in order. The
  /// result is exactly that of feed(text); where a part's start depends on what came before it
  /// (a damaged line or a command at the cut, a byte read in two parts) the rest is read again
  /// on this thread.
  void feed_parallel(std::string_view text);
  /// Parts feed_parallel joined without reading them again (for tests and benchmarks).
  unsigned parts_joined() const { return parts_joined_; }
  /// begin_source + read everything from `path` ("-" = stdin) in large blocks + end_source.
  /// Throws Error(NotFound/Permission/Io), Error(Usage) for a device or an input longer than
  /// max_log_bytes.
  void read_path(const std::filesystem::path& path);

  /// Decide the output range, list the gaps, check the crc32 results, mark recovered issues.
  /// Call once, after all input.
  HexlogSummary finish();
  /// Bytes [addr, addr+out.size()) of the image. Bytes never read become `fill`; bytes read
  /// differently twice become `fill` too, or the first read when `as_read`.
  void copy_range(uint64_t addr, std::span<uint8_t> out, uint8_t fill, bool as_read = false) const {
    image_.copy_range(addr, out, fill, as_read);
  }

 private:
  /// How a reader's first line met its (unknown) past, for joining parts.
  enum class First { None, Confirmed, Other };
  struct Pending {
    uboot::MdLine l;
    uint64_t line = 0;
    bool from_jump = false;  ///< a Lost issue is due when confirmed (from good_end_ to l.addr)
    uint64_t lost_from = 0, lost_line = 0;
    bool then_text = false;  ///< the next log line is not an md line (the run ended with it)
  };
  struct MdCommand {
    uint64_t addr = 0, units = 0;
    unsigned width = 4;
  };

  void feed_blocks(std::string_view text);
  void process_line(const char* p, size_t n, bool terminated);
  bool try_clean_line(const char* p, size_t n);
  void accept(const uboot::MdLine& l);
  void store(const uboot::MdLine& l, uint64_t line);
  void confirm_pending();
  void drop_pending();
  void corrupt_line(const uboot::MdLine& l);
  void other_line(std::string_view clean, bool terminated);
  bool one_command(std::string_view text, std::string_view prompt, bool starts_run);
  void md_command(uint64_t addr, uint64_t units, unsigned width, bool starts_run);
  void add_issue(HexlogIssue issue);
  void close_corrupt();
  void reject(uint64_t addr, uint64_t size);
  bool absorb(HexlogReader& later);
  void decide_range(HexlogSummary& s) const;
  void check_crcs(HexlogSummary& s);

  HexlogOptions opt_;
  SparseImage image_;
  std::string carry_, scratch_;
  bool overlong_ = false;
  unsigned source_ = 0;
  uint64_t line_no_ = 0;
  // The md run: end of the last md line (or an echoed command's address), damaged md lines since.
  std::optional<uint64_t> expect_;
  uint64_t corrupt_since_ = 0;
  // The end of the last confirmed line (or echoed command address) and its log line: where a
  // Lost range starts when a later line jumps ahead.
  std::optional<uint64_t> good_end_;
  uint64_t good_line_ = 0;
  std::optional<Pending> pending_;           ///< a line waiting for its successor to confirm it
  std::optional<uint64_t> cmd_end_;          ///< end of the range of the last echoed (or repeated) md
  std::optional<HexlogIssue> open_corrupt_;  ///< consecutive damaged lines so far (one issue)
  // Commands: the last md (for a repeat by an empty line), the prompt it was typed at, setenv.
  std::optional<MdCommand> last_md_;
  bool last_cmd_md_ = false;
  bool saw_command_ = false;  ///< a command was read (for joining parts)
  std::string prompt_;
  std::optional<MdCommand> repeat_;  ///< an empty line repeated md: takes effect at the next md line
  std::map<std::string, std::string> vars_;
  bool needs_context_ = false;      ///< met a repeat/${var}/default count it could not resolve alone
  std::vector<AddrRange> targets_;  ///< ranges of the echoed md commands
  std::vector<HexlogCrc> crcs_;
  std::vector<AddrRange> rejected_;  ///< addresses of unconfirmed and corrupt lines (capped)
  uint64_t lo_ = ~0ull, hi_ = 0;     ///< lowest/highest+1 address of confirmed lines
  HexlogSummary sum_;
  uint64_t next_progress_ = 0;
  First first_ = First::None;  ///< line 1 of the current source, as far as joining cares
  uint64_t first_addr_ = 0;
  bool first_pending_ = false;                     ///< line 1 is an md line still waiting for confirmation
  std::atomic<uint64_t>* shared_bytes_ = nullptr;  ///< input bytes read by all parts (progress)
  bool populate_ = false;                          ///< the input is a file mapping (read_path)
  unsigned parts_joined_ = 0;
};

}  // namespace camdump::dump
