// SPDX-License-Identifier: MIT
// The U-Boot restore's writing half (see uboot_restore.hpp): per unit, the image's bytes into the
// unit area by the loader (checked there by crc32), `sf erase` + `sf write`, `sf read` + `crc32`;
// then every chunk of the range once more.
#include <fmt/core.h>

#include "core/crc32.hpp"
#include "core/size.hpp"
#include "dump/uboot_restore_engine.hpp"

namespace camdump::dump {
namespace {

bool says_error(const std::vector<std::string>& lines, std::string* which) {
  for (const auto& l : lines)
    if (l.find("ERROR") != std::string::npos || l.find("Unknown command") != std::string::npos ||
        l.find("Usage:") != std::string::npos || l.find("No SPI flash selected") != std::string::npos) {
      *which = l;
      return true;
    }
  return false;
}

}  // namespace

void UbootRestorer::ensure_loaded(const RestoreUnit& u, uint32_t want_crc) {
  if (loaded_ == u.offset && device_crc(unit_area_, u.size) == want_crc) return;
  loaded_.reset();
  for (int k = 0; k < 3; ++k) {
    check_cancel(cancel_);
    try {
      loader_.load(s_, unit_area_, u.offset, image_at(u.offset, u.size));
    } catch (const uboot::ConsoleLost&) {
      throw;
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Cancelled || e.kind() == ErrorKind::Usage || e.kind() == ErrorKind::Unsupported) throw;
      rep_.log(LogLevel::Warn,
               fmt::format("{}: loading {}+{} failed: {}", loader_.name(), hex(u.offset), hex(u.size), e.what()));
      if (!s_.resync()) throw uboot::ConsoleLost(uboot::ConsoleLost::Why::Silent, "no prompt after a failed load");
      ++sum_.load_retries;
      continue;
    }
    const uint32_t got = device_crc(unit_area_, u.size);
    if (got == want_crc) {
      loaded_ = u.offset;
      return;
    }
    rep_.log(LogLevel::Warn, fmt::format("{}: RAM crc32 {} after loading {}+{}, the image's is {}: loading again",
                                         loader_.name(), crc_hex(got), hex(u.offset), hex(u.size), crc_hex(want_crc)));
    ++sum_.load_retries;
  }
  fail(ErrorKind::Protocol,
       fmt::format("{} could not put the image's bytes for {}+{} into RAM intact (3 tries); nothing of this unit "
                   "was erased",
                   loader_.name(), hex(u.offset), hex(u.size)),
       loader_.name() == "mmc read" ? "is the card prepared by `camdump sdcard IMAGE /dev/sdX` from this IMAGE?"
                                    : "check the line (noise?) and run again with --resume");
}

bool UbootRestorer::write_attempt(const RestoreUnit& u) {
  const uint32_t want = crc32(image_at(u.offset, u.size));
  ensure_loaded(u, want);
  std::string bad;
  if (o_.erase) {
    auto lines = s_.run(fmt::format("sf erase {:x} {:x}", u.offset, u.size), std::chrono::seconds(60));
    ++sum_.erases;
    if (says_error(lines, &bad))
      fail(ErrorKind::Protocol, fmt::format("sf erase {}+{} failed: {}", hex(u.offset), hex(u.size), bad));
  }
  auto lines = s_.run(fmt::format("sf write {:x} {:x} {:x}", unit_area_, u.offset, u.size), std::chrono::seconds(60));
  sum_.bytes_written += u.size;
  if (says_error(lines, &bad))
    fail(ErrorKind::Protocol, fmt::format("sf write {}+{} failed: {}", hex(u.offset), hex(u.size), bad));
  const uint64_t ram = flash_in_ram(u.offset, u.size);
  return device_crc(ram, u.size) == want;
}

void UbootRestorer::write_unit(const RestoreUnit& u) {
  for (unsigned attempt = 1;; ++attempt) {
    check_cancel(cancel_);
    if (guarded([&] { return write_attempt(u); })) return;
    if (attempt >= std::max(1u, o_.tries))
      fail(ErrorKind::VerifyMismatch,
           fmt::format("{}-{} did not verify after {} erase+write attempts (device crc32 of `sf read` differs from "
                       "the image's); it holds neither the old nor the new content",
                       hex(u.offset), hex(u.offset + u.size - 1), attempt),
           "run again with --resume (the backup is " +
               (sum_.backup.empty() ? std::string("not there: --no-backup") : sum_.backup.string()) + ")");
    ++sum_.unit_retries;
    rep_.log(LogLevel::Warn, fmt::format("{}-{} did not verify: erasing and writing it again", hex(u.offset),
                                         hex(u.offset + u.size - 1)));
  }
}

void UbootRestorer::write_units(RestoreState& st, const std::filesystem::path& state_path) {
  Progress p;
  p.stage = "writing";
  p.total = sum_.plan.bytes;
  bool warned = false;
  for (const auto& u : sum_.plan.units) {
    check_cancel(cancel_);
    if (u.boot && !warned) {
      warned = true;
      rep_.log(LogLevel::Warn, boot_region_warning(sum_.boot));
    }
    write_unit(u);
    ++sum_.units_written;
    ++st.units_written;
    st.save(state_path);
    p.done += u.size;
    p.wire_bytes = s_.wire_bytes();
    rep_.progress(p);
  }
  p.finished = true;
  rep_.progress(p);
}

// Every chunk of the range once more by device crc32; a chunk that differs is compared per unit
// and the units that differ are written again (counted as final rewrites).
void UbootRestorer::final_check() {
  Progress p;
  p.stage = "final check";
  p.total = sum_.end - sum_.begin;
  const uint64_t unit = sum_.erase_unit;
  unsigned rounds = 0;  // rewrites of one chunk
  for (uint64_t at = sum_.begin; at < sum_.end;) {
    check_cancel(cancel_);
    const uint64_t len = std::min(read_chunk_, sum_.end - at);
    const uint32_t want = crc32(image_at(at, len));
    std::vector<RestoreUnit> bad;
    guarded([&] {
      bad.clear();
      const uint64_t ram = flash_in_ram(at, len);
      if (device_crc(ram, len) == want) return;
      for (uint64_t u = 0; u < len; u += unit)
        if (device_crc(ram + u, unit) != crc32(image_at(at + u, unit))) bad.push_back({at + u, uint32_t(unit), false});
    });
    if (!bad.empty()) {
      if (++rounds > std::max(1u, o_.tries))
        fail(ErrorKind::VerifyMismatch,
             fmt::format("final check: {} keeps differing from the image", format_units(bad)));
      rep_.log(LogLevel::Warn,
               fmt::format("final check: {} differs from the image; writing it again", format_units(bad)));
      for (const auto& u : bad) write_unit(u);
      sum_.final_rewrites += bad.size();
      continue;  // check this chunk again
    }
    sum_.crc32 = crc32(image_at(at, len), sum_.crc32);
    rounds = 0;
    at += len;
    p.done = at - sum_.begin;
    p.finished = at == sum_.end;
    rep_.progress(p);
  }
}

}  // namespace camdump::dump
