// SPDX-License-Identifier: MIT
// Fuzz the U-Boot console readers of the UART route with arbitrary console text: crc32, sf probe /
// sf read, mmc results, prompt/autoboot/Linux/reboot detection, device facts, and the resume state
// file parser. None may crash, hang or read out of bounds; results must stay self-consistent.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "dump/chunk_plan.hpp"
#include "uboot/console_text.hpp"
#include "uboot/crc32_output.hpp"
#include "uboot/mmc_output.hpp"
#include "uboot/sf_output.hpp"

using namespace camdump;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  for (const auto& l : lines) {
    if (auto r = uboot::parse_crc32_line(l); r && r->crc > 0xffffffffu) std::abort();
  }
  (void)uboot::find_crc32(lines, 0x80600000, 0x10000);
  auto sf = uboot::parse_sf_probe(lines);
  if (sf.size && *sf.size == 0) std::abort();
  (void)uboot::parse_sf_read(lines);
  (void)uboot::parse_mmc_result(lines);
  (void)uboot::find_autoboot(text);
  (void)uboot::find_linux(text);
  (void)uboot::find_boot_banner(text);
  std::string cand = uboot::prompt_candidate(text);
  if (cand.size() > 40) std::abort();
  uboot::ConsoleFacts f;
  uboot::read_console_facts(text.substr(0, 4096), f);
  (void)uboot::find_baud_reply(text);
  try {
    auto p = dump::parse_state(text);
    if (p.settled_bytes() > p.length) std::abort();
  } catch (const Error&) {}
  return 0;
}
