// SPDX-License-Identifier: MIT
// Streaming md-log reader (see hexlog.hpp): line splitting, the md run (confirmation of each
// line by its neighbour or the echoed command); files are opened and read in hexlog_file.cpp.
// Hot path: the line end guessed from the md.b line length, the SIMD md.b fast path
// (uboot/md_fast.cpp), and SparseImage::put's 16-byte store; a line that continues its run is
// stored at once. Slow path (lines that are not
// clean md lines): strip ANSI escapes/control bytes and logger timestamps (log_text.hpp), then
// parse again; commands and crc32 results are read in hexlog_commands.cpp, the result is put
// together in hexlog_finish.cpp.
#include "dump/hexlog.hpp"

#include "dump/log_text.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

namespace camdump::dump {
namespace {

constexpr size_t kMaxLine = 4096;  // longer "lines" are not md output
constexpr size_t kReadBlock = 4u << 20;
constexpr size_t kPrefetchAhead = 2048;
// A forward jump inside a run up to this far is reported as lost lines; a larger one is taken
// as the start of another run (its gap, if in the target, is still reported as a gap).
constexpr uint64_t kMaxLostJump = 1u << 20;
constexpr size_t kMaxRejected = 1u << 16;

}  // namespace

const char* issue_kind_name(HexlogIssue::Kind k) noexcept {
  switch (k) {
    case HexlogIssue::Kind::Corrupt: return "corrupt";
    case HexlogIssue::Kind::Lost: return "lost";
    case HexlogIssue::Kind::Unconfirmed: return "unconfirmed";
    case HexlogIssue::Kind::Conflict: return "conflict";
    case HexlogIssue::Kind::CrcMismatch: return "crc32-mismatch";
  }
  return "?";
}

HexlogReader::HexlogReader(HexlogOptions opt) : opt_(opt) {
  carry_.reserve(kMaxLine);
  scratch_.reserve(kMaxLine);
}
HexlogReader::~HexlogReader() = default;

void HexlogReader::begin_source() {
  if (sum_.lines || line_no_) ++source_;
  line_no_ = 0;
  expect_.reset();
  good_end_.reset();
  corrupt_since_ = 0;
  pending_.reset();
  cmd_end_.reset();
  repeat_.reset();
  last_md_.reset();
  last_cmd_md_ = false;
  prompt_.clear();
  vars_.clear();
  carry_.clear();
  overlong_ = false;
  first_ = First::None;
  first_pending_ = false;
}

void HexlogReader::end_source() {
  if (!carry_.empty() && !overlong_) process_line(carry_.data(), carry_.size(), false);
  carry_.clear();
  overlong_ = false;
  close_corrupt();
  if (pending_) {
    if (pending_->line == line_no_) pending_->then_text = true;  // the log ends with it
    drop_pending();  // a lone last line: only the command's range end can confirm it
  }
  expect_.reset();
  good_end_.reset();
  corrupt_since_ = 0;
  repeat_.reset();
}

void HexlogReader::feed(std::string_view chunk) {
  const char* p = chunk.data();
  const char* end = p + chunk.size();
  sum_.log_bytes += chunk.size();
  if (!carry_.empty() || overlong_) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    const char* stop = nl ? nl : end;
    if (!overlong_) {
      size_t take = std::min(static_cast<size_t>(stop - p), kMaxLine - std::min(kMaxLine, carry_.size()));
      carry_.append(p, take);
      if (take < static_cast<size_t>(stop - p)) overlong_ = true;
    }
    if (!nl) {
      check_cancel(opt_.cancel);  // an endless line (e.g. /dev/zero on stdin) must stay stoppable
      return;
    }
    if (!overlong_) process_line(carry_.data(), carry_.size(), true);
    else {
      if (++line_no_ == 1) first_ = First::Other;
      ++sum_.lines;
    }
    carry_.clear();
    overlong_ = false;
    p = nl + 1;
  }
  while (p < end) {
    // Most lines of a big log are full md.b lines: 77 (4-space column) or 75 characters + CR LF.
    // Guess the line end and accept the guess only when the line parses as a clean md line, whose
    // characters are all printable, so no '\n' can hide inside it. Saves a memchr per line.
    const size_t rem = static_cast<size_t>(end - p);
    // A mapped log streams from the page cache in 4 KiB pages the hardware prefetcher does not
    // cross; asking for a few lines ahead hides most of the memory latency.
    __builtin_prefetch(p + kPrefetchAhead);
    if (rem > 78 && p[78] == '\n' && p[77] == '\r' && try_clean_line(p, 77)) {
      p += 79;
      continue;
    }
    if (rem > 76 && p[76] == '\n' && p[75] == '\r' && try_clean_line(p, 75)) {
      p += 77;
      continue;
    }
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', rem));
    if (!nl) {
      size_t rest = static_cast<size_t>(end - p);
      if (rest > kMaxLine) overlong_ = true;
      else carry_.assign(p, rest);
      break;
    }
    process_line(p, static_cast<size_t>(nl - p), true);
    p = nl + 1;
  }
  // While parts are read in parallel, progress counts the bytes of all of them.
  const uint64_t seen = shared_bytes_ ? shared_bytes_->fetch_add(chunk.size()) + chunk.size() : sum_.log_bytes;
  if (opt_.reporter && seen >= next_progress_) {
    next_progress_ = seen + (64u << 20);
    Progress pr;
    pr.stage = "parsing log";
    pr.done = seen;
    opt_.reporter->progress(pr);
  }
  check_cancel(opt_.cancel);
}

