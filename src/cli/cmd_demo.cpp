// SPDX-License-Identifier: MIT
// `camdump demo`: the U-Boot UART (md.b) route end to end, offline and real at every stage: build a
// Thingino-like flash image, print it exactly as U-Boot's md.b prints it (the renderer the virtual
// camera shares), read that console text back with the hexlog reader, and verify SHA-256 and
// CRC-32. Then garble one hex digit the way a noisy wire does and show it is caught and repaired
// by a re-read.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <chrono>

#include "cli/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/hash.hpp"
#include "core/size.hpp"
#include "dump/hexlog.hpp"
#include "image/synth.hpp"
#include "uboot/md_format.hpp"

namespace camdump::cli {
namespace {

struct DemoArgs {
  std::string flash_size = "16M", keep;
  uint32_t seed = 1;
};

double secs_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void run(const DemoArgs& a, Context& ctx) {
  using clock = std::chrono::steady_clock;
  constexpr uint64_t kBase = 0x80600000;  // stock T31 baseaddr, below U-Boot's heap
  image::SynthOptions so;
  so.flash_size = size_arg("--flash-size", a.flash_size);
  if (so.flash_size != (8u << 20) && so.flash_size != (16u << 20) && so.flash_size != (32u << 20))
    fail(ErrorKind::Usage, "--flash-size must be 8M, 16M or 32M");
  so.seed = a.seed;

  auto t = clock::now();
  const std::vector<uint8_t> img = image::make_thingino_image(so);
  const std::string sha = sha256_hex(img);
  const uint32_t crc = crc32(img);
  fmt::print("1. Built a Thingino-like {} flash image in memory ({:.2f} s)\n", format_size(img.size()), secs_since(t));
  fmt::print("   sha256 {}  crc32 {}\n", sha, crc_hex(crc));

  t = clock::now();
  std::string log;
  log.reserve(uboot::md_wire_chars(img.size(), 1, uboot::MdDialect::Old) + 256);
  const std::string cmd = fmt::format("md.b 0x{:x} 0x{:x}", kBase, img.size());
  log += "isvp_t31# " + cmd + "\r\n";
  uboot::MdRenderOptions ro;
  ro.dialect = uboot::MdDialect::Old;  // Ingenic U-Boot 2013.07: four spaces before the ASCII column
  uboot::render_md(log, img, kBase, ro);
  log += "isvp_t31# ";
  fmt::print("2. U-Boot would print it with '{}': {} lines, {} of console text\n", cmd, img.size() / 16,
             format_size(log.size()));
  fmt::print("   (about {:.1f} hours at 115200 baud; rendered here in {:.2f} s). The first lines:\n",
             static_cast<double>(log.size()) / 11520 / 3600, secs_since(t));
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    size_t nl = log.find('\n', pos);
    std::string line = log.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    fmt::print("   | {}\n", line);
    pos = nl + 1;
  }

  t = clock::now();
  dump::HexlogOptions ho;
  ho.start = kBase;
  ho.size = img.size();
  dump::HexlogReader reader(ho);
  reader.begin_source();
  reader.feed(log);
  reader.end_source();
  const dump::HexlogSummary s = reader.finish();
  std::vector<uint8_t> back(s.size);
  reader.copy_range(s.start, back, 0xff);
  const double parse_s = secs_since(t);
  fmt::print("3. Read the console text back with the hexlog reader (camdump hexlog) in {:.2f} s ({:.0f} MB/s):\n",
             parse_s, static_cast<double>(log.size()) / 1e6 / std::max(parse_s, 1e-6));
  fmt::print("   {} md lines, range 0x{:x}..0x{:x}, {} gap bytes, {} corrupt lines\n", s.md_lines, s.start,
             s.start + s.size - 1, s.gap_bytes, s.corrupt_lines);
  const std::string sha_back = sha256_hex(back);
  const uint32_t crc_back = crc32(back);
  const bool same = s.complete() && sha_back == sha && crc_back == crc;
  fmt::print("4. Verify: sha256 {} ({}), crc32 {} ({}); U-Boot's 'crc32 0x{:x} 0x{:x}' would print {}\n",
             sha_back == sha ? "equal" : "DIFFERENT", sha_back.substr(0, 16), crc_back == crc ? "equal" : "DIFFERENT",
             crc_hex(crc_back), kBase, img.size(), crc_hex(crc));

