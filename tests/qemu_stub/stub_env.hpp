// SPDX-License-Identifier: MIT
// Where the stub suites find the rebuilt qemu_arm U-Boot (`go` works there; Debian's stock build
// hangs in flush() inside `go`, docs/reference/qemu-test-cameras.md#go): the cache of scripts/build-uboot-qemu, or
// CAMDUMP_UBOOT_QEMU_ARM. Empty when none is present (the ARM tests then skip).
#pragma once
#include <cstdlib>
#include <filesystem>
#include <string>

namespace camdump::test {

inline std::string rebuilt_qemu_arm_uboot() {
  if (const char* e = std::getenv("CAMDUMP_UBOOT_QEMU_ARM"); e && std::filesystem::exists(e)) return e;
  std::filesystem::path cache;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) cache = x;
  else if (const char* h = std::getenv("HOME")) cache = std::filesystem::path(h) / ".cache";
  std::error_code ec;
  if (cache.empty() || !std::filesystem::exists(cache / "camdump", ec)) return {};
  for (auto& f : std::filesystem::recursive_directory_iterator(cache / "camdump", ec)) {
    const auto& p = f.path();
    const std::string name = p.filename().string();  // u-boot-qemu_arm-<version>-<flavour>.bin
    if (name.rfind("u-boot-qemu_arm", 0) == 0 && p.extension() == ".bin") return p.string();
  }
  return {};
}

}  // namespace camdump::test