void HexlogReader::add_issue(HexlogIssue issue) {
  issue.source = source_;
  if (sum_.issues.size() < opt_.max_issues) sum_.issues.push_back(issue);
  else ++sum_.issues_dropped;
}

void HexlogReader::reject(uint64_t addr, uint64_t size) {
  if (rejected_.size() < kMaxRejected) rejected_.push_back({addr, size});
}

bool HexlogReader::try_clean_line(const char* p, size_t n) {
  uboot::MdLine l;
  if (uboot::parse_md_line(std::string_view(p, n), opt_.endian, l) != uboot::MdParse::Ok) return false;
  // An Ok line consists of hex digits, spaces and its printable ASCII column: no '\n' inside.
  ++line_no_;
  ++sum_.lines;
  accept(l);
  return true;
}

void HexlogReader::accept(const uboot::MdLine& l) {
  if (open_corrupt_) close_corrupt();
  if (repeat_) {
    // An empty line repeated md and this is its output: now the repeat counts as a command.
    targets_.push_back({repeat_->addr, repeat_->units * repeat_->width});
    ++sum_.md_commands;
    repeat_.reset();
  }
  // Confirmed by the line before (or the echoed command): the address follows, directly or
  // after as many damaged md lines as lie between.
  const bool by_prev = expect_ && (l.addr == *expect_ || (corrupt_since_ && l.addr == *expect_ + 16 * corrupt_since_));
  if (pending_) {
    if (by_prev) confirm_pending();
    else drop_pending();
  }
  if (by_prev) {
    store(l, line_no_);
    good_end_ = l.addr + l.count;
    good_line_ = line_no_;
  } else {
    Pending p;
    p.l = l;
    p.line = line_no_;
    if (good_end_ && l.addr > *good_end_ && l.addr - *good_end_ <= kMaxLostJump) {
      p.from_jump = true;
      p.lost_from = *good_end_;
      p.lost_line = good_line_;
    }
    pending_ = p;
    if (line_no_ == 1) first_pending_ = true;
  }
  expect_ = l.addr + l.count;
  corrupt_since_ = 0;
}

void HexlogReader::confirm_pending() {
  const Pending& p = *pending_;
  if (p.from_jump) {
    HexlogIssue is;
    is.kind = HexlogIssue::Kind::Lost;
    is.addr = p.lost_from;
    is.size = p.l.addr - p.lost_from;
    is.line = p.lost_line;
    is.line_end = p.line;
    add_issue(is);
  }
  store(p.l, p.line);
  good_end_ = p.l.addr + p.l.count;
  good_line_ = p.line;
  if (p.line == 1 && first_pending_) first_ = First::Confirmed, first_addr_ = p.l.addr;
  pending_.reset();
}

void HexlogReader::drop_pending() {
  const Pending& p = *pending_;
  // The last line of a run, ending exactly where the echoed md command's range ends, is
  // confirmed by the command (a garbled address would not end there).
  if (p.then_text && cmd_end_ && p.l.addr + p.l.count == *cmd_end_) return confirm_pending();
  if (p.then_text && !cmd_end_) needs_context_ = true;  // a command before this part may end here
  ++sum_.unconfirmed_lines;
  HexlogIssue is;
  is.kind = HexlogIssue::Kind::Unconfirmed;
  is.addr = p.l.addr;
  is.size = p.l.count;
  is.line = is.line_end = p.line;
  add_issue(is);
  reject(p.l.addr, p.l.count);
  if (p.line == 1 && first_pending_) first_ = First::Other;
  pending_.reset();
}

