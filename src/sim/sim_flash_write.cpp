// SPDX-License-Identifier: MIT
// `sf erase`, `sf write` and `sf update` of the virtual camera, with the physics of SPI NOR:
// programming can only clear bits (the cell ends as old AND new, so a write without an erase
// leaves wrong data that only a read-back finds), an erase sets a whole erase unit to 0xff, and
// `sf erase` refuses an offset or length that is not a multiple of the erase unit. The work takes
// virtual time per unit, so `reset-after-flash=` can cut it in the middle of a unit, as a power
// cut would. Output as cmd_sf.c prints it (docs/reference/uboot-console.md#sf-read):
// `SF: N bytes @ 0xOFF Erased: OK|ERROR`, `... Written: OK`, `ERROR: attempting erase past flash
// size (0x...)`, sf update's `Updating, N% R B/s` and `N bytes written, M bytes skipped in S.Ms,
// speed R B/s`, then the Ingenic builds' timing line. NOR facts: docs/reference/spi-flash-write.md;
// timing: Winbond W25Q128JV datasheet typical values, tSE 45 ms (4 KiB sector), tBE2 150 ms
// (64 KiB block), tPP 0.4 ms per 256-byte page.
#include <fmt/core.h>

#include <algorithm>
#include <cstring>

#include "sim/sim_machine.hpp"

namespace camdump::sim {
namespace {

constexpr uint64_t kProgramStep = 4096;  // bytes programmed per step (16 pages)
constexpr double kPageProgramS = 0.0004;

double erase_seconds(uint64_t unit) { return unit <= 4096 ? 0.045 : 0.150 * static_cast<double>(unit) / 65536.0; }
double program_seconds(uint64_t n) {
  const uint64_t pages = (n + 255) / 256;  // a partial page takes a whole page program
  return kPageProgramS * static_cast<double>(pages);
}

// One sf erase/write/update running unit by unit on the virtual clock.
class FlashOp : public Job {
 public:
  enum class Kind { Erase, Write, Update };
  FlashOp(Kind k, uint64_t off, uint64_t len, std::vector<uint8_t> src, std::string prefix, double start)
      : kind_(k), off_(off), len_(len), src_(std::move(src)), prefix_(std::move(prefix)), start_(start) {
    ready_at = start;
  }

  bool step(Machine& m, size_t) override {
    if (pos_ >= len_) return finish(m);
    const uint64_t unit = m.opt_.erase_unit();
    const uint64_t at = off_ + pos_;
    double secs = 0;
    uint64_t n = 0;
    bool cut = false;
    switch (kind_) {
      case Kind::Erase:
        n = std::min(unit, len_ - pos_);
        cut = !m.flash_erase(at, n);
        secs = erase_seconds(unit);
        break;
      case Kind::Write:
        n = std::min(kProgramStep - at % kProgramStep, len_ - pos_);
        cut = !m.flash_program(at, {src_.data() + pos_, n});
        secs = program_seconds(n);
        break;
      case Kind::Update: {
        // spi_flash_update: per sector, read and compare; erase + write only what differs.
        n = std::min(unit - at % unit, len_ - pos_);
        if (std::memcmp(m.flash_.data() + at, src_.data() + pos_, n) == 0) {
          skipped_ += n;
          secs = static_cast<double>(n) / 3.1e6;  // the compare read
        } else if (at % unit || n % unit) {
          failed_ = "erase";  // spi_flash_erase refuses a partial sector
        } else {
          cut = !m.flash_erase(at, n) || !m.flash_program(at, {src_.data() + pos_, n});
          secs = erase_seconds(unit) + program_seconds(n);
        }
        if (m.now() - last_progress_ > 0.1 && !failed_) {
          last_progress_ = m.now();
          const double el = std::max(m.now() - start_, 0.001);
          m.out(fmt::format("   \rUpdating, {}% {} B/s", 100 - (len_ - pos_) / std::max<uint64_t>(len_ / 100, 1),
                            static_cast<uint64_t>(static_cast<double>(pos_) / el)));
        }
        break;
      }
    }
    if (cut) return false;  // the board resets (Machine::pump)
    if (failed_) return finish(m);
    pos_ += n;
    ready_at = m.now() + secs;
    return false;
  }

 private:
  bool finish(Machine& m) {
    const double secs = std::max(m.now() - start_, 0.0);
    const uint64_t ms = static_cast<uint64_t>(secs * 1000);
    if (kind_ == Kind::Update) {
      m.out_raw("\r");
      if (failed_) {
        m.out(fmt::format("SPI flash failed in {} step\n", failed_));
        m.job_.fail();
      } else {
        m.out(fmt::format("{} bytes written, {} bytes skipped in {}.{}s, speed {} B/s\n", len_ - skipped_, skipped_,
                          ms / 1000, ms % 1000,
                          static_cast<uint64_t>(static_cast<double>(len_) / std::max(secs, 0.001))));
      }
    } else {
      m.out(fmt::format("{}{} bytes @ 0x{:x} {}: OK\n", prefix_, len_, off_,
                        kind_ == Kind::Erase ? "Erased" : "Written"));
    }
    m.out(m.sf_trailer(kind_ == Kind::Erase ? "erase" : kind_ == Kind::Write ? "write" : "update", secs));
    return true;
  }

