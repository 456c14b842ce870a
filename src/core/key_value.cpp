// SPDX-License-Identifier: MIT
// key=value list splitting (see key_value.hpp).
#include "core/key_value.hpp"

namespace camdump {

std::vector<KeyValueItem> split_key_values(std::string_view text, char sep) {
  std::vector<KeyValueItem> items;
  for (;;) {
    const size_t end = text.find(sep);
    KeyValueItem it;
    it.text = text.substr(0, end);
    const size_t eq = it.text.find('=');
    it.has_value = eq != std::string_view::npos;
    it.key = it.text.substr(0, eq);
    if (it.has_value) it.value = it.text.substr(eq + 1);
    items.push_back(it);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return items;
}

}  // namespace camdump
