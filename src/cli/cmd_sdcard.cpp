// SPDX-License-Identifier: MIT
// `camdump sdcard IMAGE /dev/sdX`: prepare an SD card for `camdump restore sd` (the inverse of
// `camdump extract`): the image from block 16 (byte 8192), read back and compared
// (dump/sdcard_write.hpp). Without --yes it shows what is overwritten and asks a terminal.
#include <fmt/core.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/size.hpp"
#include "dump/sdcard_write.hpp"

namespace camdump::cli {
namespace {

struct Args {
  std::string image, target;
  bool yes = false, json = false;
};

void run(const Args& a, Context& ctx) {
  dump::SdcardWriteOptions o;
  o.image = a.image;
  o.target = a.target;
  if (!a.yes) {
    if (!isatty(STDIN_FILENO))
      fail(ErrorKind::Usage, "sdcard asks before overwriting the card, and there is no terminal to ask",
           "run it in a terminal, or add --yes once you are sure the device is the card");
    o.confirm = [&ctx](const std::string& what) {
      ctx.reporter.log(LogLevel::Info, what);
      std::cerr << "Write the card? [y/N] " << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      return answer == "y" || answer == "Y" || answer == "yes";
    };
  }
  auto r = dump::write_sdcard(o, ctx.reporter, ctx.cancel);
  if (a.json) {
    nlohmann::json j;
    j["image"] = a.image;
    j["target"] = a.target;
    j["block_device"] = r.block_device;
    j["offset"] = r.offset;
    j["bytes"] = r.bytes;
    j["sha256"] = r.sha256;
    j["seconds"] = r.seconds;
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("wrote {} ({}) to {} from block 16 (byte 8192), read back: equal, sha256 {}\n", a.image,
             format_size(r.bytes), a.target, r.sha256);
  fmt::print("on the camera: camdump restore sd PORT {}\n", a.image);
}

}  // namespace

void register_sdcard(Command app, Context& ctx) {
  auto a = std::make_shared<Args>();
  Command c = app.subcommand(
      "sdcard",
      "Put IMAGE on an SD card from block 16 (byte 8192) for `camdump restore sd` (the inverse of extract); "
      "refuses a mounted card, reads it back");
  c.option("IMAGE", a->image, "The image (a verified dump)").required();
  c.option("DEVICE", a->target, "The card's whole device (/dev/sdb, /dev/mmcblk0) or an image file").required();
  c.flag("-y,--yes", a->yes, "Do not ask before writing (without a terminal, sdcard refuses unless --yes)");
  c.flag("--json", a->json, "Print only a JSON summary on stdout");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
