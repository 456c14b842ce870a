// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "shell/shell_session.hpp"
#include "shell/text_decode.hpp"

using namespace camdump::shell;

TEST(TextDecode, Base64Lines) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(decode_base64_line("aGVsbG8=", out));
  EXPECT_EQ(std::string(out.begin(), out.end()), "hello");
  out.clear();
  EXPECT_TRUE(decode_base64_line("aGk=", out));
  EXPECT_TRUE(decode_base64_line("YQ==", out));
  EXPECT_EQ(std::string(out.begin(), out.end()), "hia");
  EXPECT_FALSE(decode_base64_line("aGVsbG8", out));   // not a multiple of 4
  EXPECT_FALSE(decode_base64_line("aG=sbG8=", out));  // padding in the middle
  EXPECT_FALSE(decode_base64_line("[ 12.3] usb", out));
}

TEST(TextDecode, HexLines) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(decode_hex_line("0605040302", out));
  EXPECT_TRUE(decode_hex_line(" 55 aa 55 aa", out));
  EXPECT_EQ(out, (std::vector<uint8_t>{6, 5, 4, 3, 2, 0x55, 0xaa, 0x55, 0xaa}));
  EXPECT_FALSE(decode_hex_line("06050", out));
  EXPECT_FALSE(decode_hex_line("zz", out));
  EXPECT_EQ(out.size(), 9u);
}

TEST(ShellPrompt, RecognisesPromptsAndLogins) {
  EXPECT_TRUE(looks_like_prompt("\r\n[root@cam ~]# "));
  EXPECT_TRUE(looks_like_prompt("boot done\r\n# "));
  EXPECT_TRUE(looks_like_prompt("\x1b[1;32mroot@cam\x1b[0m:/# "));
  EXPECT_FALSE(looks_like_prompt("Starting network...\r\n"));
  EXPECT_TRUE(looks_like_login("\r\nThingino login: "));
  EXPECT_TRUE(looks_like_password("Password: "));
  EXPECT_FALSE(looks_like_login("Password: "));
}