  // A noisy wire: one hex digit changes. The ASCII column disagrees, so the line is refused.
  // Pick a line whose first byte is an upper-case letter (the environment has many) and turn it
  // into the lower-case letter: still valid hex, but the ASCII column now disagrees.
  uint64_t bad_off = 0;
  for (uint64_t o = 0; o + 16 <= img.size(); o += 16)
    if (img[o] >= 'A' && img[o] <= 'Z') {
      bad_off = o;
      break;
    }
  const uint64_t bad_addr = kBase + bad_off;
  std::string noisy = log;
  const size_t digit = noisy.find(fmt::format("{:08x}: ", bad_addr)) + 10;
  noisy[digit] = static_cast<char>(noisy[digit] + 2);  // '4' -> '6', '5' -> '7'
  dump::HexlogReader r2(ho);
  r2.feed(noisy);
  auto s2 = r2.finish();
  fmt::print("5. A noisy wire garbles one hex digit of the line at 0x{:x}: hexlog reports {} corrupt line at 0x{:x}, "
             "{} missing byte(s), and would write nothing\n",
             bad_addr, s2.corrupt_lines, s2.issues.empty() ? 0 : s2.issues[0].addr, s2.gap_bytes);
  std::string reread = fmt::format("\r\nisvp_t31# md.b 0x{:x} 0x10\r\n", bad_addr);
  uboot::render_md(reread, std::span<const uint8_t>(img).subspan(bad_addr - kBase, 16), bad_addr, ro);
  r2.feed(reread);
  auto s3 = r2.finish();
  fmt::print("   re-reading that line ('md.b 0x{:x} 0x10') repairs it: {} gap bytes, issue {}\n", bad_addr, s3.gap_bytes,
             !s3.issues.empty() && s3.issues[0].recovered ? "marked recovered" : "NOT recovered");
  const bool noisy_ok = s2.corrupt_lines == 1 && !s2.complete() && s3.complete();

  if (!a.keep.empty()) {
    std::filesystem::create_directories(a.keep);
    auto log_path = std::filesystem::path(a.keep) / "demo_md.log";
    write_file_atomic(log_path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(log.data()), log.size()));
    write_file_atomic(std::filesystem::path(a.keep) / "demo_flash.bin", img);
    fmt::print("   kept {} and {}/demo_flash.bin (try: camdump hexlog {} -o out.bin)\n", log_path.string(), a.keep,
               log_path.string());
  }
  if (same && noisy_ok) {
    fmt::print("demo ok: {} image -> md.b console text -> hexlog -> identical image (sha256 and crc32 equal)\n",
               format_size(img.size()));
  } else {
    fmt::print("demo FAILED: the image read back differs\n");
    ctx.exit_code = 1;
  }
}

}  // namespace

void register_demo(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* c = app.add_subcommand(
      "demo",
      "Run the U-Boot UART route offline, every stage real: build a Thingino-like flash image, print it\n"
      "as U-Boot's md.b prints it, read that text back with the hexlog reader, verify SHA-256 and CRC-32,\n"
      "and show a garbled hex digit being caught and repaired by a re-read. Takes a few seconds.");
  c->add_option("--flash-size", a->flash_size, "Image size: 8M, 16M (default) or 32M");
  c->add_option("--seed", a->seed, "Seed of the synthetic image (default 1)");
  c->add_option("--keep", a->keep, "Also write the md.b log and the image into this directory");
  c->callback([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
