// SPDX-License-Identifier: MIT
// camdump inspect on images made by the real tools: healthy ones pass, and each corruption is
// found and located (part + offset). Also the synthetic image and the CLI (--json, exit codes).
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "inspect_util.hpp"
#include "image/inspect.hpp"
#include "image/synth.hpp"
#include "support/process.hpp"
#include "support/paths.hpp"

namespace camdump::image {
namespace {

using test::all_problems;
using test::find_problem;
using test::fixtures;
using test::part;
using namespace std::chrono_literals;

void expect_healthy(const test::FixtureImage& f, const char* known) {
  const InspectReport r = inspect(f.data);
  EXPECT_TRUE(r.ok()) << all_problems(r);
  EXPECT_EQ(r.layout.source, "bootargs");  // the fixtures' env has mtdparts only in bootargs
  EXPECT_NE(r.layout.known.find(known), std::string::npos) << r.layout.known;
  EXPECT_TRUE(r.boot.ingenic_spl);
  EXPECT_EQ(r.boot.soc, "T31");
  ASSERT_NE(part(r, "kernel"), nullptr);
  ASSERT_TRUE(part(r, "kernel")->uimage);
  EXPECT_EQ(part(r, "kernel")->uimage->comp, 3);  // lzma
  EXPECT_TRUE(part(r, "kernel")->uimage->data_crc_ok);
  ASSERT_TRUE(part(r, "rootfs") && part(r, "rootfs")->squashfs);
  EXPECT_TRUE(part(r, "rootfs")->squashfs->read_ok);
  EXPECT_GE(part(r, "rootfs")->squashfs->files, 7u);
  EXPECT_EQ(part(r, "rootfs")->squashfs->file_bytes, (300 + 200 + 90) * 1024u + 7 + 26 + 19 + 11);
  ASSERT_FALSE(r.envs.empty());
  EXPECT_TRUE(r.envs.front().crc_ok);
  EXPECT_EQ(*r.envs.front().get("wlanpass"), "********");
  EXPECT_NE(short_summary(r).find("inspect: OK"), std::string::npos);
}

TEST(InspectReal, Thingino16GzipPasses) { expect_healthy(fixtures().thingino16, "Thingino (e08b02942"); }
TEST(InspectReal, Thingino8XzRedundantEnvPasses) {
  expect_healthy(fixtures().thingino8, "Thingino (e08b02942");
  const InspectReport r = inspect(fixtures().thingino8.data);
  ASSERT_EQ(r.envs.size(), 2u);
  EXPECT_TRUE(r.envs[0].redundant);
  EXPECT_EQ(r.envs[0].flags, 1);
  EXPECT_EQ(r.envs[1].offset, r.envs[0].offset + 0x8000);
  ASSERT_TRUE(part(r, "data")->jffs2);
  EXPECT_EQ(part(r, "data")->jffs2->bad_nodes, 0u);
  EXPECT_GT(part(r, "data")->jffs2->good_nodes, 4u);
}
TEST(InspectReal, Thingino32XzPasses) { expect_healthy(fixtures().thingino32, "Thingino (e08b02942"); }
TEST(InspectReal, StockIngenicWithOverlappingAllPasses) {
  expect_healthy(fixtures().stock16, "stock Ingenic");
  const InspectReport r = inspect(fixtures().stock16.data);
  ASSERT_NE(part(r, "all"), nullptr);
  EXPECT_TRUE(part(r, "all")->whole_chip);
  EXPECT_EQ(r.envs.front().size, 0x4000u);
  EXPECT_EQ(part(r, "appfs")->content, "jffs2");
}

TEST(InspectReal, ShowSecretsUnmasks) {
  InspectOptions o;
  o.show_secrets = true;
  EXPECT_EQ(*inspect(fixtures().thingino16.data, o).envs.front().get("wlanpass"), "topsecret99");
}

TEST(InspectReal, InferredLayoutWithoutMtdparts) {
  auto img = fixtures().thingino16.data;
  const InspectReport full = inspect(img);
  // Blank the env: no mtdparts anywhere any more (bootargs lived there).
  std::fill(img.begin() + 0x50000, img.begin() + 0x60000, 0xff);
  const InspectReport r = inspect(img);
  EXPECT_EQ(r.layout.source, "inferred");
  ASSERT_NE(part(r, "kernel"), nullptr);
  EXPECT_EQ(part(r, "kernel")->offset, 0x70000u);
  ASSERT_NE(part(r, "rootfs"), nullptr);
  EXPECT_EQ(part(r, "rootfs")->offset, 0x200000u);
  EXPECT_TRUE(r.ok()) << all_problems(r);
}

TEST(InspectCorrupt, KernelBitFlipFoundInKernel) {
  const auto& f = fixtures().thingino16;
  auto img = f.data;
  const uint64_t at = f.kernel + 64 + f.kernel_size / 2;
  img[at] ^= 0x10;
  const InspectReport r = inspect(img);
  const Problem* p = find_problem(r, "kernel", "data CRC mismatch");
  ASSERT_NE(p, nullptr) << all_problems(r);
  EXPECT_EQ(p->offset, f.kernel + 64);
  EXPECT_EQ(r.problems.size(), 1u) << all_problems(r);
}

TEST(InspectCorrupt, SquashfsDataBlockBitFlipLocated) {
  for (const auto* f : {&fixtures().thingino16, &fixtures().thingino8}) {
    auto img = f->data;
    const uint64_t at = f->rootfs + 96 + 0x800;  // inside the first (compressed) data block
    img[at] ^= 0x04;
    const InspectReport r = inspect(img);
    const Problem* p = find_problem(r, "rootfs", "squashfs block at");
    ASSERT_NE(p, nullptr) << all_problems(r);
    EXPECT_LE(p->offset, at);
    EXPECT_GT(p->offset + uint64_t{128} * 1024, at);
    EXPECT_NE(p->message.find("/aaa.log"), std::string::npos) << p->message;
    InspectOptions quick;
    quick.read_files = false;  // without the full read the superblock alone looks fine
    EXPECT_TRUE(inspect(img, quick).ok());
  }
}

TEST(InspectCorrupt, Jffs2NodeBitFlipLocated) {
  const auto& f = fixtures().thingino16;
  auto img = f.data;
  const uint64_t node = test::first_jffs2_inode(img, f.data_part);
  img[node + 68 + 3] ^= 0x01;  // in the node's data
  const InspectReport r = inspect(img);
  const Problem* p = find_problem(r, "data", "jffs2 inode data CRC mismatch");
  ASSERT_NE(p, nullptr) << all_problems(r);
  EXPECT_EQ(p->offset, node);
  EXPECT_EQ(part(r, "data")->jffs2->bad_nodes, 1u);
}

TEST(InspectCorrupt, EnvBitFlipLocated) {
  const auto& f = fixtures().thingino16;
  auto img = f.data;
  img[f.env + 40] ^= 0x02;
  const InspectReport r = inspect(img);
  const Problem* p = find_problem(r, "env", "fails its CRC");
  ASSERT_NE(p, nullptr) << all_problems(r);
  EXPECT_EQ(p->offset, f.env);
}

TEST(InspectCorrupt, TruncatedImageLocated) {
  const auto& f = fixtures().thingino16;
  std::vector<uint8_t> img(f.data.begin(), f.data.begin() + 0x200000 + 0x30000);  // cut inside rootfs
  const InspectReport r = inspect(img);
  EXPECT_NE(find_problem(r, "image", "not a flash size"), nullptr) << all_problems(r);
  EXPECT_NE(find_problem(r, "image", "truncated"), nullptr) << all_problems(r);
  const Problem* cut = find_problem(r, "rootfs", "cut off");
  ASSERT_NE(cut, nullptr) << all_problems(r);
  EXPECT_EQ(cut->offset, img.size());
  EXPECT_NE(find_problem(r, "data", "missing"), nullptr) << all_problems(r);
}

TEST(InspectCorrupt, Doubled8MiBIsAMirror) {
  auto img = fixtures().thingino8.data;
  img.insert(img.end(), img.begin(), img.end());
  const InspectReport r = inspect(img);
  ASSERT_TRUE(r.mirror_of);
  EXPECT_EQ(*r.mirror_of, 8u << 20);
  const Problem* p = find_problem(r, "image", "repeats every 8 MiB");
  ASSERT_NE(p, nullptr) << all_problems(r);
  EXPECT_EQ(p->offset, 8u << 20);
  EXPECT_EQ(r.problems.size(), 1u) << all_problems(r);
}

TEST(InspectCorrupt, BlankAndZeroAndEqualStartAreErrors) {
  EXPECT_NE(find_problem(inspect(std::vector<uint8_t>(8 << 20, 0xff)), "image", "all 0xff"), nullptr);
  EXPECT_NE(find_problem(inspect(std::vector<uint8_t>(8 << 20, 0x00)), "image", "all 0x00"), nullptr);
  auto img = fixtures().thingino16.data;
  std::fill(img.begin(), img.begin() + 16, 0x00);
  EXPECT_NE(find_problem(inspect(img), "image", "first 16 bytes"), nullptr);
}

using SynthCase = std::tuple<uint64_t, SynthOptions::Layout>;

class InspectSynthImage : public ::testing::TestWithParam<SynthCase> {};

TEST_P(InspectSynthImage, Passes) {
  SynthOptions o;
  o.flash_size = std::get<0>(GetParam());
  o.layout = std::get<1>(GetParam());
  const auto img = make_thingino_image(o);
  ASSERT_EQ(img.size(), o.flash_size);
  const InspectReport r = inspect(img);
  EXPECT_TRUE(r.ok()) << all_problems(r);
  EXPECT_EQ(r.layout.source, "env");
  EXPECT_FALSE(r.layout.known.empty());
  const PartReport* rootfs = part(r, "rootfs");
  ASSERT_TRUE(rootfs && rootfs->squashfs);
  EXPECT_EQ(rootfs->squashfs->files, 7u);
  EXPECT_EQ(r.envs.front().get("wlanpass") ? *r.envs.front().get("wlanpass") : "********", "********");
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, InspectSynthImage,
    ::testing::Combine(::testing::Values(uint64_t{8} << 20, uint64_t{16} << 20, uint64_t{32} << 20),
                       ::testing::Values(SynthOptions::Layout::ThinginoCurrent, SynthOptions::Layout::StockIngenic)),
    [](const ::testing::TestParamInfo<SynthCase>& i) {
      return std::to_string(std::get<0>(i.param) >> 20) + "M_" +
             (std::get<1>(i.param) == SynthOptions::Layout::StockIngenic ? "StockIngenic" : "ThinginoCurrent");
    });

TEST(InspectSynth, Deterministic) {
  EXPECT_EQ(make_thingino_image({}), make_thingino_image({}));
  SynthOptions o;
  o.seed = 2;
  EXPECT_NE(make_thingino_image({}), make_thingino_image(o));
}

TEST(InspectLayout, OptionOverridesAndBadOptionIsUsage) {
  InspectOptions o;
  o.layout = "mtdparts=jz_sfc:320k(boot),64k(env),64k(backup),1600k(kernel),-(rest)";
  const InspectReport r = inspect(fixtures().thingino16.data, o);
  EXPECT_EQ(r.layout.source, "option");
  EXPECT_NE(part(r, "rest"), nullptr);
  o.layout = "mtdparts=jz_sfc:banana";
  try {
    inspect(fixtures().thingino16.data, o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}

TEST(InspectCli, JsonAndExitCodes) {
  const std::string exe = camdump::test::camdump_exe();
  const std::string out = ::testing::TempDir() + "inspect.json";
  auto p = test::Process::spawn({exe, "inspect", "--json", fixtures().thingino16.path.string()}, {.stdout_file = out});
  auto st = p.wait_exit(60s);
  ASSERT_TRUE(st && WIFEXITED(*st));
  EXPECT_EQ(WEXITSTATUS(*st), 0);
  auto j = nlohmann::json::parse(test::read_file(out));  // stdout holds only the JSON
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_EQ(j["layout"]["source"], "bootargs");
  EXPECT_EQ(j["size"], 16u << 20);

  auto img = fixtures().thingino16.data;
  img[fixtures().thingino16.env + 40] ^= 1;
  const std::string bad = ::testing::TempDir() + "bad-env.bin";
  test::write_bytes(bad, img);
  const std::string svg = ::testing::TempDir() + "map.svg";
  std::filesystem::remove(svg);  // an existing --svg file is replaced only with --force
  auto q = test::Process::spawn({exe, "inspect", bad, "--svg", svg}, {.stdout_file = out});
  st = q.wait_exit(60s);
  ASSERT_TRUE(st && WIFEXITED(*st));
  EXPECT_EQ(WEXITSTATUS(*st), 1);
  const std::string text = test::read_file(out);
  EXPECT_NE(text.find("problem: env: U-Boot environment at 0x50000 fails its CRC"), std::string::npos) << text;
  EXPECT_NE(text.find("verdict: 1 problem"), std::string::npos) << text;
  EXPECT_NE(test::read_file(svg).find("<svg"), std::string::npos);
  auto again = test::Process::spawn({exe, "inspect", bad, "--svg", svg}, {.stdout_file = out});
  st = again.wait_exit(60s);
  ASSERT_TRUE(st && WIFEXITED(*st));
  EXPECT_EQ(WEXITSTATUS(*st), 2);  // refused before reading the image
  auto forced = test::Process::spawn({exe, "inspect", bad, "--svg", svg, "--force"}, {.stdout_file = out});
  st = forced.wait_exit(60s);
  ASSERT_TRUE(st && WIFEXITED(*st));
  EXPECT_EQ(WEXITSTATUS(*st), 1);
}

}  // namespace
}  // namespace camdump::image
