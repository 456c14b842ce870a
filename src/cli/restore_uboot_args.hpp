// SPDX-License-Identifier: MIT
// What `restore tftp`, `restore uart` and `restore sd` share: their options (one definition so the
// help agrees), the checks before the camera is touched, the confirmation, the backup by the
// UART md reader, and the summary (text or --json).
#pragma once
#include <functional>
#include <string>

#include "cli/context.hpp"
#include "cli/uart_options.hpp"
#include "dump/uboot_restore.hpp"

namespace camdump::cli {

struct RestoreUbootArgs {
  std::string command;  ///< "restore uart", "restore tftp" or "restore sd" (for --json)
  std::string port, image, offset, length, part, backup;
  ConsoleArgs console;
  unsigned tries = 3;
  bool dry_run = false, yes = false, resume = false, json = false, force = false, no_backup = false;
};

/// PORT, IMAGE and the shared options.
void add_restore_uboot_options(Command& c, RestoreUbootArgs& a);
/// Checked options (throws Error(Usage)); confirm asks on a terminal unless --yes/--dry-run.
dump::UbootRestoreOptions restore_uboot_options(const RestoreUbootArgs& a, Context& ctx);
/// A verified backup by the UART md reader (every U-Boot has md and crc32).
void backup_by_md(uboot::UbootSession& s, const std::filesystem::path& out, const dump::StagingOptions& staging,
                  std::optional<uint64_t> flash_size);
/// Open PORT, run the restore with `loader`, print the summary (text or --json).
void run_restore_uboot(const RestoreUbootArgs& a, const dump::UbootRestoreOptions& o, dump::RestoreLoader& loader,
                       Context& ctx);

}  // namespace camdump::cli
