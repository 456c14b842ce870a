// SPDX-License-Identifier: MIT
// The virtual camera's line editor (see sim_line_editor.hpp).
#include "sim/sim_line_editor.hpp"

#include <cstddef>

namespace camdump::sim {
namespace {

constexpr size_t kCbSize = 2048;  // CONFIG_SYS_CBSIZE (uboot-ingenic isvp_common.h)

}  // namespace

LineEditor::Event LineEditor::key(unsigned char c, std::string& echo) {
  switch (c) {
    case 0x03: line_.clear(); return Event::Interrupt;
    case '\r':
    case '\n': echo += "\r\n"; return Event::Enter;
    case 0x08:
    case 0x7f:
      if (!line_.empty()) {
        line_.pop_back();
        echo += "\b \b";
      }
      return Event::None;
    default:
      if (c < 0x20) return Event::None;  // other control characters
      if (line_.size() + 1 >= kCbSize) {
        echo += '\a';
        return Event::None;
      }
      line_.push_back(static_cast<char>(c));
      echo += static_cast<char>(c);
      return Event::None;
  }
}

std::string LineEditor::take() {
  std::string line;
  line.swap(line_);
  return line;
}

}  // namespace camdump::sim
