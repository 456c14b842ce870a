// SPDX-License-Identifier: MIT
// Internal to the U-Boot restore (uboot_restore.cpp: preflight, backup, plan; uboot_restore_write.cpp:
// units and final check). Not part of the API: use uboot_restore.hpp.
#pragma once
#include <chrono>
#include <optional>

#include "dump/uboot_restore.hpp"
#include "image/inspect.hpp"

namespace camdump::dump {

class UbootRestorer {
 public:
  UbootRestorer(uboot::UbootSession& s, RestoreLoader& l, const UbootRestoreOptions& o, Reporter& rep,
                const CancelFlag* cancel)
      : s_(s), loader_(l), o_(o), rep_(rep), cancel_(cancel), stager_(s, o.staging) {}
  UbootRestoreSummary run();

 private:
  static constexpr unsigned kMaxRecoveries = 30;   // camera resets / lost prompts survived in one run
  static constexpr uint64_t kMaxUnit = 64 * 1024;  // the largest unit the plan makes

  void setup();
  void recover(const uboot::ConsoleLost& e);
  /// Run f; when the camera rebooted or went silent, recover and run it again.
  template <class F>
  auto guarded(F&& f) {
    for (;;) {
      try {
        return f();
      } catch (const uboot::ConsoleLost& e) {
        recover(e);
      }
    }
  }
  void preflight();
  void choose_range(const image::InspectReport& ir);
  void lay_out_ram();
  RestoreState load_state(const std::filesystem::path& state_path);
  std::vector<uint8_t> take_backup(RestoreState& st);
  uint64_t flash_in_ram(uint64_t off, uint64_t len);
  uint32_t device_crc(uint64_t addr, uint64_t len);
  std::vector<bool> plan_by_crc(const std::vector<uint8_t>* backup);
  void write_units(RestoreState& st, const std::filesystem::path& state_path);
  /// Write one unit until it verifies (tries); throws VerifyMismatch naming it.
  void write_unit(const RestoreUnit& u);
  bool write_attempt(const RestoreUnit& u);
  void ensure_loaded(const RestoreUnit& u, uint32_t want_crc);
  void final_check();
  UbootRestoreSummary finish(std::chrono::steady_clock::time_point t0, uint64_t wire0);
  std::span<const uint8_t> image_at(uint64_t off, uint64_t n) const {
    return std::span(image_).subspan(off - base_, n);
  }

  uboot::UbootSession& s_;
  RestoreLoader& loader_;
  const UbootRestoreOptions& o_;
  Reporter& rep_;
  const CancelFlag* cancel_;
  Stager stager_;
  uboot::SfProbe probe_;
  UbootRestoreSummary sum_;
  std::vector<uint8_t> image_;
  uint64_t base_ = 0;  ///< flash address of image_[0]
  uint64_t unit_area_ = 0, read_area_ = 0, read_chunk_ = 0;
  std::optional<uint64_t> loaded_;  ///< flash offset of the unit whose bytes sit in the unit area
  unsigned recoveries_ = 0;
};

}  // namespace camdump::dump
