// SPDX-License-Identifier: MIT
// `camdump extract SOURCE -o OUT --size SIZE`: read the dump back from an SD card or card image.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"
#include "dump/extract.hpp"

namespace camdump::cli {
namespace {

struct ExtractArgs {
  std::string source, out, size, offset_blocks = "16", block_size = "512", expect_crc;
  bool json = false, force = false;
};

constexpr const char* kMismatchHint =
    "check --size/--offset-blocks against the mmc write command, or repeat the mmc write (the card may hold stale "
    "data)";

std::string mismatch_message(uint32_t got, uint32_t want) {
  return fmt::format("crc32 {} does not match the expected {}: nothing written", crc_hex(got), crc_hex(want));
}

void run(const ExtractArgs& a, Context& ctx) {
  check_output_path(a.out, {.force = a.force});
  dump::ExtractOptions o;
  o.size = size_arg("--size", a.size);
  o.offset_blocks = number_arg("--offset-blocks", a.offset_blocks);
  o.block_size = size_arg("--block-size", a.block_size);
  o.reporter = &ctx.reporter;
  o.cancel = ctx.cancel;
  std::optional<uint32_t> expect;
  if (!a.expect_crc.empty()) {
    expect = parse_crc(a.expect_crc);
    if (!expect)
      fail(ErrorKind::Usage, fmt::format("--expect-crc32 wants 8 hex digits (0x optional), not '{}'", a.expect_crc));
  }
  AtomicFile out(a.out);
  const dump::ExtractResult r = dump::extract_image(a.source, out, o);
  const bool ok = !expect || *expect == r.crc32;
  if (ok) out.commit();
  else out.discard();
  if (a.json) {
    nlohmann::json j = {{"ok", ok},
                        {"source", a.source},
                        {"offset", o.offset_blocks * o.block_size},
                        {"size", r.size},
                        {"crc32", crc_hex(r.crc32)},
                        {"md5", r.md5},
                        {"sha256", r.sha256},
                        {"written", ok}};
    if (ok) j["output"] = a.out;
    if (expect) j["expected_crc32"] = crc_hex(*expect);
    if (!ok) {
      j["error"] = mismatch_message(r.crc32, *expect);
      j["hint"] = kMismatchHint;
      ctx.exit_code = 1;
    }
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("read {} from {} at block {} (byte {}): md5 {}\n", format_size(r.size), a.source, o.offset_blocks,
             hex(o.offset_blocks * o.block_size), r.md5);
  // A mismatch is an error like any other: one "camdump: error:" line and its hint on stderr.
  if (!ok) fail(ErrorKind::VerifyMismatch, mismatch_message(r.crc32, *expect), kMismatchHint);
  fmt::print("wrote {}: {} bytes, crc32 {}{}, sha256 {}\n", a.out, r.size, crc_hex(r.crc32),
             expect ? " (matches U-Boot's)" : "", r.sha256);
}

}  // namespace

void register_extract(Command app, Context& ctx) {
  auto a = std::make_shared<ExtractArgs>();
  Command c =
      add_command(app, "extract",
                  "Read a raw dump back from an SD card (device or card image) written by U-Boot's\n"
                  "'mmc write ${baseaddr} 0x10 N'. Refuses to read past the end of the source; prints the hashes.");
  c.option("SOURCE", a->source, "Card device (the whole card, e.g. /dev/sdb) or card image file").required();
  c.option("-o,--output", a->out, "Output image (written as OUT.part, renamed when complete, mode 0600)").required();
  c.option("--size", a->size, "Bytes to read: the flash size (16M, 0x1000000, ...)").required();
  c.option("--offset-blocks", a->offset_blocks,
           "First block on the card (default 16 = 0x10, as the U-Boot command writes)");
  c.option("--block-size", a->block_size, "Block size in bytes (default 512)");
  c.option("--expect-crc32", a->expect_crc,
           "Accept the result only if its CRC-32 equals this (U-Boot's crc32 output; hex, 0x optional); otherwise "
           "nothing is written and the exit code is 1");
  c.flag("--force", a->force, "Replace an existing OUT");
  c.flag("--json", a->json, "Print the result as JSON on stdout");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
