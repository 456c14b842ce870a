// SPDX-License-Identifier: MIT
// Small helpers for reading whole inputs.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

namespace camdump {

/// Whole file as bytes; throws Error(NotFound/Permission/Io) naming the path.
std::vector<uint8_t> read_file(const std::filesystem::path& path);

}  // namespace camdump
