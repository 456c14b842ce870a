// SPDX-License-Identifier: MIT
#include "support/paths.hpp"

namespace camdump::test {

const std::string& source_dir() {
  static const std::string dir = CAMDUMP_SOURCE_DIR;
  return dir;
}

const std::string& binary_dir() {
  static const std::string dir = CAMDUMP_BINARY_DIR;
  return dir;
}

std::string camdump_exe() { return binary_dir() + "/camdump"; }

}  // namespace camdump::test
