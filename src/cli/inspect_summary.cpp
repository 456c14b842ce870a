// SPDX-License-Identifier: MIT
#include "cli/inspect_summary.hpp"

#include "core/file_util.hpp"
#include "image/inspect.hpp"

namespace camdump::cli {

std::string dump_inspect_summary(const std::filesystem::path& out, uint64_t offset) {
  if (offset != 0) return {};
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(out, ec);
  if (ec || size < (1u << 20) || (size & (size - 1)) != 0) return {};
  auto data = read_file(out);
  return image::short_summary(image::inspect(data));
}

}  // namespace camdump::cli
