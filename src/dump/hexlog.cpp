// SPDX-License-Identifier: MIT
// Streaming md-log reader (see hexlog.hpp). Hot path: the line end guessed from the md.b line
// length, the SIMD md.b fast path (uboot/md_fast.cpp), and SparseImage::put's 16-byte store.
// Slow path (only for lines that are not clean md lines): strip ANSI escapes/control bytes and
// logger timestamps (log_text.hpp), then parse again. A mapped log is cut into parts parsed on
// threads and joined exactly (feed_parallel/absorb).
#include "dump/hexlog.hpp"

#include "dump/log_text.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace camdump::dump {
namespace {

constexpr size_t kMaxLine = 4096;  // longer "lines" are not md output
constexpr size_t kReadBlock = 4u << 20;
constexpr size_t kPrefetchAhead = 2048;

}  // namespace

const char* issue_kind_name(HexlogIssue::Kind k) noexcept {
  switch (k) {
    case HexlogIssue::Kind::Corrupt: return "corrupt";
    case HexlogIssue::Kind::Sequence: return "out-of-sequence";
    case HexlogIssue::Kind::Conflict: return "conflict";
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
  carry_.clear();
  overlong_ = false;
  first_ = First::None;
}

void HexlogReader::end_source() {
  if (!carry_.empty() && !overlong_) process_line(carry_.data(), carry_.size());
  carry_.clear();
  overlong_ = false;
  expect_.reset();
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
    if (!nl) return;
    if (!overlong_) process_line(carry_.data(), carry_.size());
    else {
      if (++line_no_ == 1) first_ = First::Reset;
      ++sum_.lines, expect_.reset();
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
    // cross; asking for a few lines ahead hides most of the memory latency (perf: the line-end
    // test below was the hottest instruction).
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
    process_line(p, static_cast<size_t>(nl - p));
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

void HexlogReader::read_path(const std::filesystem::path& path) {
  const bool is_stdin = path == "-";
  int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    fail(e == ENOENT ? ErrorKind::NotFound : e == EACCES ? ErrorKind::Permission : ErrorKind::Io,
         fmt::format("cannot open {}: {}", path.string(), std::strerror(e)));
  }
#ifdef POSIX_FADV_SEQUENTIAL
  if (!is_stdin) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  begin_source();
  struct stat st{};
  if (!is_stdin && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    // Regular file: map it and parse it in place (no copy), in parts on all cores.
    const size_t len = static_cast<size_t>(st.st_size);
    void* m = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
      ::madvise(m, len, MADV_SEQUENTIAL);
      const char* base = static_cast<const char*>(m);
      populate_ = true;
      try {
        feed_parallel(std::string_view(base, len));
      } catch (...) {
        populate_ = false;
        ::munmap(m, len);
        ::close(fd);
        throw;
      }
      populate_ = false;
      ::munmap(m, len);
      ::close(fd);
      end_source();
      return;
    }
  }
  std::unique_ptr<char[]> buf(new char[kReadBlock]);
  for (;;) {
    ssize_t n = ::read(fd, buf.get(), kReadBlock);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      if (!is_stdin) ::close(fd);
      fail(ErrorKind::Io, fmt::format("cannot read {}: {}", path.string(), std::strerror(e)));
    }
    if (n == 0) break;
    feed(std::string_view(buf.get(), static_cast<size_t>(n)));
  }
  if (!is_stdin) ::close(fd);
  end_source();
}

void HexlogReader::add_issue(HexlogIssue issue) {
  issue.source = source_;
  if (sum_.issues.size() < opt_.max_issues) sum_.issues.push_back(std::move(issue));
  else ++sum_.issues_dropped;
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
  if (line_no_ == 1) first_ = First::Accepted, first_addr_ = l.addr;
  if (expect_ && l.addr != *expect_) {
    ++sum_.sequence_lines;
    HexlogIssue is;
    is.kind = HexlogIssue::Kind::Sequence;
    is.addr = *expect_;
    is.line = line_no_;
    add_issue(is);
    *expect_ += 16;
    return;
  }
  expect_ = l.addr + l.count;
  sum_.widths |= 1u << l.width;
  if (!l.ascii_present) ++sum_.unchecked_lines;
  handle_md(l);
}

