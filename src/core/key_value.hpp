// SPDX-License-Identifier: MIT
// The "key=value,key=value" lists of the simulator specs (`--port sim:...`, `--sim ...` of the
// CH341A routes), split once: each caller then says which keys it knows and what a bare item
// (no '=') means to it.
#pragma once
#include <string_view>
#include <vector>

namespace camdump {

struct KeyValueItem {
  std::string_view text;   ///< the whole item as written
  std::string_view key;    ///< before the first '=' (the whole item when there is none)
  std::string_view value;  ///< after the first '=' ("" when there is none)
  bool has_value = false;  ///< the item has an '='
};

/// Every item of `text` split at `sep`, in order, empty ones included (so a caller can tell the
/// first item). The views point into `text`.
std::vector<KeyValueItem> split_key_values(std::string_view text, char sep = ',');

}  // namespace camdump
