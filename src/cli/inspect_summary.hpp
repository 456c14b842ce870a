// SPDX-License-Identifier: MIT
// Every `camdump dump …` ends with the short form of `camdump inspect` on what it wrote.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace camdump::cli {

/// The short inspect report of a written dump, or "" when the file is only part of a chip
/// (offset not 0, or a size that is no whole flash), where layout checks would mislead.
std::string dump_inspect_summary(const std::filesystem::path& out, uint64_t offset = 0);

}  // namespace camdump::cli
