// SPDX-License-Identifier: MIT
// What every U-Boot console route (UART md, SD card, TFTP) shares, written once:
// - ConsoleRoute: the session and its Stager, setup after every attach (attach, watchdog off,
//   device facts, staging, then the route's own preparation), calls guarded against ConsoleLost
//   (a camera reset or a prompt lost to noise: re-attach and re-stage, at most kMaxRecoveries
//   times), and the device's crc32 of the whole range in one piece when it can be staged at once
//   (--mapped, or at most 16 MiB below U-Boot's reserved area: the guide's own
//   `sf read 0x80600000 0 0x1000000`).
// - ChunkedOutput: OUT.part and its resume state (dump/chunk_plan.hpp, dump/resume_state.hpp) for
//   the routes that write a file chunk by chunk: open fresh or resumed, save each settled chunk,
//   re-check saved chunks against the file and the device, verify the whole file and commit.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/atomic_file.hpp"
#include "dump/chunk_plan.hpp"
#include "dump/staging.hpp"
#include "uboot/session.hpp"

namespace camdump::dump {

/// Camera resets / lost prompts survived in one run.
inline constexpr unsigned kMaxRecoveries = 30;
/// Largest range whose whole CRC is asked with one crc32 over RAM (a 16 MiB flash staged at once).
inline constexpr uint64_t kWholeCrcMax = 16u << 20;

class ConsoleRoute {
 public:
  /// `give_up_hint`: the hint when the console was lost too often (says whether --resume helps).
  ConsoleRoute(uboot::UbootSession& s, const StagingOptions& staging, std::string give_up_hint);
  virtual ~ConsoleRoute() = default;
  ConsoleRoute(const ConsoleRoute&) = delete;
  ConsoleRoute& operator=(const ConsoleRoute&) = delete;

  /// Attach, stop the watchdog, learn the device, prepare staging, then prepare_route().
  void setup();
  /// Call f() until it returns without losing the console; each loss goes through recover().
  template <class F>
  decltype(auto) guarded(F&& f) {
    for (;;) {
      try {
        return f();
      } catch (const uboot::ConsoleLost& e) {
        recover(e);
      }
    }
  }
  /// A lost prompt is first brought back with Ctrl-C; otherwise (a reset: RAM and the U-Boot
  /// environment are gone) re-attach, re-stage and prepare the route again. Throws Error(Io)
  /// after kMaxRecoveries losses.
  void recover(const uboot::ConsoleLost& e);

  /// The device's crc32 of flash [offset, offset+length) in one piece, asked until it agrees
  /// with `local` (uboot::whole_image_crc), guarded; nullopt when the range cannot be staged at
  /// once. Throws Error(Protocol) when no readable reply comes.
  std::optional<uint32_t> device_whole_crc(uint64_t offset, uint64_t length, uint32_t local);
  /// device_whole_crc compared with `local` (the CRC of `local_name`): Error(VerifyMismatch)
  /// naming both when they differ; returns whether the device was asked.
  bool check_whole_crc(uint64_t offset, uint64_t length, uint32_t local, std::string_view local_name = "file");

  uboot::UbootSession& session() { return s_; }
  Stager& stager() { return stager_; }
  const uboot::DeviceInfo& device() const { return device_; }
  uint64_t resets() const { return resets_; }

 protected:
  /// After every attach: the route's own state on the device (SD: select the card; TFTP: the
  /// network settings, which a reset loses).
  virtual void prepare_route() {}
  /// Before re-attaching after a loss (UART: the console is back at its power-on rate).
  virtual void before_reattach() {}
  /// After re-attaching (UART: switch to the fast rate again).
  virtual void after_reattach() {}

  uboot::UbootSession& s_;
  Stager stager_;

 private:
  std::string give_up_hint_;
  uboot::DeviceInfo device_;
  unsigned recoveries_ = 0;
  uint64_t resets_ = 0;
};

class ChunkedOutput {
 public:
  /// A fresh OUT.part for `plan`, or with `resume` (and OUT.part + its state there) the saved
  /// plan and file: a state for another range or chunk size is Error(Usage), a damaged one
  /// Error(Corrupt) naming it. `align` as ChunkPlan::make.
  ChunkedOutput(std::filesystem::path out, ChunkPlan plan, bool resume, uint64_t align, Reporter& rep);

  ChunkPlan& plan() { return plan_; }
  const ChunkPlan& plan() const { return plan_; }
  bool resuming() const { return resuming_; }
  AtomicFile& file() { return *file_; }

  /// Write chunk i's bytes at their place and record it (the state file is rewritten at most
  /// once a second; save_state() writes it now).
  void settle(size_t i, std::span<const uint8_t> data, ChunkStatus status, uint32_t crc);
  /// --resume: each saved chunk must still match OUT.part and `device_crc(chunk)` (nullopt:
  /// unreadable); one that does not is read again. Returns the bytes kept; rewrites the state.
  uint64_t check_resumed(const std::function<std::optional<uint32_t>(const Chunk&)>& device_crc);
  /// Write the state file now (atomic; what OUT.part holds is re-checked on resume anyway).
  void save_state();

  struct Verified {
    uint32_t crc32 = 0;
    std::string sha256;
    bool device_whole = false;  ///< one device crc32 of the whole range agreed
  };
  /// OUT.part's CRC must equal the chunks' combined CRC, and the device's whole-range CRC (when
  /// it can be asked) the file's; then OUT.part becomes OUT and the state file goes.
  Verified verify_and_commit(ConsoleRoute& route);
  /// Error(Cancelled) saying how much OUT.part holds and that --resume continues (state saved).
  [[noreturn]] void interrupted();

 private:
  std::filesystem::path out_, state_path_;
  Reporter& rep_;
  ChunkPlan plan_;
  std::unique_ptr<AtomicFile> file_;
  bool resuming_ = false;
  std::chrono::steady_clock::time_point saved_at_{};
};

}  // namespace camdump::dump
