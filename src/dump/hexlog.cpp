// SPDX-License-Identifier: MIT
// Streaming md-log reader (see hexlog.hpp). Hot path: memchr for line ends, the md.b fast path
// in uboot/md_format.cpp, a cached page pointer and a 16-byte memcpy per line. Slow path (only for
// lines that are not clean md lines): strip ANSI escapes/control bytes and logger timestamps, then
// parse again.
#include "dump/hexlog.hpp"

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

constexpr uint64_t kPageBits = 16;
constexpr uint64_t kPageSize = 1ull << kPageBits;
constexpr size_t kMaxLine = 4096;  // longer "lines" are not md output
constexpr size_t kReadBlock = 4u << 20;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Length of a logger timestamp prefix ("[anything] ", "2026-01-01 12:00:00.123 ", "12:00:00.123 ",
// "12:00:00 "), 0 when there is none.
size_t timestamp_prefix(std::string_view s) {
  size_t i = 0;
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close > 64) return 0;
    i = close + 1;
  } else {
    // optional date "YYYY-MM-DD" + ' ' or 'T'
    if (s.size() > 11 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '-' &&
        is_digit(s[5]) && is_digit(s[6]) && s[7] == '-' && is_digit(s[8]) && is_digit(s[9]) &&
        (s[10] == ' ' || s[10] == 'T'))
      i = 11;
    // time "H:MM:SS" or "HH:MM:SS", optional ".fff" / ",fff"
    size_t h = i;
    while (h < s.size() && h - i < 2 && is_digit(s[h])) ++h;
    if (h == i || h + 6 > s.size() || s[h] != ':' || !is_digit(s[h + 1]) || !is_digit(s[h + 2]) || s[h + 3] != ':' ||
        !is_digit(s[h + 4]) || !is_digit(s[h + 5]))
      return 0;
    i = h + 6;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      while (i < s.size() && is_digit(s[i])) ++i;
    }
  }
  if (i >= s.size() || (s[i] != ' ' && s[i] != '\t')) return 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

// Copy `s` without ANSI escape sequences (CSI, OSC, two-byte ESC x) and other control bytes.
void strip_controls(std::string_view s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0x1b) {
      if (i + 1 >= s.size()) break;
      char k = s[i + 1];
      if (k == '[') {  // CSI: parameters/intermediates, then a final byte 0x40..0x7e
        i += 2;
        while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
      } else if (k == ']') {  // OSC: up to BEL or ESC '\'
        i += 2;
        while (i < s.size() && s[i] != '\a' && !(s[i] == 0x1b && i + 1 < s.size() && s[i + 1] == '\\')) ++i;
        if (i < s.size() && s[i] == 0x1b) ++i;
      } else {
        ++i;
      }
      continue;
    }
    if (c < 0x20 && c != '\t') continue;
    if (c == 0x7f) continue;
    out.push_back(static_cast<char>(c));
  }
}

