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

// Resume: pass 1 starts at the unit holding the first byte the previous run did not write; what
// lies before it comes back from the output file (and the flash, for bytes before --offset).
uint64_t resume_point(AtomicFile& out, const VerifyOptions& opts, uint64_t a0, uint64_t end,
                      std::vector<uint8_t>& image, VerifyResult& res, ReadProgress& progress, Pass& pass) {
  const uint64_t unit = pass.src.unit();
  const uint64_t have = std::min(opts.resume_bytes, end - opts.offset);
  const uint64_t start = a0 + (opts.offset + have - a0) / unit * unit;
  if (start > a0) {
    if (a0 < opts.offset) pass.src.read(a0, std::span(image).first(unit));  // bytes before --offset
    out.read_at(0, std::span(image).subspan(opts.offset - a0, start - opts.offset));
    res.resumed_bytes = start - opts.offset;
    progress.first_pass_done = res.resumed_bytes;
    pass.p.done = start - a0;
  }
  return start;
}

// One disputed unit at `pos` read again (at most `max_rereads` times) until a read equals an
// earlier one; true with `bytes` (first: pass 1's read) replaced by the agreed bytes.
bool settle_unit(uint64_t pos, std::span<uint8_t> bytes, unsigned max_rereads, VerifyResult& res, Pass& pass) {
  std::vector<std::vector<uint8_t>> seen;
  seen.emplace_back(bytes.begin(), bytes.end());
  std::vector<uint8_t> cand(bytes.size());
  for (unsigned t = 0; t < max_rereads; ++t) {
    check_cancel(pass.cancel);
    pass.src.read(pos, cand);
    ++res.rereads;
    res.bytes_read += bytes.size();
    pass.p.retries = res.rereads;
    for (const auto& s : seen)
      if (std::equal(s.begin(), s.end(), cand.begin())) {
        std::copy(cand.begin(), cand.end(), bytes.begin());
        pass.tick(0);
        return true;
      }
    seen.push_back(cand);
    pass.tick(0);
  }
  return false;
}

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
  const uint64_t pass1_start = opts.resume_bytes ? resume_point(out, opts, a0, end, image, res, progress, pass) : a0;
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
  for (uint64_t u = 0; u < units; ++u) {
    if (!disputed[u]) continue;
    ++res.disputed_units;
    uint64_t pos = a0 + u * unit;
    pass.p.stage = "re-reading differing sectors";
    if (settle_unit(pos, std::span(image).subspan(pos - a0, unit), opts.max_rereads, res, pass)) {
      emit(pos, unit);
    } else {
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
