// SPDX-License-Identifier: MIT
// Every restore prints one --json shape (cli/json.cpp restore_json, docs/route-json.md): the keys
// the routes share (command, route, device, range, verification, timing and the flat keys) and the
// restore keys (image, chip, boot_region, units, differing_sectors == differing_units, ...). Run as
// --dry-run against the virtual camera and the emulated CH341A, so nothing is written.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "image/synth.hpp"
#include "support/files.hpp"
#include "support/process.hpp"

using namespace camdump;

namespace {

constexpr uint64_t kFlash = 8u << 20;

std::vector<uint8_t> thingino(uint32_t seed) {
  return image::make_thingino_image({.flash_size = kFlash, .seed = seed});
}

// `old` with one 64 KiB block changed: the plan has exactly that block to write.
std::vector<uint8_t> one_block_changed(std::vector<uint8_t> old) {
  for (uint64_t a = 0x300000; a < 0x310000; ++a) old[a] ^= 0xa5;
  return old;
}

void expect_restore_shape(const nlohmann::json& j, const std::string& command, const std::string& image) {
  EXPECT_EQ(j["command"], command);
  EXPECT_TRUE(j["route"].is_string() && !j["route"].get<std::string>().empty()) << j.dump();
  EXPECT_TRUE(j["output"].is_null());
  EXPECT_TRUE(j["device"].is_object() && j["device"].contains("kind")) << j.dump();
  EXPECT_EQ(j["range"]["offset"], 0);
  EXPECT_EQ(j["range"]["length"], kFlash);
  EXPECT_EQ(j["range"]["end"], kFlash);
  EXPECT_EQ(j["range"]["flash_size"], kFlash);
  EXPECT_EQ(j["verification"]["verified"], false);  // --dry-run wrote and checked nothing
  EXPECT_TRUE(j["timing"]["seconds"].is_number());
  EXPECT_EQ(j["offset"], 0);
  EXPECT_EQ(j["length"], kFlash);
  EXPECT_EQ(j["image"], image);
  EXPECT_TRUE(j["boot_region"].contains("offset") && j["boot_region"].contains("end"));
  EXPECT_EQ(j["dry_run"], true);
  EXPECT_EQ(j["resumed"], false);
  EXPECT_GT(j["differing_sectors"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["differing_units"], j["differing_sectors"]);
  ASSERT_FALSE(j["units"].empty()) << j.dump();
  EXPECT_EQ(j["units"][0]["offset"], 0x300000);
  EXPECT_EQ(j["plan_bytes"], 0x10000);
  EXPECT_EQ(j["units_written"], 0);
  for (const char* k : {"chip", "id", "backup", "problems", "notes", "unit_retries", "final_rewrites"})
    EXPECT_TRUE(j.contains(k)) << k << " missing in " << j.dump();
}

}  // namespace

TEST(RestoreJsonShape, UbootRestoreHasTheSharedShape) {
  test::TempDir dir;
  const auto img = thingino(33);
  test::write_bytes(dir / "new.bin", img);
  test::write_bytes(dir / "old.bin", one_block_changed(img));
  const std::string image = (dir / "new.bin").string();
  auto r = test::run_camdump(
      {"restore", "uart", "sim:" + (dir / "old.bin").string(), image, "--dry-run", "--no-backup", "--json"},
      dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  expect_restore_shape(j, "restore uart", image);
  EXPECT_EQ(j["device"]["kind"], "u-boot");
  EXPECT_TRUE(j["crc32"].is_null());  // no range verified in a dry run
  EXPECT_TRUE(j.contains("erase_unit") && j.contains("sf_erase_commands")) << j.dump();
}

TEST(RestoreJsonShape, Ch341aRestoreHasTheSharedShape) {
  test::TempDir dir;
  const auto img = thingino(33);
  test::write_bytes(dir / "new.bin", img);
  test::write_bytes(dir / "old.bin", one_block_changed(img));
  const std::string image = (dir / "new.bin").string();
  auto r =
      test::run_camdump({"restore", "ch341a", image, "--sim", "image=" + (dir / "old.bin").string() + ",chip=W25Q64FV",
                         "--dry-run", "--no-backup", "--json"},
                        dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  expect_restore_shape(j, "restore ch341a", image);
  EXPECT_EQ(j["device"]["kind"], "ch341a");
  EXPECT_EQ(j["route"], "ch341a");
  EXPECT_TRUE(j.contains("erases") && j.contains("usb")) << j.dump();
}
