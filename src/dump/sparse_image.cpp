// SPDX-License-Identifier: MIT
#include "dump/sparse_image.hpp"

#include "core/crc32.hpp"
#include "core/huge_buffer.hpp"

#include <algorithm>
#include <iterator>
#include <new>
#include <optional>

namespace camdump::dump {
namespace {

// The first chunk holds one page (small logs: tests, short live reads); the others 40 pages of
// 100 KiB, two huge pages.
constexpr size_t kPagesPerChunk = 40;

}  // namespace

// Pages in one HugeBuffer: zero-filled, so a fresh Page needs no clearing, and (40 pages) faulted
// in 2 MiB at a time.
struct SparseImage::Chunk {
  explicit Chunk(size_t n) : capacity(n), mem(n * sizeof(Page)) {}
  size_t capacity;
  HugeBuffer mem;
  Page* pages() { return reinterpret_cast<Page*>(mem.data()); }
};

SparseImage::SparseImage() = default;
SparseImage::~SparseImage() = default;

SparseImage::Page* SparseImage::new_page() {
  if (chunks_.empty() || chunk_used_ == chunks_.back()->capacity) {
    chunks_.push_back(std::make_unique<Chunk>(chunks_.empty() ? 1 : kPagesPerChunk));
    chunk_used_ = 0;
  }
  // The mapping is zero-filled: known/bad/first_line are already clear.
  return new (&chunks_.back()->pages()[chunk_used_++]) Page;
}

SparseImage::Page* SparseImage::page(uint64_t page_addr) {
  if (page_addr != last_page_addr_) {
    Page*& slot = pages_[page_addr];
    if (!slot) slot = new_page();
    last_page_ = slot;
    last_page_addr_ = page_addr;
  }
  return last_page_;
}

SparseImage::PutResult SparseImage::put_slow(uint64_t a, const uint8_t* src, uint64_t n, uint32_t line,
                                             uint8_t source) {
  PutResult r;
  r.repeated = true;
  while (n) {
    const uint64_t page_addr = a >> kPageBits;
    Page& pg = *page(page_addr);
    const uint64_t off = a & (kPageSize - 1);
    const uint64_t take = std::min<uint64_t>(n, kPageSize - off);
    for (uint64_t k = 0; k < take; ++k) {
      const uint64_t o = off + k;
      const uint8_t bit = static_cast<uint8_t>(1u << (o & 7));
      if (!(pg.known[o >> 3] & bit)) {
        pg.known[o >> 3] |= bit;
        pg.data[o] = src[k];
        r.repeated = false;
        if ((o & 15) == 0 || k == 0) {
          pg.first_line[o >> 4] = line;
          pg.first_src[o >> 4] = source;
        }
      } else if (pg.data[o] != src[k]) {
        if (!r.conflict) {
          r.conflict = true;
          r.conflict_addr = (page_addr << kPageBits) + o;
          r.other_line = pg.first_line[o >> 4];
          r.other_src = pg.first_src[o >> 4];
        }
        pg.bad[o >> 3] |= bit;
        later_[(page_addr << kPageBits) + o] = src[k];
      }
    }
    a += take, src += take, n -= take;
  }
  if (r.conflict) r.repeated = false;
  return r;
}

bool SparseImage::known(uint64_t addr, uint64_t size) const {
  uint64_t a = addr;
  const uint64_t end = addr + size;
  while (a < end) {
    auto it = pages_.find(a >> kPageBits);
    if (it == pages_.end()) return false;
    const Page& pg = *it->second;
    const uint64_t page_end = std::min(end, ((a >> kPageBits) + 1) << kPageBits);
    while (a < page_end) {
      const uint64_t o = a & (kPageSize - 1);
      if ((o & 7) == 0 && a + 8 <= page_end) {  // whole bitmap bytes
        if (pg.known[o >> 3] != 0xff || pg.bad[o >> 3]) return false;
        a += 8;
        continue;
      }
      const uint8_t bit = static_cast<uint8_t>(1u << (o & 7));
      if (!(pg.known[o >> 3] & bit) || (pg.bad[o >> 3] & bit)) return false;
      ++a;
    }
  }
  return true;
}

uint32_t SparseImage::crc32_with(uint64_t addr, uint64_t size, bool later) const {
  std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(size, 1u << 20)));
  uint32_t crc = 0;
  for (uint64_t pos = 0; pos < size; pos += buf.size()) {
    std::span<uint8_t> piece(buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), size - pos)));
    copy_range(addr + pos, piece, 0xff, true);
    if (later)
      for (auto it = later_.lower_bound(addr + pos); it != later_.end() && it->first < addr + pos + piece.size(); ++it)
        piece[it->first - addr - pos] = it->second;
    crc = camdump::crc32(piece, crc);
  }
  return crc;
}

uint32_t SparseImage::crc32_of(uint64_t addr, uint64_t size) const { return crc32_with(addr, size, false); }

