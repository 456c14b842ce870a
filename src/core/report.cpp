// SPDX-License-Identifier: MIT
#include "core/report.hpp"

namespace camdump {

Reporter& null_reporter() {
  static Reporter r;
  return r;
}

}  // namespace camdump
