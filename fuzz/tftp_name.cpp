// SPDX-License-Identifier: MIT
// Fuzz the TFTP server's filename handling (tftp/path_guard.hpp) with request packets: whatever a
// client names, a name that is accepted has no control character, is not one of the server's
// temporary names and maps inside the root; a refusal never shows the root's path; the printable
// form used in logs is printable ASCII and capped. Never throws.
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <variant>

#include "core/atomic_file.hpp"
#include "tftp/packet.hpp"
#include "tftp/path_guard.hpp"

using namespace camdump;
using namespace camdump::tftp;

namespace {

const PathGuard& guard() {
  static const PathGuard g = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "camdump-fuzz-tftp-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    std::filesystem::create_directory(std::filesystem::path(tmpl) / "sub");
    static const std::string dir = tmpl;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    });
    return PathGuard(tmpl);
  }();
  return g;
}

void check(std::string_view name, const PathDecision& d) {
  const std::string& root = guard().root().native();
  if (!d.ok) {
    if (d.message.find(root) != std::string::npos) std::abort();
    return;
  }
  for (char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
  const std::string p = d.path.native();
  if (p.compare(0, root.size(), root) != 0 || p.size() <= root.size() || p[root.size()] != '/') std::abort();
  if (d.path.filename().native().starts_with(kUniqueTempPrefix)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = parse(std::span<const uint8_t>(data, size));
  std::string name;
  if (r) {
    auto* q = std::get_if<Request>(&*r.packet);
    if (!q) return 0;
    name = q->filename;
  } else {
    name.assign(reinterpret_cast<const char*>(data), size);  // raw bytes as a name, too
  }
  check(name, guard().for_write(name, false));
  check(name, guard().for_write(name, true));
  check(name, guard().for_read(name));
  const std::string shown = printable_name(name);
  if (shown.size() > 4 * kEchoedNameMax + 32) std::abort();
  for (char c : shown)
    if (c < 0x20 || c >= 0x7f) std::abort();
  return 0;
}
