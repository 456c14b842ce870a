// SPDX-License-Identifier: MIT
// Fuzz the streaming hexlog reader: arbitrary log bytes, fed in two chunks split at a data-derived
// point, with options from the first byte. Must not crash; gaps must lie inside the range; a
// complete result must copy out without touching unknown bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "dump/hexlog.hpp"

using namespace camdump;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0], split_seed = data[1];
  std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  dump::HexlogOptions o;
  o.endian = (flags & 1) ? uboot::Endian::Big : uboot::Endian::Little;
  if (flags & 2) o.start = 0x80600000;
  if (flags & 4) o.size = 0x100;
  o.max_issues = 8;
  dump::HexlogReader r(o);
  r.begin_source();
  const size_t cut = text.empty() ? 0 : split_seed % (text.size() + 1);
  r.feed(text.substr(0, cut));
  r.feed(text.substr(cut));
  r.end_source();
  dump::HexlogSummary s = r.finish();
  uint64_t gap_sum = 0;
  for (const auto& g : s.gaps) {
    if (g.size == 0 || g.addr < s.start || g.addr + g.size > s.start + s.size) std::abort();
    gap_sum += g.size;
  }
  if (gap_sum != s.gap_bytes || s.issues.size() > 8) std::abort();
  if (s.size && s.size <= (1u << 20)) {
    std::vector<uint8_t> out(s.size);
    r.copy_range(s.start, out, 0xff);
  }
  return 0;
}
