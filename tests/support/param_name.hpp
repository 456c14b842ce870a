// SPDX-License-Identifier: MIT
// Test support: readable names for TEST_P cases, so a failure names its case.
//
//   INSTANTIATE_TEST_SUITE_P(Specs, BadSpec, ::testing::Values("bogus=1", "flash=3M"),
//                            [](const auto& i) { return test::param_name(i.param); });   // bogus_1, flash_3M
#pragma once
#include <string>
#include <string_view>

namespace camdump::test {

/// `text` as a GoogleTest parameter name: letters and digits kept, every other run of characters
/// one '_' (none at either end); "empty" when nothing is left.
std::string param_name(std::string_view text);

}  // namespace camdump::test
