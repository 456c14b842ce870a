// SPDX-License-Identifier: MIT
#include "uboot/mmc_output.hpp"

#include <string_view>

#include "core/size.hpp"

namespace camdump::uboot {

std::optional<MmcResult> parse_mmc_result(std::span<const std::string> lines) {
  for (const std::string& raw : lines) {
    std::string_view l = raw;
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ')) l.remove_suffix(1);
    // "... 32768 blocks written: OK" / "16 blocks write: OK" / "blocks erased: OK" / ": ERROR"
    size_t b = l.find(" blocks ");
    if (b != std::string_view::npos) {
      size_t colon = l.find(':', b);
      if (colon != std::string_view::npos) {
        MmcResult r;
        std::string_view status = l.substr(colon + 1);
        while (!status.empty() && status.front() == ' ') status.remove_prefix(1);
        r.ok = status == "OK";
        size_t s = b;
        while (s > 0 && l[s - 1] >= '0' && l[s - 1] <= '9') --s;
        if (s < b) r.blocks = parse_number(l.substr(s, b - s));  // nullopt when it overflows
        if (!r.ok) r.error = std::string(l);
        return r;
      }
    }
    if (l.find("card is write protected") != std::string_view::npos ||
        l.find("No MMC card found") != std::string_view::npos || l.find("no mmc device") != std::string_view::npos ||
        (l.find("MMC Device") != std::string_view::npos && l.find("not found") != std::string_view::npos))
      return MmcResult{false, std::nullopt, std::string(l)};
  }
  return std::nullopt;
}

}  // namespace camdump::uboot