void HexlogReader::corrupt_line(const uboot::MdLine& l) {
  if (line_no_ == 1) first_ = First::Other;
  ++sum_.corrupt_lines;
  const uint64_t at = expect_ ? *expect_ + 16 * corrupt_since_ : l.addr;
  ++corrupt_since_;
  reject(l.addr, 16);
  // Consecutive damaged lines (a garbage burst, several merged lines) are one issue, added when
  // the next other line comes.
  if (open_corrupt_ && open_corrupt_->line_end + 1 == line_no_ && open_corrupt_->addr + open_corrupt_->size == at) {
    open_corrupt_->size += 16;
    open_corrupt_->line_end = line_no_;
    return;
  }
  close_corrupt();
  HexlogIssue is;
  is.kind = HexlogIssue::Kind::Corrupt;
  is.addr = at;
  is.line = is.line_end = line_no_;
  open_corrupt_ = is;
}

void HexlogReader::close_corrupt() {
  if (!open_corrupt_) return;
  add_issue(*open_corrupt_);
  open_corrupt_.reset();
}

void HexlogReader::process_line(const char* p, size_t n, bool terminated) {
  ++line_no_;
  ++sum_.lines;
  std::string_view line(p, n);
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  while (!line.empty() && line.front() == '\r') line.remove_prefix(1);
  uboot::MdLine l;
  uboot::MdParse r = uboot::parse_md_line(line, opt_.endian, l);
  std::string_view clean = line;
  if (r != uboot::MdParse::Ok) {
    // Slow path: clean the line up and try again.
    if (has_controls(line)) {
      strip_controls(line, scratch_);
      clean = scratch_;
    }
    if (size_t ts = timestamp_prefix(clean)) clean.remove_prefix(ts);
    if (clean.data() != line.data() || clean.size() != line.size()) r = uboot::parse_md_line(clean, opt_.endian, l);
  }
  if (r == uboot::MdParse::NotMd) return other_line(clean, terminated);
  if (r == uboot::MdParse::Corrupt) return corrupt_line(l);
  accept(l);
}

void HexlogReader::store(const uboot::MdLine& l, uint64_t line) {
  uint64_t a = l.addr, n = l.count;
  const uint8_t* src = l.bytes.data();
  sum_.widths |= 1u << l.width;
  // Clip to the requested range.
  if (opt_.start && a < *opt_.start) {
    uint64_t skip = std::min<uint64_t>(n, *opt_.start - a);
    a += skip, src += skip, n -= skip;
  }
  if (opt_.size) {
    uint64_t lim = opt_.start.value_or(0) + *opt_.size;
    if (a >= lim) n = 0;
    else if (a + n > lim) n = lim - a;
  }
  if (n == 0 || a + n < a) {  // outside the range, or wrapping past 2^64
    ++sum_.outside_lines;
    return;
  }
  ++sum_.md_lines;
  if (!l.ascii_present) ++sum_.unchecked_lines;
  lo_ = std::min(lo_, a);
  hi_ = std::max(hi_, a + n);
  const SparseImage::PutResult r = image_.put(a, src, n, static_cast<uint32_t>(line), static_cast<uint8_t>(source_));
  if (r.conflict) {
    ++sum_.conflict_lines;
    HexlogIssue is;
    is.kind = HexlogIssue::Kind::Conflict;
    is.addr = r.conflict_addr;
    is.size = l.count - (r.conflict_addr - l.addr);
    is.line = is.line_end = line;
    is.other_line = r.other_line;
    is.other_source = r.other_src;
    add_issue(is);
  } else if (r.repeated) {
    ++sum_.repeated_lines;
  }
}

void HexlogReader::feed_blocks(std::string_view text) {
  // In blocks, so that progress and Ctrl-C are seen while a big mapped log is read.
  for (size_t pos = 0; pos < text.size(); pos += kReadBlock) {
    const std::string_view block = text.substr(pos, kReadBlock);
    // A mapped log: map the block's pages in one call rather than one page fault per 64 KiB,
    // and unmap them once parsed (nothing keeps pointers into them: a partial line is copied to
    // carry_), so the log never adds more than a block per thread to the memory in use.
    const auto at = reinterpret_cast<uintptr_t>(block.data());
    const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const uintptr_t start = at & ~(page - 1);
    // The page-aligned start as a pointer derived from the block's own (not cast from an integer).
    char* const first = const_cast<char*>(block.data()) - (at - start);
#ifdef MADV_POPULATE_READ
    if (populate_) ::madvise(first, at + block.size() - start, MADV_POPULATE_READ);
#endif
    feed(block);
    if (populate_) ::madvise(first, at + block.size() - start, MADV_DONTNEED);
  }
}

}  // namespace camdump::dump
