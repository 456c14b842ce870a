// SPDX-License-Identifier: MIT
// Prompt, autoboot, Linux and reboot detection, and device facts from console text.
#include <gtest/gtest.h>

#include "uboot/console_text.hpp"

using namespace camdump::uboot;

TEST(ConsoleText, AutobootKindsOfAllThreeCameraFamilies) {
  EXPECT_EQ(find_autoboot("Hit any key to stop autoboot:  1 "), AutobootKind::AnyKey);
  EXPECT_EQ(find_autoboot("KEY:   ###### Press Ctrl-C now to interrupt boot... loading in 1s ######\r\n"),
            AutobootKind::CtrlC);
  EXPECT_EQ(find_autoboot("Press Ctrl-c to abort autoboot... 2"), AutobootKind::OpenIpc);
  EXPECT_EQ(find_autoboot("Autoboot in 3 seconds\n"), AutobootKind::Keyed);
  EXPECT_EQ(find_autoboot("\x1b[2K\rHit any key to stop autoboot: 2"), AutobootKind::AnyKey);
  EXPECT_EQ(find_autoboot("DRAM:  64 MiB\r\n"), AutobootKind::None);
}

TEST(ConsoleText, LinuxBootIsRecognised) {
  EXPECT_TRUE(find_linux("## Booting kernel\r\nStarting kernel ...\r\n"));
  EXPECT_TRUE(find_linux("[    0.000000] Linux version 3.10.14__isvp_swan_1.0__"));
  EXPECT_TRUE(find_linux("Ingenic-uc1_1 login: "));
  EXPECT_FALSE(find_linux("isvp_t31# "));
}

TEST(ConsoleText, BannerInsideMdAsciiColumnIsNotAReboot) {
  // md.b of flash holding U-Boot's own strings: the 16-char ASCII column can say "U-Boot SPL 2013."
  EXPECT_FALSE(find_boot_banner("80601230: 55 2d 42 6f 6f 74 20 53 50 4c 20 32 30 31 33 2e    U-Boot SPL 2013."));
  EXPECT_TRUE(find_boot_banner("\r\nU-Boot SPL 2013.07 (Mar 15 2024 - 12:00:00)\r\n"));
  EXPECT_TRUE(find_boot_banner("U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 08:38:07 +0000)\r\n"));
  EXPECT_TRUE(find_boot_banner("Hit any key to stop autoboot:  2 "));
}

TEST(ConsoleText, PromptOnlyAtLineStartAndStreamEnd) {
  EXPECT_EQ(prompt_candidate("<INTERRUPT>\r\nisvp_t31# "), "isvp_t31# ");
  EXPECT_EQ(prompt_candidate("\r\n=> "), "=> ");
  EXPECT_EQ(prompt_candidate("\r\nOpenIPC # "), "OpenIPC # ");
  EXPECT_EQ(prompt_candidate("\r\nmaltael # "), "maltael # ");
  EXPECT_EQ(prompt_candidate("isvp_t31# "), "");  // no newline before it: not proven a prompt
  EXPECT_EQ(prompt_candidate("\r\nHit any key to stop autoboot:  1 "), "");
  // '#' ending an md ASCII column is never at a line start
  std::string md = "80600000: 23232323 23232323 23232323 20232323    ############### ";
  EXPECT_TRUE(prompt_candidate(md).empty());
  EXPECT_TRUE(ends_with_prompt("foo\r\n=> ", "=> "));
  EXPECT_FALSE(ends_with_prompt("80600000: 3e 3d 20 ...  ..=> ", "=> "));
  EXPECT_FALSE(ends_with_prompt("\r\n=> x", "=> "));
  EXPECT_TRUE(ends_with_prompt("\r\nOpenIPC # ", std::regex("OpenIPC # ")));
  EXPECT_FALSE(ends_with_prompt("xOpenIPC # ", std::regex("OpenIPC # ")));
}

TEST(ConsoleText, FactsFromQemuBannerAndBdinfo) {
  ConsoleFacts f;
  read_console_facts(
      "U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 08:38:07 +0000)\r\n\r\nDRAM:  512 MiB\r\n"
      "In:    pl011@9000000\r\nOut:   pl011@9000000\r\n",
      f);
  read_console_facts(
      "DRAM bank   = 0x00000000\n-> start    = 0x40000000\n-> size     = 0x20000000\n"
      "relocaddr   = 0x5ff38000\n",
      f);
  EXPECT_EQ(f.version, "U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 08:38:07 +0000)");
  EXPECT_EQ(f.console_uart, "pl011@9000000");
  EXPECT_EQ(f.console_uart_base, 0x9000000u);
  EXPECT_EQ(f.arch, "arm");
  EXPECT_EQ(f.dram_start, 0x40000000u);
  EXPECT_EQ(f.dram_size, 0x20000000u);
  EXPECT_EQ(f.reloc_addr, 0x5ff38000u);
  EXPECT_FALSE(f.ingenic);
}

