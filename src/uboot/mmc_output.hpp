// SPDX-License-Identifier: MIT
// Pure reader for `mmc write`/`mmc read`/`mmc erase` results (docs/reference/uboot-console.md#mmc): 2013-era
// "%d blocks write: OK", later "%d blocks written: OK", "... blocks erased: OK", or ERROR lines.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace camdump::uboot {

struct MmcResult {
  bool ok = false;
  std::optional<uint64_t> blocks;  ///< the block count printed (decimal)
  std::string error;               ///< the error line when not ok
};

/// nullopt when no result line is present.
std::optional<MmcResult> parse_mmc_result(std::span<const std::string> lines);

}  // namespace camdump::uboot
