// SPDX-License-Identifier: MIT
// Issue 17 item 6: secrets in a U-Boot env are masked by key pattern (wifi_pw, wpa, sshpw, pin,
// ... but not spinand or pwm) and inside other values (`NAME=VALUE` in bootargs, `setenv NAME
// VALUE` in bootcmd), in the report every output is made from (text, JSON, SVG, dump summaries);
// --show-secrets shows them. The masked bootargs still give the layout.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crc32.hpp"
#include "image/flash_map.hpp"
#include "image/inspect.hpp"

using namespace camdump;
using namespace camdump::image;

namespace {

// A single 4 KiB env (CRC-32 LE over the data, then NUL-separated pairs) at 0x40000 of 1 MiB.
std::vector<uint8_t> image_with_env(const std::vector<std::string>& pairs) {
  std::vector<uint8_t> img(1 << 20, 0xff);
  std::vector<uint8_t> data(0x1000 - 4, 0);
  size_t at = 0;
  for (const auto& p : pairs) {
    std::copy(p.begin(), p.end(), data.begin() + static_cast<long>(at));
    at += p.size() + 1;
  }
  const uint32_t c = crc32(data);
  for (size_t i = 0; i < 4; ++i) img[0x40000 + i] = uint8_t(c >> (8 * i));
  std::copy(data.begin(), data.end(), img.begin() + 0x40004);
  return img;
}

const std::vector<std::string> kEnv = {
    "bootargs=console=ttyS1,115200n8 wifi_pw=hunter2 mtdparts=jz_sfc:256k(boot),64k(env),-(rest)",
    "bootcmd=setenv wlanpass 'Y2 secret'; sf probe;setenv sshkey abc123;bootm",
    "sshpw=abc",
    "wpa=xyzpsk",
    "pin=1234",
    "wifi_pin=5678",
    "spinand=keep1",
    "pwm_freq=keep2",
    "Auth_Token=tok",
};

std::string value(const InspectReport& r, const std::string& key) {
  for (const auto& e : r.envs)
    if (const std::string* v = e.get(key)) return *v;
  return "<missing>";
}

}  // namespace

TEST(EnvSecrets, KeysAreMaskedByPattern) {
  EXPECT_TRUE(is_secret_key("wifi_pw"));
  EXPECT_TRUE(is_secret_key("WPA"));
  EXPECT_TRUE(is_secret_key("sshpw"));
  EXPECT_TRUE(is_secret_key("pin"));
  EXPECT_TRUE(is_secret_key("pincode"));
  EXPECT_TRUE(is_secret_key("wlan_psk"));
  EXPECT_TRUE(is_secret_key("api_token"));
  EXPECT_TRUE(is_secret_key("credentials"));
  EXPECT_FALSE(is_secret_key("spinand"));
  EXPECT_FALSE(is_secret_key("pwm_freq"));
  EXPECT_FALSE(is_secret_key("bootargs"));
  EXPECT_FALSE(is_secret_key("mtdparts"));
}

TEST(EnvSecrets, MaskedInKeysAndInsideValuesOfEveryVariable) {
  auto r = inspect(image_with_env(kEnv));
  ASSERT_FALSE(r.envs.empty());
  ASSERT_TRUE(r.envs.front().crc_ok);
  for (const char* k : {"sshpw", "wpa", "pin", "wifi_pin", "Auth_Token"}) EXPECT_EQ(value(r, k), "********") << k;
  EXPECT_EQ(value(r, "spinand"), "keep1");
  EXPECT_EQ(value(r, "pwm_freq"), "keep2");
  EXPECT_EQ(value(r, "bootargs"),
            "console=ttyS1,115200n8 wifi_pw=******** mtdparts=jz_sfc:256k(boot),64k(env),-(rest)");
  EXPECT_EQ(value(r, "bootcmd"), "setenv wlanpass ********; sf probe;setenv sshkey ********;bootm");
  for (const auto& e : r.envs)
    for (const auto& [k, v] : e.vars)
      for (const char* s : {"hunter2", "secret", "abc123", "xyzpsk", "1234", "5678", "tok"})
        EXPECT_EQ(v.find(s), std::string::npos) << k << "=" << v;
  EXPECT_EQ(r.layout.source, "bootargs");  // masking leaves mtdparts usable
}

TEST(EnvSecrets, ShowSecretsShowsThem) {
  InspectOptions o;
  o.show_secrets = true;
  auto r = inspect(image_with_env(kEnv), o);
  EXPECT_EQ(value(r, "sshpw"), "abc");
  EXPECT_NE(value(r, "bootargs").find("wifi_pw=hunter2"), std::string::npos);
  EXPECT_NE(value(r, "bootcmd").find("setenv wlanpass 'Y2 secret'"), std::string::npos);
}

TEST(EnvSecrets, ShortSummaryAndSvgCarryNoSecret) {
  auto r = inspect(image_with_env(kEnv));
  const std::string text = short_summary(r) + flash_map_svg(r, "fw.bin");
  for (const char* s : {"hunter2", "Y2 secret", "abc123", "xyzpsk"}) EXPECT_EQ(text.find(s), std::string::npos) << s;
}
