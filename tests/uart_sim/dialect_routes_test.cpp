// SPDX-License-Identifier: MIT
// Every U-Boot route against every console dialect of the virtual camera (issue 13 items 2 and 7):
// `dump uart` with md and with the stub, `dump tftp` and `dump sd`, each starting from power-on so
// that the dialect's own autoboot text (any key, Ctrl-C, Enter) must be stopped with its key, and
// again with bootdelay=0. Small images keep it fast.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "image/synth.hpp"
#include "sim/sim_camera.hpp"
#include "support/process.hpp"

using namespace camdump;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kFlash = 8u << 20;  // the smallest synthetic image; mostly blank, so fast

test::CommandResult cli(const std::vector<std::string>& args, const test::TempDir& dir) {
  return test::run_camdump(args, dir.path(), 240s);
}

const std::vector<uint8_t>& test_image() {
  static const auto img = camdump::image::make_thingino_image({.flash_size = kFlash, .seed = 13});
  return img;
}

struct Param {
  std::string dialect, route, extra;
};

std::string name(const ::testing::TestParamInfo<Param>& i) {
  std::string n = i.param.dialect + "_" + i.param.route + (i.param.extra.empty() ? "" : "_bootdelay0");
  for (char& c : n)
    if (c == '-') c = '_';
  return n;
}

class DialectRoutes : public ::testing::TestWithParam<Param> {};

}  // namespace

TEST_P(DialectRoutes, DumpFromPowerOnIsExact) {
  const Param& p = GetParam();
  test::TempDir dir;
  write_file_atomic(dir / "img.bin", test_image());
  std::string port = "sim:" + (dir / "img.bin").string() + ",dialect=" + p.dialect + p.extra;
  const auto out = (dir / "fw.bin").string();
  test::CommandResult r;
  if (p.route == "md" || p.route == "stub") {
    r = cli({"dump", "uart", port, "-o", out, "--method", p.route, "--json"}, dir);
  } else if (p.route == "tftp") {
    const std::string listen = "127.0.0.1:" + std::to_string(test::free_udp_port());
    r = cli({"dump", "tftp", port + ",tftpput=1", "-o", out, "--server-ip", "127.0.0.1", "--camera-ip", "192.168.1.10",
             "--listen", listen, "--chunk", "1M", "--json"},
            dir);
  } else {  // sd
    const auto card = dir / "card.img";
    write_file_atomic(card, std::vector<uint8_t>(512, 0));
    std::filesystem::resize_file(card, 16u << 20);
    r = cli({"-q", "dump", "sd", port + ",sd=" + card.string(), "--yes", "--json"}, dir);
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["crc32"], fmt::format("{:08x}", crc32(test_image())));
    auto all = camdump::read_file(card);
    EXPECT_TRUE(std::equal(test_image().begin(), test_image().end(), all.begin() + std::ptrdiff_t{16} * 512))
        << "card holds the image at block 16";
    return;
  }
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(camdump::read_file(out), test_image());
}

INSTANTIATE_TEST_SUITE_P(
    Sim, DialectRoutes,
    ::testing::Values(Param{"thingino", "md", ""}, Param{"ingenic2013", "md", ""}, Param{"openipc", "md", ""},
                      Param{"modern", "md", ""}, Param{"thingino", "stub", ""}, Param{"ingenic2013", "stub", ""},
                      Param{"openipc", "stub", ""}, Param{"modern", "stub", ""}, Param{"thingino", "tftp", ""},
                      Param{"ingenic2013", "tftp", ""}, Param{"openipc", "tftp", ""}, Param{"modern", "tftp", ""},
                      Param{"thingino", "sd", ""}, Param{"ingenic2013", "sd", ""}, Param{"openipc", "sd", ""},
                      Param{"modern", "sd", ""}, Param{"thingino", "md", ",bootdelay=0"},
                      Param{"ingenic2013", "md", ",bootdelay=0"}, Param{"openipc", "md", ",bootdelay=0"},
                      Param{"modern", "md", ",bootdelay=0"}),
    name);

// Issue 13 item 8: at noise=1e-3 a damaged prompt or echo is line noise, not a lost console.
TEST(NoisyLine, MdAtOneErrorPerThousandCharactersIsExact) {
  test::TempDir dir;
  const auto out = (dir / "fw.bin").string();
  test::CommandResult r = cli(
      {"dump", "uart", "sim:flash=8M,noise=1e-3,seed=3", "-o", out, "--method", "md", "--length", "1M", "--json"}, dir);
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["length"], 1u << 20);
  auto t = sim::open_sim("flash=8M", null_reporter());
  auto flash = dynamic_cast<sim::SimTransport&>(*t).camera().flash();
  EXPECT_EQ(camdump::read_file(out), std::vector<uint8_t>(flash.begin(), flash.begin() + (1u << 20)));
  EXPECT_LT(j["wire"]["per_flash_byte"].get<double>(), 6.0) << r.out;
  EXPECT_EQ(r.err.find("re-attaching"), std::string::npos) << r.err;  // no reboot, no silence
}
