// SPDX-License-Identifier: MIT
// A stand-in camera for the Linux-shell route: Debian's busybox-static in a chroot, with a
// fake /proc/mtd, /proc/cmdline and /proc/mounts and /dev/mtdN files cut from a flash image.
// Reached through `exec:chroot DIR ...` on a pseudo-terminal, like a console cable.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace camdump::test {

struct FakePart {
  std::string name;
  uint64_t offset, size;
};

struct BusyboxRootOptions {
  std::vector<FakePart> parts;    ///< /proc/mtd in this order (mtd0, mtd1, ...)
  std::string mtdparts;           ///< put into /proc/cmdline when not empty
  bool login = false;             ///< a login + password prompt before the shell (root / secret)
  std::vector<std::string> hide;  ///< applets made to fail as "not found" (e.g. "base64")
  bool sd_card = false;           ///< a mounted "card" at /mnt/mmcblk0p1
};

class BusyboxRoot {
 public:
  BusyboxRoot(const std::vector<uint8_t>& image, const BusyboxRootOptions& opt);
  const std::filesystem::path& dir() const { return tmp_.path(); }
  /// The PORT that starts the camera's console.
  std::string port() const;
  /// The directory that stands for the SD card, as seen from the host.
  std::filesystem::path card() const { return tmp_.path() / "mnt/mmcblk0p1"; }

 private:
  TempDir tmp_{"camdump-busybox"};
  bool login_;
};

}  // namespace camdump::test
