// SPDX-License-Identifier: MIT
// The stub's rate ladder (see stub_loader.hpp, docs/stub.md "Line rate"): which fast rates this
// UART makes exactly and the host adapter accepts, the rate the next run asks for, and the step
// down after frames kept failing at one.
#include <fmt/format.h>

#include "uboot/stub_loader.hpp"

namespace camdump::uboot {

void StubLoader::set_rates(const std::vector<uint32_t>& ladder) {
  wanted_ = ladder;
  ladder_.clear();
}

std::optional<uint32_t> StubLoader::next_rate() const {
  if (ladder_.empty()) return std::nullopt;
  return ladder_.front();
}

bool StubLoader::step_down(const std::string& why) {
  if (ladder_.empty()) return false;
  const uint32_t r = ladder_.front();
  ladder_.erase(ladder_.begin());
  stats_.step_downs++;
  note(fmt::format("{} at {} baud: stepping down to {}", why, r,
                   ladder_.empty() ? "U-Boot's rate" : std::to_string(ladder_.front())));
  return true;
}

// Which ladder rates this UART makes exactly and the adapter accepts (asked while U-Boot sits
// at its prompt, so nothing travels while the rate is changed back and forth).
void StubLoader::probe_adapter() {
  if (!wanted_) return;
  const auto want = *wanted_;
  wanted_.reset();
  auto& t = s_.transport();
  const auto cur = t.baud();
  if (want.empty()) return;
  if (!cur) {
    note(t.describe() +
         " carries no line rate the host could change (raw TCP or a program's terminal): staying at the console "
         "rate; a local serial port or rfc2217: (ser2net with RFC 2217) can go faster");
    return;
  }
  for (uint32_t r : want) {
    if (r <= *cur) continue;
    if (!uart_divisor(soc_.uart, r)) {
      note(fmt::format("the {} UART cannot make {} baud exactly", soc_.name, r));
      continue;
    }
    if (!t.set_baud(r)) {
      note(fmt::format("the host adapter refused {} baud", r));
      continue;
    }
    ladder_.push_back(r);
  }
  t.set_baud(*cur);
}

}  // namespace camdump::uboot
