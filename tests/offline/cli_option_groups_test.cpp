// SPDX-License-Identifier: MIT
// The typed option groups (cli/option_groups.hpp, cli/command.hpp): sizes, addresses, choices and
// ranges are checked by CLI11 before anything is opened, so every route refuses a bad value the
// same way: exit 2, "--option: what is wrong" on stderr, the command's --help named as the hint,
// and with --json the error as JSON on stdout. Nothing is opened (sim: would need seconds), and no
// output file appears.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/param_name.hpp"
#include "support/process.hpp"

namespace ct = camdump::test;
using namespace std::chrono_literals;

namespace {

bool has(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

struct Case {
  std::vector<std::string> args;
  std::string message;  // expected on stderr
};

// "dump_uart_offset": the command, its route and the last option given.
std::string case_name(const ::testing::TestParamInfo<Case>& i) {
  std::string option;
  for (const auto& a : i.param.args)
    if (a.starts_with("--")) option = a;
  return ct::param_name(i.param.args[0] + " " + i.param.args[1] + " " + option);
}

}  // namespace

class BadSize : public ::testing::TestWithParam<Case> {};

TEST_P(BadSize, IsRefusedTheSameWayOnEveryRoute) {
  const Case& c = GetParam();
  ct::TempDir d;
  auto o = ct::run_camdump_in(c.args, d);
  EXPECT_EQ(o.status, 2) << c.args[1] << ": " << o.err;
  EXPECT_TRUE(has(o.err, "camdump: error: " + c.message)) << o.err;
  EXPECT_TRUE(has(o.err, "hint: run 'camdump " + c.args[0] + " " + c.args[1] + " --help'")) << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
  EXPECT_FALSE(std::filesystem::exists(d / "x.bin"));
}

INSTANTIATE_TEST_SUITE_P(
    CliOptionGroups, BadSize,
    ::testing::ValuesIn(std::vector<Case>{
        {{"dump", "uart", "sim:", "-o", "x.bin", "--offset", "12Q"}, "--offset: '12Q' is not a size"},
        {{"dump", "tftp", "sim:", "-o", "x.bin", "--server-ip", "127.0.0.1", "--camera-ip", "keep", "--length", "zz"},
         "--length: 'zz' is not a size"},
        {{"dump", "sd", "--yes", "sim:", "--chunk", "1X"}, "--chunk: '1X' is not a size"},
        {{"dump", "ch341a", "-o", "x.bin", "--offset", "0xG"}, "--offset: '0xG' is not a size"},
        {{"restore", "ch341a", "img.bin", "--length", "4KQ"}, "--length: '4KQ' is not a size"},
        {{"dump", "uart", "sim:", "-o", "x.bin", "--flash-size", "big"}, "--flash-size: 'big' is not a size"},
        {{"dump", "uart", "sim:", "-o", "x.bin", "--buffer", "0xZZ"}, "--buffer: '0xZZ' is not a number"},
    }),
    case_name);

class GoodSize : public ::testing::TestWithParam<std::string> {};

TEST_P(GoodSize, GetsPastParsing) {
  // Accepted sizes get past parsing: the run then stops at the output check (an existing OUT
  // without --force), which names OUT; a refused size would name the option instead.
  const std::string& size = GetParam();
  ct::TempDir d;
  ct::write_file(d / "x.bin", "x");
  auto o = ct::run_camdump_in({"dump", "uart", "sim:", "-o", "x.bin", "--length", size}, d);
  EXPECT_EQ(o.status, 2) << size;
  EXPECT_FALSE(has(o.err, "is not a size")) << size << ": " << o.err;
  EXPECT_TRUE(has(o.err, "x.bin")) << o.err;
}

INSTANTIATE_TEST_SUITE_P(CliOptionGroups, GoodSize, ::testing::Values("0x10000", "65536", "64K", "64KiB"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return ct::param_name(i.param); });

class BadChoiceOrRange : public ::testing::TestWithParam<Case> {};

TEST_P(BadChoiceOrRange, IsAUsageError) {
  const Case& c = GetParam();
  ct::TempDir d;
  auto o = ct::run_camdump_in(c.args, d);
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_TRUE(has(o.err, c.message)) << c.message << " in: " << o.err;
}

INSTANTIATE_TEST_SUITE_P(
    CliOptionGroups, BadChoiceOrRange,
    ::testing::ValuesIn(std::vector<Case>{
        {{"dump", "uart", "sim:", "-o", "x.bin", "--width", "q"}, "--width: q not in {auto,b,w,l}"},
        {{"dump", "uart", "sim:", "-o", "x.bin", "--method", "fast"}, "--method: fast not in {auto,stub,md}"},
        {{"dump", "sd", "--yes", "sim:", "--device", "floppy"}, "--device: floppy not in {mmc,virtio,usb}"},
        {{"dump", "ch341a", "-o", "x.bin", "--reads", "17"}, "--reads: Value 17 not in range 1 to 16"},
        {{"restore", "ch341a", "img.bin", "--tries", "0"}, "--tries: Value 0 not in range 1 to 10"},
        {{"restore", "ch341a", "img.bin", "--part", "kernel", "--offset", "0"}, "excludes"},
        {{"dump", "ch341a", "-o", "x.bin", "--nand-oob", "--nand-data"}, "--nand-oob excludes --nand-data"},
    }),
    case_name);

TEST(CliOptionGroups, JsonUsageErrorIsJson) {
  ct::TempDir d;
  auto o = ct::run_camdump_in({"dump", "ch341a", "-o", "x.bin", "--json", "--length", "lots"}, d);
  EXPECT_EQ(o.status, 2);
  auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["kind"], "usage");
  EXPECT_TRUE(has(j["error"].get<std::string>(), "--length: 'lots' is not a size")) << o.out;
}