bool SparseImage::resolve(uint64_t addr, uint64_t size, uint32_t crc) {
  // Every byte read at least once?
  for (uint64_t a = addr; a < addr + size;) {
    auto it = pages_.find(a >> kPageBits);
    if (it == pages_.end()) return false;
    const uint64_t page_end = std::min(addr + size, ((a >> kPageBits) + 1) << kPageBits);
    for (; a < page_end; ++a) {
      const uint64_t o = a & (kPageSize - 1);
      if (!(it->second->known[o >> 3] & (1u << (o & 7)))) return false;
    }
  }
  auto first = later_.lower_bound(addr);
  if (first == later_.end() || first->first >= addr + size) return false;  // nothing to settle
  const bool first_ok = crc32_with(addr, size, false) == crc;
  const bool later_ok = crc32_with(addr, size, true) == crc;
  if (first_ok == later_ok) return false;
  for (auto it = first; it != later_.end() && it->first < addr + size;) {
    Page& pg = *pages_.at(it->first >> kPageBits);
    const uint64_t o = it->first & (kPageSize - 1);
    if (later_ok) pg.data[o] = it->second;
    pg.bad[o >> 3] &= static_cast<uint8_t>(~(1u << (o & 7)));
    it = later_.erase(it);
  }
  return true;
}

void SparseImage::gaps(uint64_t start, uint64_t size, std::vector<AddrRange>& out, uint64_t& bytes) const {
  const uint64_t end = start + size;
  uint64_t a = start;
  std::optional<uint64_t> gap_start;
  auto close_gap = [&](uint64_t at) {
    if (gap_start) {
      out.push_back({*gap_start, at - *gap_start});
      bytes += at - *gap_start;
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
      // 64 bytes at once (a bitmap word) when aligned and all good, 8 when a bitmap byte is.
      if ((o & 63) == 0 && a + 64 <= page_end) {
        uint64_t k, b;
        std::memcpy(&k, &pg.known[o >> 3], 8);
        std::memcpy(&b, &pg.bad[o >> 3], 8);
        if (k == ~0ull && b == 0) {
          if (gap_start) close_gap(a);
          a += 63;
          continue;
        }
      }
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
}

void SparseImage::copy_range(uint64_t addr, std::span<uint8_t> out, uint8_t fill, bool as_read) const {
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
      bool all_good = (o & 7) == 0 && (take & 7) == 0;  // then check whole bitmap bytes
      for (size_t q = o >> 3; q < (o + take) >> 3 && all_good; ++q) all_good = pg.known[q] == 0xff && pg.bad[q] == 0;
      if (!all_good) {
        for (size_t k = 0; k < take; ++k) {
          const uint64_t q = o + k;
          const uint8_t bit = static_cast<uint8_t>(1u << (q & 7));
          if (!(pg.known[q >> 3] & bit) || (!as_read && (pg.bad[q >> 3] & bit))) out[i + k] = fill;
        }
      }
    }
    a += take, i += take;
  }
}

bool SparseImage::absorb(SparseImage& later, uint32_t line_offset) {
  // First pass: refuse if any byte was read by both (then the order of the reads matters for
  // repeats, conflicts and which line read first, and only storing line by line gets it right).
  for (const auto& [addr, theirs] : later.pages_) {
    auto it = pages_.find(addr);
    if (it == pages_.end()) continue;
    const Page& mine = *it->second;
    for (size_t q = 0; q < sizeof mine.known; ++q)
      if (mine.known[q] & theirs->known[q]) return false;
  }
  for (const auto& [addr, theirs] : later.pages_) {
    // Line numbers of `later` count from 1 again; 0 marks a granule it never set.
    for (uint32_t& l : theirs->first_line)
      if (l) l += line_offset;
    auto it = pages_.find(addr);
    if (it == pages_.end()) {
      pages_.emplace(addr, theirs);
      continue;
    }
    Page& mine = *it->second;
    for (size_t q = 0; q < sizeof mine.known; ++q) {
      const uint8_t k = theirs->known[q];
      if (!k) continue;
      for (unsigned b = 0; b < 8; ++b)
        if (k & (1u << b)) mine.data[q * 8 + b] = theirs->data[q * 8 + b];
      mine.known[q] |= k;
      mine.bad[q] |= theirs->bad[q];
    }
    for (size_t g = 0; g < kPageSize / 16; ++g)
      if (theirs->first_line[g]) {
        mine.first_line[g] = theirs->first_line[g];
        mine.first_src[g] = theirs->first_src[g];
      }
  }
  // The pages now belong to this image; keep their memory alive with it. New pages are taken
  // from the last chunk: keep ours last, or, having none, continue in the later image's last.
  if (chunks_.empty()) {
    chunks_ = std::move(later.chunks_);
    chunk_used_ = later.chunk_used_;
  } else {
    chunks_.insert(chunks_.end() - 1, std::make_move_iterator(later.chunks_.begin()),
                   std::make_move_iterator(later.chunks_.end()));
  }
  later_.merge(later.later_);
  later.later_.clear();
  later.chunks_.clear();
  later.pages_.clear();
  later.chunk_used_ = 0;
  later.last_page_ = nullptr;
  later.last_page_addr_ = ~0ull;
  last_page_ = nullptr;
  last_page_addr_ = ~0ull;
  return true;
}

}  // namespace camdump::dump