  Kind kind_;
  uint64_t off_, len_, pos_ = 0, skipped_ = 0;
  std::vector<uint8_t> src_;
  std::string prefix_;
  double start_, last_progress_ = 0;
  const char* failed_ = nullptr;
};

}  // namespace

bool Machine::flash_allowed(uint64_t& n) {
  if (!opt_.reset_after_flash || flash_reset_done_) return true;
  if (flash_touched_ + n < opt_.reset_after_flash) return true;
  n = opt_.reset_after_flash - flash_touched_;  // the power goes in the middle of this unit
  flash_reset_done_ = true;
  reset_requested_ = true;
  return false;
}

bool Machine::flash_erase(uint64_t off, uint64_t len) {
  uint64_t n = len;
  const bool whole = flash_allowed(n);
  std::memset(flash_.data() + off, 0xff, n);  // an interrupted erase leaves the unit partly erased
  flash_touched_ += n;
  if (whole) ++stats_.sf_erase_units;
  return whole;
}

bool Machine::flash_program(uint64_t off, std::span<const uint8_t> data) {
  uint64_t n = data.size();
  const bool whole = flash_allowed(n);
  // NOR programming moves bits from 1 to 0 only: the cell ends as old AND new.
  for (uint64_t i = 0; i < n; ++i) flash_[off + i] &= data[i];
  flash_touched_ += n;
  stats_.sf_program_bytes += n;
  return whole;
}

std::string Machine::sf_trailer(const std::string& sub, double secs) const {
  // cmd_sf.c PRINT_TIME: stock Ingenic and OpenIPC "--->%s spend %d ms", Thingino
  // "SF:    %s command completed in %d ms" (gtxaspec/u-boot-ingenic common/cmd_sf.c).
  const auto ms = static_cast<uint64_t>(secs * 1000);
  switch (opt_.sf_dialect()) {
    case SfDialect::Vendor: return fmt::format("--->{} spend {} ms\n", sub, ms);
    case SfDialect::Thingino: return fmt::format("SF:    {} command completed in {} ms\n", sub, ms);
    default: return {};
  }
}

bool Machine::cmd_sf_change(Args& a) {
  const std::string& sub = a[1];
  const SfDialect d = opt_.sf_dialect();
  const std::string prefix = d == SfDialect::Thingino ? "SF:    " : "SF: ";
  const bool erase = sub == "erase";
  if (a.size() < (erase ? 4u : 5u)) {
    usage("sf");
    return false;
  }
  bool ok1 = false, ok2 = false, ok3 = true;
  const uint64_t addr = erase ? 0 : hex_arg(a[2], &ok1);
  const uint64_t off = hex_arg(a[erase ? 2 : 3], &ok2);
  std::string len_arg = a[erase ? 3 : 4];
  const bool round_up = erase && !len_arg.empty() && len_arg[0] == '+';  // "+len": whole units
  if (round_up) len_arg.erase(0, 1);
  uint64_t len = hex_arg(len_arg, &ok3);
  if (!ok2 || !ok3 || (!erase && !ok1)) {
    usage("sf");
    return false;
  }
  const uint64_t unit = opt_.erase_unit();
  if (round_up) len = (len + unit - 1) / unit * unit;
  if (off > flash_.size() || len > flash_.size() - off) {
    out(fmt::format("ERROR: attempting {} past flash size (0x{:x})\n", sub, flash_.size()));
    out(sf_trailer(sub, 0));
    return false;
  }
  if (erase && (off % unit || len % unit)) {
    // spi_flash_cmd_erase: "Erase offset/length not multiple of erase size" is only a debug
    // message; the command prints the failed result.
    out(fmt::format("{}{} bytes @ 0x{:x} Erased: ERROR\n", prefix, len, off));
    out(sf_trailer(sub, 0));
    return false;
  }
  std::vector<uint8_t> src;
  if (!erase && len) {
    const uint8_t* p = mem(addr, len, false);
    if (!p) {
      crash();  // reading a bad address faults
      return false;
    }
    src.assign(p, p + len);
    ++stats_.sf_writes;
  }
  const auto kind = erase ? FlashOp::Kind::Erase : sub == "write" ? FlashOp::Kind::Write : FlashOp::Kind::Update;
  start_job(std::make_unique<FlashOp>(kind, off, len, std::move(src), prefix, drain_time()));
  return true;
}

}  // namespace camdump::sim
