// SPDX-License-Identifier: MIT
#include "support/param_name.hpp"

#include <cctype>

namespace camdump::test {

std::string param_name(std::string_view text) {
  std::string out;
  bool gap = false;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      if (gap && !out.empty()) out += '_';
      out += c;
      gap = false;
    } else {
      gap = true;
    }
  }
  return out.empty() ? "empty" : out;
}

}  // namespace camdump::test
