// SPDX-License-Identifier: MIT
// The bytes a log shows, by address: 64 KiB pages allocated where lines land, each with a bit per
// byte "read by a good line" and "two reads disagreed", and the line that first read each 16-byte
// granule (for conflict reports). Memory follows the image, not the log. Pages come from
// HugeBuffers: a 16 MiB image needs ~25 MiB of page state, and faulting that in 4 KiB at a time
// cost more than parsing the log (perf, docs/PERFORMANCE.md). For bytes two reads disagree on,
// the later value is kept too, so that a crc32 from the camera can tell which read was right.
#pragma once
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <span>
#include <vector>

namespace camdump::dump {

struct AddrRange {
  uint64_t addr = 0;
  uint64_t size = 0;
};

class SparseImage {
 public:
  static constexpr uint64_t kPageBits = 16;
  static constexpr uint64_t kPageSize = 1ull << kPageBits;

  struct Page {
    uint8_t data[kPageSize];
    uint8_t known[kPageSize / 8];         // bit per byte: read by a good line
    uint8_t bad[kPageSize / 8];           // bit per byte: two reads disagreed
    uint32_t first_line[kPageSize / 16];  // line of the first read of each granule (0: none yet)
    uint8_t first_src[kPageSize / 16];
  };

  /// What storing one line's bytes found.
  struct PutResult {
    bool repeated = false;  ///< every byte was known already, with the same value
    bool conflict = false;  ///< some byte was known with another value (now marked bad)
    uint64_t conflict_addr = 0;
    uint32_t other_line = 0;  ///< the earlier read of the first conflicting byte
    uint8_t other_src = 0;
  };

  SparseImage();
  ~SparseImage();
  SparseImage(const SparseImage&) = delete;
  SparseImage& operator=(const SparseImage&) = delete;

  /// Store `n` bytes read at `addr` by `line` of log `source`. Lines are numbered from 1.
  PutResult put(uint64_t addr, const uint8_t* src, uint64_t n, uint32_t line, uint8_t source) {
    // Fast path: a 16-byte line at an 8-aligned address in the page of the line before, never
    // read before or read identically before (whole bitmap bytes 0x00 or 0xff).
    if (n == 16 && (addr & 7) == 0 && (addr >> kPageBits) == last_page_addr_ &&
        (addr & (kPageSize - 1)) <= kPageSize - 16) {
      Page& pg = *last_page_;
      const uint64_t o = addr & (kPageSize - 1);
      uint8_t* k = &pg.known[o >> 3];
      if ((k[0] | k[1]) == 0) {
        std::memcpy(pg.data + o, src, 16);
        k[0] = k[1] = 0xff;
        pg.first_line[o >> 4] = line;
        pg.first_src[o >> 4] = source;
        return {};
      }
      if ((k[0] & k[1]) == 0xff && std::memcmp(pg.data + o, src, 16) == 0) return {true};
    }
    return put_slow(addr, src, n, line, source);
  }

  /// True when every byte of [addr, addr+size) was read and no two reads disagreed.
  bool known(uint64_t addr, uint64_t size) const;
  /// The unknown or disagreeing ranges inside [start, start+size), merged, in address order.
  void gaps(uint64_t start, uint64_t size, std::vector<AddrRange>& out, uint64_t& bytes) const;
  /// Bytes [addr, addr+out.size()); unknown bytes become `fill`, disagreeing ones too unless
  /// `as_read` (then the first read).
  void copy_range(uint64_t addr, std::span<uint8_t> out, uint8_t fill, bool as_read = false) const;
  /// CRC-32 of [addr, addr+size) as copy_range(as_read) gives it.
  uint32_t crc32_of(uint64_t addr, uint64_t size) const;
  /// Every byte of the range was read and some reads disagree: when exactly one of "all first
  /// reads" and "all later reads" gives `crc`, keep that one and clear the disagreement.
  bool resolve(uint64_t addr, uint64_t size, uint32_t crc);

  /// Take over everything `later` holds, as if its lines (numbered from 1) had been stored here
  /// after this image's own, as lines line_offset+1...: the result equals storing all lines in one
  /// image. Only possible when no byte was read by both; then returns true and empties `later`.
  /// Otherwise returns false and changes neither.
  bool absorb(SparseImage& later, uint32_t line_offset);

 private:
  PutResult put_slow(uint64_t addr, const uint8_t* src, uint64_t n, uint32_t line, uint8_t source);
  uint32_t crc32_with(uint64_t addr, uint64_t size, bool later) const;
  Page* page(uint64_t page_addr);  // the page, created (zeroed) if new
  Page* new_page();

  struct Chunk;  // one mapping holding several pages
  std::map<uint64_t, Page*> pages_;
  std::vector<std::unique_ptr<Chunk>> chunks_;
  size_t chunk_used_ = 0;  // pages handed out from chunks_.back()
  Page* last_page_ = nullptr;
  uint64_t last_page_addr_ = ~0ull;
  std::map<uint64_t, uint8_t> later_;  // disagreeing bytes: the last read's value
};

}  // namespace camdump::dump
