// SPDX-License-Identifier: MIT
// Every `camdump dump …` ends with the short form of `camdump inspect` on what it wrote; and the
// one way inspect reads its input (bounded, interruptible: `inspect /dev/zero` must not eat RAM).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace camdump::cli {

/// The short inspect report of a written dump, or "" when the file is only part of a chip
/// (offset not 0, or a size that is no whole flash), where layout checks would mislead.
std::string dump_inspect_summary(const std::filesystem::path& out, uint64_t offset = 0);

/// The largest image inspect accepts: the biggest chip in the chip table, NAND spare bytes
/// included (a raw NAND dump with OOB), rounded up to a MiB.
uint64_t max_image_size();

/// Reads an image to inspect: a regular file, or a stream (pipe, /dev/stdin, a device) read only
/// up to max_image_size(). Larger input is Error(Usage) with a one-line message; a directory too.
/// Checks `cancel` between reads (a blocked read returns on SIGINT/SIGTERM: no SA_RESTART).
std::vector<uint8_t> read_inspect_input(const std::filesystem::path& path, const CancelFlag* cancel);

}  // namespace camdump::cli
