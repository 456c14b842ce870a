// SPDX-License-Identifier: MIT
// Test support: reproducible pseudo-random test data.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace camdump::test {

/// n bytes, each the low byte of one std::mt19937 draw seeded with `seed`: the engine is fully
/// specified by the C++ standard, so a seed gives the same bytes on every platform and build.
std::vector<uint8_t> random_bytes(size_t n, uint32_t seed);

}  // namespace camdump::test
