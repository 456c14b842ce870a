// SPDX-License-Identifier: MIT
// The U-Boot + TFTP route (issue 4): set ipaddr/serverip/netmask (never saveenv), point tftpdstp at
// our server when it does not listen on 69, stage the flash in RAM chunk by chunk (or use it
// in place with --mapped), ask the device for each chunk's crc32, `tftpput` it to camdump's own
// TFTP server, and accept the chunk only when the received bytes have that CRC32; the whole
// file's CRC32 must then equal the device's (dump/console_route.hpp). A camera reset mid-dump is
// survived (re-attach, network settings again, the chunk again), and an interrupted dump leaves
// OUT.part + OUT.part.state for --resume. The output is written through core/atomic_file.hpp. Facts: docs/reference/uboot-console.md#tftpput (tftpput), docs/reference/tftp.md (TFTP), docs/reference/qemu-test-cameras.md#network.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "core/report.hpp"
#include "dump/staging.hpp"
#include "uboot/session.hpp"

namespace camdump::dump {

struct TftpDumpOptions {
  std::filesystem::path out;
  std::string server_ip;                 ///< the PC's address as the camera reaches it
  std::optional<std::string> camera_ip;  ///< setenv ipaddr (else the camera's own must be set)
  std::optional<std::string> netmask;    ///< setenv netmask
  std::string listen = "0.0.0.0:69";     ///< where our server listens (ADDR[:PORT])
  StagingOptions staging;
  std::optional<uint64_t> flash_size;
  uint64_t offset = 0;
  std::optional<uint64_t> length;  ///< default: to the end of the flash
  uint64_t chunk = 16ull << 20;    ///< bytes per tftpput (fits the RAM of a 64 MiB T31)
  unsigned retries = 2;            ///< re-uploads of a chunk whose CRC does not match
  bool resume = false;             ///< continue from OUT.part + OUT.part.state
};

struct TftpDumpResult {
  std::filesystem::path out;
  uint64_t offset = 0, length = 0, flash_size = 0;
  uint32_t crc32 = 0;  ///< of the whole output (each chunk matched the device's crc32)
  std::string sha256;
  unsigned chunks = 0, retries = 0;  ///< chunks uploaded in this run, re-uploads
  uint64_t resumed_bytes = 0;        ///< taken over from a previous run (re-checked)
  uint64_t resets = 0;               ///< camera resets survived
  uint64_t chunk = 0;                ///< bytes per tftpput (--chunk, or less to stay below U-Boot's reserved area)
  double seconds = 0;
  uboot::DeviceInfo device;
};

/// Runs the route on an attached-or-not session. Throws Error(Unsupported) when the U-Boot has no
/// tftpput (naming the routes that work), Error(VerifyMismatch) when a chunk never matches,
/// Error(Cancelled) after saving OUT.part and its state on Ctrl-C.
TftpDumpResult dump_tftp(uboot::UbootSession& s, const TftpDumpOptions& o, Reporter& rep, const CancelFlag* cancel);

}  // namespace camdump::dump
