// SPDX-License-Identifier: MIT
// The JSON every dump/restore route prints with --json has one shape for what all routes share
// (docs/route-json.md): `route`, `output`, `device`, `range`, `verification` and `timing`, plus
// the flat keys scripts already read (`offset`, `length`, `flash_size`, `crc32`, `sha256`,
// `seconds`); every restore adds the plan and what was written (restore_json). Each route adds
// its own keys next to them. nlohmann-json is used by the CLI only.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dump/restore_plan.hpp"
#include "uboot/session.hpp"

namespace camdump::cli {

/// What a route's run establishes, in the terms every route shares.
struct RouteFacts {
  std::string command;                 ///< "dump uart", "restore ch341a", ...
  std::string route;                   ///< how the bytes travel: "uart", "tftp", "sd", "shell", "ch341a", ...
  std::string output;                  ///< file written ("" = none, e.g. dump sd writes to the card)
  uint64_t offset = 0, length = 0;     ///< the flash range the run covered
  std::optional<uint64_t> flash_size;  ///< whole flash, when known
  bool verified = true;                ///< every byte checked against the device (or agreeing reads)
  std::string verified_by;             ///< "device crc32", "device md5sum", "2 agreeing reads", ...
  std::optional<uint32_t> crc32;       ///< CRC-32 of the range (IEEE, as U-Boot's crc32 prints it)
  std::string sha256;                  ///< of the output ("" when no file was written)
  double seconds = 0;                  ///< wall-clock time of the run
  std::optional<double> wire_seconds;  ///< time the bytes spent on the wire, when the route knows it
};

/// `device` for a route over a U-Boot console: {"kind":"u-boot", prompt, version, soc, console_uart, arch}.
nlohmann::json uboot_device_json(const uboot::DeviceInfo& d);
/// `device` for a programmer: {"kind":"ch341a", programmer, chip, vendor, id, type}.
nlohmann::json programmer_device_json(const std::string& programmer, const std::string& chip, const std::string& vendor,
                                      const std::string& id, const std::string& type);

/// The shared keys: route, output, device, range, verification, timing and the flat keys.
nlohmann::json route_json(const RouteFacts& f, nlohmann::json device);

/// What every restore (ch341a, uart, tftp, sd) establishes about its plan and its writing.
struct RestoreFacts {
  std::string image;     ///< IMAGE as given
  std::string chip, id;  ///< part name and JEDEC ID ("EF 40 18"); "" when unknown
  const dump::RestoreOutcome& outcome;
};

/// route_json plus the restore keys every restore prints (docs/route-json.md, "Restores").
nlohmann::json restore_json(const RouteFacts& f, nlohmann::json device, const RestoreFacts& r);

}  // namespace camdump::cli
