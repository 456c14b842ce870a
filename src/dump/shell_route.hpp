// SPDX-License-Identifier: MIT
// The Linux-shell route from an attached shell to a verified image on disk: transfer each /dev/mtdN
// (dump/shell_dump.hpp) over the console, to the built-in TFTP server (dump/tftp_inbox.hpp) or to
// the camera's SD card; keep every verified chunk in OUT-stem.mtdN-NAME.bin.part as it arrives (so
// --resume can continue); write the partition files, assemble OUT from them with the code of
// `camdump combine` (which checks order, sizes and names against /proc/mtd again) and check that
// the assembled image equals the verified partitions before OUT appears. Progress and logs go to
// the Reporter; nothing is printed here.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/mtd_layout.hpp"
#include "core/report.hpp"
#include "dump/shell_dump.hpp"
#include "shell/shell_session.hpp"

namespace camdump::dump {

struct ShellRouteOptions {
  ShellDumpOptions dump;      ///< via, chunk, retries, skip_blank, sd_path (the receiver is set here)
  std::filesystem::path out;  ///< the full image; empty only with ShellVia::Sd
  bool keep_parts = true;     ///< leave OUT-stem.mtdN-NAME.bin next to OUT (--no-parts: false)
  bool resume = false;        ///< take the chunks kept by an interrupted run where the camera's hash agrees
  std::string server_ip;      ///< Tftp: this PC's address as the camera reaches it
  std::string listen;         ///< Tftp: ADDR[:PORT] of the built-in server (default server_ip:69)
};

struct ShellRouteResult {
  ShellDumpResult dump;         ///< layout, copies, blank/resumed bytes, re-reads
  std::filesystem::path out;    ///< empty with ShellVia::Sd (the copies stay on the card)
  uint64_t size = 0;            ///< bytes of OUT
  std::string sha256;           ///< of OUT
  uint32_t crc32 = 0;           ///< of OUT
  std::string inspect_summary;  ///< image::short_summary of OUT
  double seconds = 0;           ///< from the first command to OUT on disk
};

/// OUT-stem.mtdN-NAME.bin next to OUT.
std::filesystem::path shell_part_file(const std::filesystem::path& out, const MtdPart& p);

/// Runs the route on an attached shell. Throws Error(Usage) for options that do not fit together
/// (before the camera is asked anything), the transfer's errors (naming what this run kept for
/// --resume), Error(VerifyMismatch) when the assembled image differs from the verified partitions.
ShellRouteResult run_shell_route(shell::ShellSession& sh, const ShellRouteOptions& opt, Reporter& rep,
                                 const CancelFlag* cancel);

/// The checks run_shell_route makes before anything is opened, for the CLI to call before it
/// opens the port (so a usage error costs no login).
void check_shell_route(const ShellRouteOptions& opt);

}  // namespace camdump::dump
