// SPDX-License-Identifier: MIT
#include "spi/verified_read.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "core/hash.hpp"

namespace camdump::spi {
namespace {

struct Pass {
  FlashSource& src;
  Reporter& rep;
  const CancelFlag* cancel;
  const std::function<uint64_t()>& wire;
  Progress p;
  void tick(uint64_t n, bool finished = false) {
    p.done += n;
    p.finished = finished;
    if (wire) p.wire_bytes = wire();
    rep.progress(p);
  }
};

}  // namespace

VerifyResult verified_read(FlashSource& src, AtomicFile& out, const VerifyOptions& opts, Reporter& rep,
                           const CancelFlag* cancel, ReadProgress& progress,
                           const std::function<uint64_t()>& wire_bytes) {
  const uint64_t unit = src.unit();
  const uint64_t end = opts.length ? std::min(src.size(), opts.offset + opts.length) : src.size();
  if (opts.offset >= end)
    fail(ErrorKind::Usage, fmt::format("offset {} is past the end of the flash ({} bytes)", opts.offset, src.size()));
  const uint64_t a0 = opts.offset / unit * unit;
  const uint64_t a1 = std::min(src.size(), (end + unit - 1) / unit * unit);
  const uint64_t units = (a1 - a0) / unit;
  const size_t chunk = std::max<size_t>(src.chunk() / unit * unit, unit);
  const unsigned reads = std::max(1u, opts.reads);

  VerifyResult res;
  std::vector<uint8_t> image(a1 - a0);
  // Writes the part of [pos, pos+len) of the aligned buffer that falls inside [offset, end).
  auto emit = [&](uint64_t pos, uint64_t len) {
    uint64_t b = std::max(pos, opts.offset), e = std::min(pos + len, end);
    if (b < e) out.write_at(b - opts.offset, std::span(image).subspan(b - a0, e - b));
  };

  Pass pass{src, rep, cancel, wire_bytes, {}};
  pass.p.total = (a1 - a0) * reads;
  // Resume: pass 1 starts at the unit holding the first byte the previous run did not write.
  uint64_t pass1_start = a0;
  if (opts.resume_bytes) {
    const uint64_t have = std::min(opts.resume_bytes, end - opts.offset);
    pass1_start = a0 + (opts.offset + have - a0) / unit * unit;
    if (pass1_start > a0) {
      if (a0 < opts.offset) src.read(a0, std::span(image).first(unit));  // bytes before --offset
      out.read_at(0, std::span(image).subspan(opts.offset - a0, pass1_start - opts.offset));
      res.resumed_bytes = pass1_start - opts.offset;
      progress.first_pass_done = res.resumed_bytes;
      pass.p.done = pass1_start - a0;
    }
  }
  std::vector<bool> disputed(units, false);
  std::vector<uint8_t> buf(chunk);
  for (unsigned r = 0; r < reads; ++r) {
    pass.p.stage = reads > 1 ? fmt::format("reading (pass {}/{})", r + 1, reads) : "reading";
    for (uint64_t pos = r == 0 ? pass1_start : a0; pos < a1; pos += chunk) {
      check_cancel(cancel);
      size_t n = size_t(std::min<uint64_t>(chunk, a1 - pos));
      if (r == 0) {
        src.read(pos, std::span(image).subspan(pos - a0, n));
        emit(pos, n);
        progress.first_pass_done = std::min(pos + n, end) - opts.offset;
      } else {
        src.read(pos, std::span(buf).first(n));
        for (size_t k = 0; k < n; k += unit)
          if (std::memcmp(buf.data() + k, image.data() + (pos - a0) + k, unit) != 0)
            disputed[(pos - a0 + k) / unit] = true;
      }
      res.bytes_read += n;
      pass.tick(n);
    }
  }

  // Re-read disputed units until two reads agree.
  std::vector<uint8_t> cand(unit);
  for (uint64_t u = 0; u < units; ++u) {
    if (!disputed[u]) continue;
    ++res.disputed_units;
    uint64_t pos = a0 + u * unit;
    std::vector<std::vector<uint8_t>> seen;
    seen.emplace_back(image.data() + (pos - a0), image.data() + (pos - a0) + unit);
    bool settled = false;
    pass.p.stage = "re-reading differing sectors";
    for (unsigned t = 0; t < opts.max_rereads && !settled; ++t) {
      check_cancel(cancel);
      src.read(pos, cand);
      ++res.rereads;
      res.bytes_read += unit;
      pass.p.retries = res.rereads;
      for (const auto& s : seen)
        if (std::equal(s.begin(), s.end(), cand.begin())) {
          std::copy(cand.begin(), cand.end(), image.data() + (pos - a0));
          emit(pos, unit);
          settled = true;
          break;
        }
      if (!settled) seen.push_back(cand);
      pass.tick(0);
    }
    if (!settled) {
      uint64_t b = std::max(pos, opts.offset), e = std::min(pos + unit, end);
      if (!res.unsettled.empty() && res.unsettled.back().end == b) res.unsettled.back().end = e;
      else res.unsettled.push_back({b, e});
    }
  }
  pass.tick(0, true);
  res.sha256 = sha256_hex(std::span(image).subspan(opts.offset - a0, end - opts.offset));
  return res;
}

}  // namespace camdump::spi
