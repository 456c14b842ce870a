// SPDX-License-Identifier: MIT
// Test support: where the tree under test and its build are.
#pragma once
#include <string>

namespace camdump::test {

// Only paths.cpp is compiled with the two directories (CAMDUMP_SOURCE_DIR/CAMDUMP_BINARY_DIR):
// a path on a compile line is part of what ccache hashes, so every test file that held one missed
// the cache in each fresh clone.

/// The source tree's root (fixtures, docs, the fuzz corpus).
const std::string& source_dir();
/// The build directory whose programs the tests run (camdump, libcamdump-usbsim.so, generated
/// fixtures): the main build's, or the sanitizer build's for the instrumented runs.
const std::string& binary_dir();
/// binary_dir() + "/camdump": the CLI under test.
std::string camdump_exe();

}  // namespace camdump::test
