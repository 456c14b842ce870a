// SPDX-License-Identifier: MIT
// Side-by-side streaming comparison and majority vote (see compare.hpp).
#include "dump/compare.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "core/crc32.hpp"
#include "core/hash.hpp"
#include "core/errno_text.hpp"

namespace camdump::dump {
namespace {

constexpr size_t kBlock = 1u << 20;

struct Input {
  int fd = -1;
  uint64_t size = 0;
  std::unique_ptr<Digest> md5, sha;
  uint32_t crc = 0;
  std::vector<uint8_t> buf;
  size_t have = 0;  // bytes valid in buf for the current block
  ~Input() {
    if (fd >= 0) ::close(fd);
  }
};

// A grouping pattern: for each file, the index of the first file holding the same byte (or 0xff
// for "no byte": the file is shorter). Equal patterns at neighbouring offsets merge into one range.
using Pattern = std::vector<uint8_t>;

std::vector<std::vector<unsigned>> groups_of(const Pattern& p) {
  std::vector<std::vector<unsigned>> g;
  for (unsigned i = 0; i < p.size(); ++i) {
    if (p[i] == 0xff) continue;
    if (p[i] == i) g.push_back({i});
    else
      for (auto& grp : g)
        if (grp.front() == p[i]) grp.push_back(i);
  }
  return g;
}

struct RangeBuilder {
  std::vector<DiffRange>& out;
  uint64_t& dropped;
  size_t max;
  bool open = false;
  uint64_t start = 0, end = 0;
  Pattern pat;
  void add(uint64_t off, const Pattern& p) {
    if (open && off == end && p == pat) {
      ++end;
      return;
    }
    flush();
    open = true;
    start = off;
    end = off + 1;
    pat = p;
  }
  void flush() {
    if (!open) return;
    if (out.size() < max) out.push_back({start, end - start, groups_of(pat)});
    else ++dropped;
    open = false;
  }
};

std::unique_ptr<Input> open_input(const std::filesystem::path& f) {
  auto x = std::make_unique<Input>();
  x->fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO must not block us here
  if (x->fd < 0) {
    fail_errno(errno, "cannot open " + f.string());
  }
  struct stat st {};
  if (::fstat(x->fd, &st) != 0 || !S_ISREG(st.st_mode))
    fail(ErrorKind::Usage, fmt::format("{} is not a regular file (a device or FIFO may never end)", f.string()),
         "compare dump files; copy a device to a file first");
  x->size = static_cast<uint64_t>(st.st_size);
  x->md5 = std::make_unique<Digest>(Digest::Algo::Md5);
  x->sha = std::make_unique<Digest>(Digest::Algo::Sha256);
  x->buf.resize(kBlock);
  return x;
}

// The file's part of the block [pos, pos + len) into x.buf (x.have bytes: less for a short file), hashed.
void read_block(Input& x, uint64_t pos, size_t len, const std::filesystem::path& path) {
  x.have = x.size > pos ? static_cast<size_t>(std::min<uint64_t>(len, x.size - pos)) : 0;
  size_t got = 0;
  while (got < x.have) {
    ssize_t k = ::pread(x.fd, x.buf.data() + got, x.have - got, static_cast<off_t>(pos + got));
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0)
      fail(ErrorKind::Io, fmt::format("cannot read {}: {}", path.string(), k < 0 ? errno_text(errno) : "file shrank"));
    got += static_cast<size_t>(k);
  }
  std::span<const uint8_t> s(x.buf.data(), x.have);
  x.md5->update(s);
  x.sha->update(s);
  x.crc = crc32(s, x.crc);
}

bool block_equal(const std::vector<std::unique_ptr<Input>>& in, size_t len) {
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i]->have != len || in[0]->have != len || std::memcmp(in[0]->buf.data(), in[i]->buf.data(), len) != 0)
      return false;
  return true;
}

