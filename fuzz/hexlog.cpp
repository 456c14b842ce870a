// SPDX-License-Identifier: MIT
// Fuzz the streaming hexlog reader: arbitrary log bytes (md lines, echoed commands, repeats,
// setenv, crc32 results), fed in two chunks split at a data-derived point, with options from the
// first byte. Must not crash; gaps and repair ranges must lie inside the range / be whole lines; a
// complete result has no gap and no crc32 failure. The same log read by feed_parallel (2..5
// parts) must give exactly the same summary, issues and image.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "dump/hexlog.hpp"

using namespace camdump;

namespace {

bool same(const dump::HexlogSummary& a, const dump::HexlogSummary& b) {
  if (a.start != b.start || a.size != b.size || a.lines != b.lines || a.md_lines != b.md_lines ||
      a.repeated_lines != b.repeated_lines || a.unchecked_lines != b.unchecked_lines ||
      a.outside_lines != b.outside_lines || a.corrupt_lines != b.corrupt_lines ||
      a.unconfirmed_lines != b.unconfirmed_lines || a.conflict_lines != b.conflict_lines || a.widths != b.widths ||
      a.log_bytes != b.log_bytes || a.gap_bytes != b.gap_bytes || a.gaps.size() != b.gaps.size() ||
      a.issues.size() != b.issues.size() || a.issues_dropped != b.issues_dropped || a.target_from != b.target_from ||
      a.md_commands != b.md_commands || a.crc_failures != b.crc_failures || a.verified_bytes != b.verified_bytes ||
      a.repair.size() != b.repair.size() || a.crcs.size() != b.crcs.size())
    return false;
  for (size_t i = 0; i < a.gaps.size(); ++i)
    if (a.gaps[i].addr != b.gaps[i].addr || a.gaps[i].size != b.gaps[i].size) return false;
  for (size_t i = 0; i < a.issues.size(); ++i) {
    const auto &x = a.issues[i], &y = b.issues[i];
    if (x.kind != y.kind || x.addr != y.addr || x.size != y.size || x.line != y.line || x.line_end != y.line_end ||
        x.other_line != y.other_line || x.recovered != y.recovered || x.source != y.source)
      return false;
  }
  return true;
}

}  // namespace

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
  if (s.complete() && (!s.repair.empty() || s.crc_failures)) std::abort();
  for (const auto& part : s.repair)
    if (part.size == 0 || (part.addr & 15) || (part.size & 15)) std::abort();
  std::vector<uint8_t> out;
  if (s.size && s.size <= (1u << 20)) {
    out.resize(s.size);
    r.copy_range(s.start, out, 0xff);
  }

  dump::HexlogOptions po = o;
  po.threads = 2 + (flags >> 3) % 4;
  po.parallel_min = 0;
  dump::HexlogReader p(po);
  p.begin_source();
  p.feed_parallel(text);
  p.end_source();
  const dump::HexlogSummary ps = p.finish();
  if (!same(s, ps)) std::abort();
  if (!out.empty()) {
    std::vector<uint8_t> pout(ps.size);
    p.copy_range(ps.start, pout, 0xff);
    if (pout != out) std::abort();
  }
  return 0;
}