bool has_controls(std::string_view s) {
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

const char* issue_kind_name(HexlogIssue::Kind k) noexcept {
  switch (k) {
    case HexlogIssue::Kind::Corrupt: return "corrupt";
    case HexlogIssue::Kind::Sequence: return "out-of-sequence";
    case HexlogIssue::Kind::Conflict: return "conflict";
  }
  return "?";
}

struct HexlogReader::Page {
  uint8_t data[kPageSize];
  uint8_t known[kPageSize / 8];  // bit per byte: read by a good line
  uint8_t bad[kPageSize / 8];    // bit per byte: two reads disagreed
  uint32_t first_line[kPageSize / 16];  // line of the first read of each 16-byte granule
  uint8_t first_src[kPageSize / 16];
  Page() {
    std::memset(known, 0, sizeof known);
    std::memset(bad, 0, sizeof bad);
  }
};

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
    else ++line_no_, ++sum_.lines, expect_.reset();
    carry_.clear();
    overlong_ = false;
    p = nl + 1;
  }
  while (p < end) {
    // Most lines of a big log are full md.b lines: 77 (4-space column) or 75 characters + CR LF.
    // Guess the line end and accept the guess only when the line parses as a clean md line, whose
    // characters are all printable, so no '\n' can hide inside it. Saves a memchr per line.
    const size_t rem = static_cast<size_t>(end - p);
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
  if (opt_.reporter && sum_.log_bytes >= next_progress_) {
    next_progress_ = sum_.log_bytes + (64u << 20);
    Progress pr;
    pr.stage = "parsing log";
    pr.done = sum_.log_bytes;
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
    // Regular file: map it and parse in place (no copy), in blocks so progress and Ctrl-C work.
    const size_t len = static_cast<size_t>(st.st_size);
    void* m = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
      ::madvise(m, len, MADV_SEQUENTIAL);
      const char* base = static_cast<const char*>(m);
      try {
        for (size_t pos = 0; pos < len; pos += kReadBlock)
          feed(std::string_view(base + pos, std::min(kReadBlock, len - pos)));
      } catch (...) {
        ::munmap(m, len);
        ::close(fd);
        throw;
      }
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
    expect_.reset();  // a prompt, a command or other output ends the run
    return;
  }
  if (r == uboot::MdParse::Corrupt) {
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

bool HexlogReader::handle_md(const uboot::MdLine& l) {
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
    return false;
  }
  ++sum_.md_lines;
  lo_ = std::min(lo_, a);
  hi_ = std::max(hi_, a + n);
  // Fast path: a 16-byte line at an 8-aligned address inside one page, never read before or read
  // identically before (the whole bitmap bytes are 0x00 or 0xff).
  if (n == 16 && (a & 7) == 0 && (a >> kPageBits) == last_page_addr_) {
    Page& pg = *last_page_;
    const uint64_t o = a & (kPageSize - 1);
    uint8_t* k = &pg.known[o >> 3];
    if ((o + 16) <= kPageSize && k[0] == 0 && k[1] == 0) {
      std::memcpy(pg.data + o, src, 16);
      k[0] = k[1] = 0xff;
      pg.first_line[o >> 4] = static_cast<uint32_t>(line_no_);
      pg.first_src[o >> 4] = static_cast<uint8_t>(source_);
      return true;
    }
    if ((o + 16) <= kPageSize && k[0] == 0xff && k[1] == 0xff && std::memcmp(pg.data + o, src, 16) == 0) {
      ++sum_.repeated_lines;
      return true;
    }
  }
  bool repeated = true, conflict = false;
  uint64_t conflict_addr = 0;
  uint32_t conflict_line = 0;
  uint8_t conflict_src = 0;
  while (n) {
    const uint64_t page_addr = a >> kPageBits;
    if (page_addr != last_page_addr_) {
      auto& slot = pages_[page_addr];
      if (!slot) slot = std::make_unique<Page>();
      last_page_ = slot.get();
      last_page_addr_ = page_addr;
    }
    Page& pg = *last_page_;
    const uint64_t off = a & (kPageSize - 1);
    const uint64_t take = std::min<uint64_t>(n, kPageSize - off);
    for (uint64_t k = 0; k < take; ++k) {
      const uint64_t o = off + k;
      const uint8_t bit = static_cast<uint8_t>(1u << (o & 7));
      if (!(pg.known[o >> 3] & bit)) {
        pg.known[o >> 3] |= bit;
        pg.data[o] = src[k];
        repeated = false;
        if ((o & 15) == 0 || k == 0) {
          pg.first_line[o >> 4] = static_cast<uint32_t>(line_no_);
          pg.first_src[o >> 4] = static_cast<uint8_t>(source_);
        }
      } else if (pg.data[o] != src[k]) {
        if (!conflict) {
          conflict = true;
          conflict_addr = (page_addr << kPageBits) + o;
          conflict_line = pg.first_line[o >> 4];
          conflict_src = pg.first_src[o >> 4];
        }
        pg.bad[o >> 3] |= bit;
      }
    }
    a += take, src += take, n -= take;
  }
  if (conflict) {
    ++sum_.conflict_lines;
    HexlogIssue is;
    is.kind = HexlogIssue::Kind::Conflict;
    is.addr = conflict_addr;
    is.size = l.count;
    is.line = line_no_;
    is.other_line = conflict_line;
    is.other_source = conflict_src;
    add_issue(is);
  } else if (repeated) {
    ++sum_.repeated_lines;
  }
  return true;
}

bool HexlogReader::known(uint64_t addr, uint64_t size) const {
  for (uint64_t a = addr; a < addr + size; ++a) {
    auto it = pages_.find(a >> kPageBits);
    if (it == pages_.end()) return false;
    const uint64_t o = a & (kPageSize - 1);
    const uint8_t bit = static_cast<uint8_t>(1u << (o & 7));
    if (!(it->second->known[o >> 3] & bit) || (it->second->bad[o >> 3] & bit)) return false;
  }
  return true;
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
  const uint64_t end = s.start + s.size;
  uint64_t a = s.start;
  std::optional<uint64_t> gap_start;
  auto close_gap = [&](uint64_t at) {
    if (gap_start) {
      s.gaps.push_back({*gap_start, at - *gap_start});
      s.gap_bytes += at - *gap_start;
      gap_start.reset();
    }
  };
  while (a < end) {
    // Jump straight to the next page that exists: the range may be huge and mostly empty.
    auto it = pages_.lower_bound(a >> kPageBits);
    if (it == pages_.end() || (it->first << kPageBits) >= end) {
      if (!gap_start) gap_start = a;
      break;
    }
    if ((it->first << kPageBits) > a) {
      if (!gap_start) gap_start = a;
      a = it->first << kPageBits;
    }
    const uint64_t next = (it->first + 1) << kPageBits;  // 0 when the page is the last one of 2^64
    const uint64_t page_end = next == 0 ? end : std::min(end, next);
    const Page& pg = *it->second;
    for (; a < page_end; ++a) {
      const uint64_t o = a & (kPageSize - 1);
      // Whole bitmap bytes at once when aligned and clean.
      if ((o & 7) == 0 && a + 8 <= page_end && pg.known[o >> 3] == 0xff && pg.bad[o >> 3] == 0) {
        close_gap(a);
        a += 7;
        continue;
      }
      const uint8_t bit = static_cast<uint8_t>(1u << (o & 7));
      const bool ok = (pg.known[o >> 3] & bit) && !(pg.bad[o >> 3] & bit);
      if (ok) close_gap(a);
      else if (!gap_start) gap_start = a;
    }
  }
  close_gap(end);
  for (auto& is : s.issues)
    if (is.kind != HexlogIssue::Kind::Conflict) is.recovered = known(is.addr, is.size);
  return s;
}

void HexlogReader::copy_range(uint64_t addr, std::span<uint8_t> out, uint8_t fill) const {
  uint64_t a = addr;
  size_t i = 0;
  while (i < out.size()) {
    const uint64_t o = a & (kPageSize - 1);
    const size_t take = static_cast<size_t>(std::min<uint64_t>(out.size() - i, kPageSize - o));
    auto it = pages_.find(a >> kPageBits);
    if (it == pages_.end()) {
      std::memset(&out[i], fill, take);
    } else {
      const Page& pg = *it->second;
      std::memcpy(&out[i], pg.data + o, take);
      if ((o & 7) == 0 && (take & 7) == 0) {  // skip the per-byte check where all bytes are good
        bool all_good = true;
        for (size_t q = o >> 3; q < (o + take) >> 3 && all_good; ++q) all_good = pg.known[q] == 0xff && pg.bad[q] == 0;
        if (all_good) {
          a += take, i += take;
          continue;
        }
      }
      for (size_t k = 0; k < take; ++k) {
        const uint64_t q = o + k;
        const uint8_t bit = static_cast<uint8_t>(1u << (q & 7));
        if (!(pg.known[q >> 3] & bit) || (pg.bad[q >> 3] & bit)) out[i + k] = fill;
      }
    }
    a += take, i += take;
  }
}

}  // namespace camdump::dump