// The grouping pattern of byte k of the block; true when every file holds the same byte there.
bool byte_pattern(const std::vector<std::unique_ptr<Input>>& in, size_t k, Pattern& pat) {
  bool same = true;
  for (size_t i = 0; i < in.size(); ++i) {
    if (k >= in[i]->have) {
      pat[i] = 0xff;
      same = false;
      continue;
    }
    uint8_t v = in[i]->buf[k];
    pat[i] = static_cast<uint8_t>(i);
    for (size_t j = 0; j < i; ++j)
      if (k < in[j]->have && in[j]->buf[k] == v) {
        pat[i] = static_cast<uint8_t>(j);
        break;
      }
    if (pat[i] != 0) same = false;
  }
  return same;
}

// Strict majority: the value more than half of the files hold at byte k; nullopt when none does.
std::optional<uint8_t> majority(const std::vector<std::unique_ptr<Input>>& in, const Pattern& pat, size_t k) {
  const size_t n = in.size();
  std::vector<unsigned> count(n, 0);
  unsigned best = 0, best_i = 0;
  for (size_t i = 0; i < n; ++i)
    if (++count[pat[i]] > best) best = count[pat[i]], best_i = pat[i];
  if (size_t{2} * best > n) return in[best_i]->buf[k];
  return std::nullopt;
}

std::vector<CompareFileInfo> file_infos(const std::vector<std::filesystem::path>& files,
                                        const std::vector<std::unique_ptr<Input>>& in) {
  std::vector<CompareFileInfo> out;
  for (size_t i = 0; i < in.size(); ++i) {
    CompareFileInfo info;
    info.path = files[i];
    info.size = in[i]->size;
    info.md5 = in[i]->md5->hex_final();
    info.sha256 = in[i]->sha->hex_final();
    info.crc32 = in[i]->crc;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace

CompareResult compare_files(const std::vector<std::filesystem::path>& files, const CompareOptions& opt) {
  if (files.size() < 2) fail(ErrorKind::Usage, "compare needs at least two files");
  if (files.size() > 200) fail(ErrorKind::Usage, "compare takes at most 200 files");
  std::vector<std::unique_ptr<Input>> in;
  CompareResult r;
  uint64_t max_size = 0, min_size = UINT64_MAX;
  for (const auto& f : files) {
    in.push_back(open_input(f));
    max_size = std::max(max_size, in.back()->size);
    min_size = std::min(min_size, in.back()->size);
  }
  r.sizes_differ = min_size != max_size;
  const bool vote = opt.vote_out != nullptr;
  if (vote && files.size() < 3) fail(ErrorKind::Usage, "--vote needs at least three files");
  if (vote && r.sizes_differ) fail(ErrorKind::Usage, "--vote needs files of equal size");
  RangeBuilder diff{r.ranges, r.ranges_dropped, opt.max_ranges};
  uint64_t und_dropped = 0;
  RangeBuilder und{r.undecided, und_dropped, opt.max_ranges};
  std::vector<uint8_t> voted(vote ? kBlock : 0);
  Pattern pat(in.size());
  for (uint64_t pos = 0; pos < max_size; pos += kBlock) {
    check_cancel(opt.cancel);
    const size_t len = static_cast<size_t>(std::min<uint64_t>(kBlock, max_size - pos));
    for (size_t i = 0; i < in.size(); ++i) read_block(*in[i], pos, len, files[i]);
    if (block_equal(in, len)) {
      if (vote) opt.vote_out->write(std::span<const uint8_t>(in[0]->buf.data(), len));
      continue;
    }
    for (size_t k = 0; k < len; ++k) {
      if (byte_pattern(in, k, pat)) {
        if (vote) voted[k] = in[0]->buf[k];
        continue;
      }
      ++r.differing_bytes;
      diff.add(pos + k, pat);
      if (!vote) continue;
      const std::optional<uint8_t> v = majority(in, pat, k);
      voted[k] = v.value_or(0xff);
      if (!v) {
        ++r.undecided_bytes;
        und.add(pos + k, pat);
      }
    }
    if (vote) opt.vote_out->write(std::span<const uint8_t>(voted.data(), len));
    if (opt.reporter) opt.reporter->progress(Progress{.stage = "comparing", .done = pos + len, .total = max_size});
  }
  diff.flush();
  und.flush();
  r.voted = vote;
  r.identical = !r.sizes_differ && r.differing_bytes == 0;
  r.files = file_infos(files, in);
  return r;
}

}  // namespace camdump::dump