void HexlogReader::process_line(const char* p, size_t n) {
  ++line_no_;
  ++sum_.lines;
  std::string_view line(p, n);
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  while (!line.empty() && line.front() == '\r') line.remove_prefix(1);
  uboot::MdLine l;
  uboot::MdParse r = uboot::parse_md_line(line, opt_.endian, l);
  if (r != uboot::MdParse::Ok) {
    // Slow path: clean the line up and try again.
    std::string_view clean = line;
    if (has_controls(line)) {
      strip_controls(line, scratch_);
      clean = scratch_;
    }
    if (size_t ts = timestamp_prefix(clean)) clean.remove_prefix(ts);
    if (clean.data() != line.data() || clean.size() != line.size()) r = uboot::parse_md_line(clean, opt_.endian, l);
  }
  if (r == uboot::MdParse::NotMd) {
    if (line_no_ == 1) first_ = First::Reset;
    expect_.reset();  // a prompt, a command or other output ends the run
    return;
  }
  if (r == uboot::MdParse::Corrupt) {
    if (line_no_ == 1) first_ = First::Corrupt;
    ++sum_.corrupt_lines;
    HexlogIssue is;
    is.kind = HexlogIssue::Kind::Corrupt;
    is.addr = expect_ ? *expect_ : l.addr;
    is.line = line_no_;
    add_issue(is);
    if (expect_) *expect_ += 16;
    return;
  }
  accept(l);
}

void HexlogReader::handle_md(const uboot::MdLine& l) {
  uint64_t a = l.addr, n = l.count;
  const uint8_t* src = l.bytes.data();
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
  lo_ = std::min(lo_, a);
  hi_ = std::max(hi_, a + n);
  const SparseImage::PutResult r =
      image_.put(a, src, n, static_cast<uint32_t>(line_no_), static_cast<uint8_t>(source_));
  if (r.conflict) {
    ++sum_.conflict_lines;
    HexlogIssue is;
    is.kind = HexlogIssue::Kind::Conflict;
    is.addr = r.conflict_addr;
    is.size = l.count;
    is.line = line_no_;
    is.other_line = r.other_line;
    is.other_source = r.other_src;
    add_issue(is);
  } else if (r.repeated) {
    ++sum_.repeated_lines;
  }
}

HexlogSummary HexlogReader::finish() {
  if (!carry_.empty()) end_source();
  if (opt_.reporter) {
    Progress pr;
    pr.stage = "parsing log";
    pr.done = pr.total = sum_.log_bytes;
    pr.finished = true;
    opt_.reporter->progress(pr);
  }
  HexlogSummary s = sum_;
  if (lo_ < hi_ || opt_.size) {
    s.start = opt_.start ? *opt_.start : (lo_ < hi_ ? lo_ : 0);
    s.size = opt_.size ? *opt_.size : (hi_ > s.start ? hi_ - s.start : 0);
  }
  // Gaps: bytes never read by a good line, or read differently twice.
  image_.gaps(s.start, s.size, s.gaps, s.gap_bytes);
  for (auto& is : s.issues)
    if (is.kind != HexlogIssue::Kind::Conflict) is.recovered = image_.known(is.addr, is.size);
  return s;
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
#ifdef MADV_POPULATE_READ
    if (populate_) ::madvise(reinterpret_cast<void*>(start), at + block.size() - start, MADV_POPULATE_READ);
#endif
    feed(block);
    if (populate_) ::madvise(reinterpret_cast<void*>(start), at + block.size() - start, MADV_DONTNEED);
  }
}

}  // namespace camdump::dump