TEST(ConsoleText, FactsFromIngenicBanner) {
  ConsoleFacts f;
  read_console_facts(
      "U-Boot SPL 2013.07 (Mar 15 2024)\r\nThingino U-Boot for Ingenic T31X 2013.07 (Mar 15 2024)\r\n"
      "In:    serial@10030000\r\n",
      f);
  EXPECT_TRUE(f.ingenic);
  EXPECT_EQ(f.soc, "T31X");
  EXPECT_EQ(f.arch, "mips");
  EXPECT_EQ(f.console_uart_base, 0x10030000u);
  EXPECT_EQ(soc_from_prompt("isvp_t31# "), "T31");
  EXPECT_EQ(soc_from_prompt("=> "), "");
}

TEST(ConsoleText, BaudReplies) {
  EXPECT_EQ(find_baud_reply("## Baudrate 921600 bps not supported\r\n"), BaudReply::NotSupported);
  EXPECT_EQ(find_baud_reply("## Switch baudrate to 57600 bps and press ENTER ...\r\n"), BaudReply::SwitchPrompt);
  EXPECT_EQ(find_baud_reply("=> "), BaudReply::None);
}

TEST(ConsoleText, EveryCountdownAndItsKey) {
  EXPECT_EQ(find_autoboot("\r\nPress ENTER to interrupt boot in 1...\r\n"), AutobootKind::Enter);
  EXPECT_EQ(autoboot_stop_keys(AutobootKind::Enter), "\r");
  EXPECT_EQ(autoboot_stop_keys(AutobootKind::AnyKey), "\x03");
  EXPECT_EQ(autoboot_stop_keys(AutobootKind::CtrlC), "\x03");
  EXPECT_EQ(autoboot_stop_keys(AutobootKind::OpenIpc), "\x03");
  EXPECT_EQ(autoboot_stop_keys(AutobootKind::Keyed), "\x03\r");
  // one damaged character does not hide a countdown (line noise)
  EXPECT_EQ(find_autoboot("Press ENTEr to interrupt boot in 1...\r\n"), AutobootKind::Enter);
  EXPECT_EQ(find_autoboot("Press ENTER to interrXpt boot in 1...\r\n"), AutobootKind::Enter);
  EXPECT_EQ(find_autoboot("Hit any kez to stop autoboot:  1 "), AutobootKind::AnyKey);
  EXPECT_EQ(find_autoboot("KEY:   ###### Press Ctrl-C now to interrupt b0ot... loading in 1s"), AutobootKind::CtrlC);
  // the last countdown wins, and where it ends is known
  auto at = find_last_autoboot("Hit any key to stop autoboot:  1 \r\nPress ENTER to interrupt boot in 2...");
  EXPECT_EQ(at.kind, AutobootKind::Enter);
  EXPECT_EQ(find_autoboot("isvp_t31# "), AutobootKind::None);
}

TEST(ConsoleText, ThinginoBannerIsARebootAndItsSplLineIsNotTheVersion) {
  EXPECT_TRUE(find_boot_banner("\r\nThingino U-Boot for Ingenic 2013.07 (Mar 15 2024 - 12:00:00)\r\n"));
  EXPECT_TRUE(find_banner_line("Thingino U-Boot for Ingenic T31X SPL 2013.07 (Mar 15 2024 - 12:00:00)\r\n"));
  EXPECT_FALSE(find_boot_banner("80601230: 55 2d 42 6f 6f 74 20 66 6f 72 20 49 6e 67 65 6e    U-Boot for Ingen"));
  ConsoleFacts f;
  read_console_facts(
      "Thingino U-Boot for Ingenic T31X SPL 2013.07 (Mar 15 2024 - 12:00:00)\r\n"
      "Thingino U-Boot for Ingenic 2013.07 (Mar 15 2024 - 12:00:00)\r\n",
      f);
  EXPECT_EQ(f.version, "Thingino U-Boot for Ingenic 2013.07 (Mar 15 2024 - 12:00:00)");
  EXPECT_EQ(f.soc, "T31X");
  ConsoleFacts spl_only;
  read_console_facts(
      "U-Boot SPL 2013.07 (Mar 15 2024 - 12:00:00)\r\nThingino U-Boot for Ingenic T31X SPL 2013.07 (x)\r\n", spl_only);
  EXPECT_EQ(spl_only.version, "");
}

TEST(ConsoleText, DamagedPromptTail) {
  EXPECT_EQ(damaged_prompt_tail("foo\r\nisvp_t3l# ", "isvp_t31# "), 10u);
  EXPECT_EQ(damaged_prompt_tail("foo\r\nisvp_31# ", "isvp_t31# "), 9u);
  EXPECT_EQ(damaged_prompt_tail("==> 0badcafeisvp_t31# ", "isvp_t31# "), 10u);  // its line start was lost
  EXPECT_EQ(damaged_prompt_tail("foo\r\n", "isvp_t31# "), 0u);
  EXPECT_EQ(damaged_prompt_tail("foo\r\nUpdating, 45% 12345 B/s", "isvp_t31# "), 0u);
  EXPECT_EQ(damaged_prompt_tail("foo\r\n#####", "isvp_t31# "), 0u);
  EXPECT_EQ(damaged_prompt_tail("foo\r\nab", "=> "), 0u);  // short prompts: no guessing
}
