// SPDX-License-Identifier: MIT
// Small helpers for reading whole inputs. A device or FIFO can be endless (/dev/zero): callers
// that read one pass max_bytes, and the read stops with an error there instead of growing memory.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

namespace camdump {

/// Whole file as bytes; throws Error(NotFound/Permission/Io) naming the path, and Error(Usage)
/// when it holds more than `max_bytes`.
std::vector<uint8_t> read_file(const std::filesystem::path& path, uint64_t max_bytes = UINT64_MAX);

}  // namespace camdump
