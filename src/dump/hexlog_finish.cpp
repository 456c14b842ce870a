// SPDX-License-Identifier: MIT
// HexlogReader::finish: the output range (options, else the echoed md commands, else the md
// lines seen including rejected ones near them), the crc32 results of the logs checked against
// the bytes (a disagreement between two confirmed reads is settled when exactly one of them gives
// the camera's crc32), the gaps, and the ranges to read again.
#include <algorithm>

#include "dump/hexlog.hpp"

namespace camdump::dump {
namespace {

// Rejected lines (corrupt, unconfirmed) this close to the confirmed lines widen the range (a lost
// or damaged first/last line); farther ones are likely garbled addresses and only reported.
constexpr uint64_t kRejectedNear = 64u << 10;
// Repair: ranges closer than this are read with one command.
constexpr uint64_t kRepairJoin = 256;

void merge_into(std::vector<AddrRange>& v, uint64_t join) {
  std::sort(v.begin(), v.end(), [](const AddrRange& a, const AddrRange& b) { return a.addr < b.addr; });
  std::vector<AddrRange> out;
  for (const auto& r : v) {
    if (!out.empty() && r.addr <= out.back().addr + out.back().size + join) {
      const uint64_t end = std::max(out.back().addr + out.back().size, r.addr + r.size);
      out.back().size = end - out.back().addr;
    } else {
      out.push_back(r);
    }
  }
  v = std::move(out);
}

}  // namespace

void HexlogReader::decide_range(HexlogSummary& s) const {
  uint64_t lo = lo_, hi = hi_;
  if (!targets_.empty()) {
    s.target_from = TargetFrom::Commands;
    for (const auto& t : targets_) {
      lo = std::min(lo, t.addr);
      hi = std::max(hi, t.addr + t.size);
    }
  } else if (lo_ < hi_ || !rejected_.empty()) {
    s.target_from = TargetFrom::Lines;
    if (lo_ >= hi_) {
      for (const auto& r : rejected_) lo = std::min(lo, r.addr), hi = std::max(hi, r.addr + r.size);
    } else {
      const uint64_t near_lo = lo_ > kRejectedNear ? lo_ - kRejectedNear : 0;
      const uint64_t near_hi = hi_ + kRejectedNear;
      for (const auto& r : rejected_)
        if (r.addr + r.size >= near_lo && r.addr <= near_hi)
          lo = std::min(lo, r.addr), hi = std::max(hi, r.addr + r.size);
    }
  }
  if (opt_.start || opt_.size) s.target_from = TargetFrom::Options;
  if (lo < hi || opt_.size) {
    s.start = opt_.start ? *opt_.start : (lo < hi ? lo : 0);
    s.size = opt_.size ? *opt_.size : (hi > s.start ? hi - s.start : 0);
  }
}

void HexlogReader::check_crcs(HexlogSummary& s) {
  const uint64_t t_end = s.start + s.size;
  for (auto& c : crcs_) {
    if (c.size == 0 || c.addr >= t_end || c.addr + c.size <= s.start || c.addr < s.start || c.addr + c.size > t_end) {
      c.state = HexlogCrc::State::Outside;  // not (wholly) in the output: says nothing about it
      continue;
    }
    if (image_.known(c.addr, c.size)) {
      c.state = image_.crc32_of(c.addr, c.size) == c.crc ? HexlogCrc::State::Verified : HexlogCrc::State::Mismatch;
    } else {
      c.state = image_.resolve(c.addr, c.size, c.crc) ? HexlogCrc::State::Verified : HexlogCrc::State::Unchecked;
    }
  }
  for (const auto& c : crcs_)
    if (c.state == HexlogCrc::State::Verified) s.verified.push_back({c.addr, c.size});
  merge_into(s.verified, 0);
  for (const auto& v : s.verified) s.verified_bytes += v.size;
  auto covered = [&](uint64_t a, uint64_t n) {
    for (const auto& v : s.verified)
      if (a >= v.addr && a + n <= v.addr + v.size) return true;
    return false;
  };
  for (auto& c : crcs_) {
    if (c.state != HexlogCrc::State::Mismatch) continue;
    // Other crc32 results verify all of this range: this one was garbled in the log or taken of
    // other RAM contents (a re-run of sf read); the bytes are verified by the others.
    if (covered(c.addr, c.size)) {
      c.state = HexlogCrc::State::Superseded;
      continue;
    }
    ++s.crc_failures;
    HexlogIssue is;
    is.kind = HexlogIssue::Kind::CrcMismatch;
    is.addr = c.addr;
    is.size = c.size;
    is.line = is.line_end = c.line;
    is.crc_log = c.crc;
    is.crc_read = image_.crc32_of(c.addr, c.size);
    is.source = c.source;
    if (s.issues.size() < opt_.max_issues) s.issues.push_back(is);
    else ++s.issues_dropped;
    // A failing range that holds a smaller failing one (the whole image's crc32 around a chunk's)
    // is explained by it: re-reading the smaller one is enough.
    const bool holds_smaller = std::any_of(crcs_.begin(), crcs_.end(), [&](const HexlogCrc& o) {
      return o.state == HexlogCrc::State::Mismatch && o.size < c.size && o.addr >= c.addr &&
             o.addr + o.size <= c.addr + c.size;
    });
    if (!holds_smaller) s.repair.push_back({c.addr, c.size});
  }
  for (const auto& c : crcs_) {
    // A chunk with a gap could not be checked: re-read it whole with its crc32, so that the
    // repair settles it in one round (bytes hidden behind the gap may be wrong too).
    if (c.state != HexlogCrc::State::Unchecked) continue;
    const bool holds_smaller = std::any_of(crcs_.begin(), crcs_.end(), [&](const HexlogCrc& o) {
      return o.state != HexlogCrc::State::Outside && o.size < c.size && o.addr >= c.addr &&
             o.addr + o.size <= c.addr + c.size;
    });
    if (!holds_smaller) s.repair.push_back({c.addr, c.size});
  }
  s.crcs = crcs_;
}

HexlogSummary HexlogReader::finish() {
  if (!carry_.empty() || pending_ || open_corrupt_) end_source();
  if (opt_.reporter) {
    Progress pr;
    pr.stage = "parsing log";
    pr.done = pr.total = sum_.log_bytes;
    pr.finished = true;
    opt_.reporter->progress(pr);
  }
  HexlogSummary s = sum_;
  decide_range(s);
  check_crcs(s);  // may settle conflicts, so before the gaps
  image_.gaps(s.start, s.size, s.gaps, s.gap_bytes);
  for (auto& is : s.issues)
    if (is.kind != HexlogIssue::Kind::CrcMismatch) is.recovered = is.size && image_.known(is.addr, is.size);
  for (const auto& g : s.gaps) s.repair.push_back(g);
  // Whole md lines: a re-read starts and ends on 16-byte boundaries.
  for (auto& r : s.repair) {
    const uint64_t a = r.addr & ~uint64_t{15}, e = (r.addr + r.size + 15) & ~uint64_t{15};
    r = {a, e - a};
  }
  merge_into(s.repair, kRepairJoin);
  return s;
}

}  // namespace camdump::dump
