// SPDX-License-Identifier: MIT
// Unit tests of the stub wire codec, the parameter block and the SoC table.
#include <gtest/gtest.h>

#include <cstring>

#include "core/crc32.hpp"
#include "stub/stub_images.hpp"
#include "uboot/session.hpp"
#include "uboot/soc_table.hpp"
#include "support/random.hpp"
#include "uboot/stub_protocol.hpp"

namespace camdump::uboot {
namespace {

using test::random_bytes;

// What the stub sends for [src, src+len): hello, frames, end.
std::vector<uint8_t> stream(const std::vector<uint8_t>& data, uint32_t src, uint32_t frame) {
  std::vector<uint8_t> w = encode_hello(src, static_cast<uint32_t>(data.size()), frame);
  for (uint32_t s = 0; size_t{s} * frame < data.size(); s++) {
    size_t n = std::min<size_t>(frame, data.size() - size_t(s) * frame);
    auto f = encode_frame(s, std::span<const uint8_t>(data.data() + size_t(s) * frame, n), true);
    w.insert(w.end(), f.begin(), f.end());
  }
  auto e = encode_end(crc32(data), static_cast<uint32_t>(data.size()));
  w.insert(w.end(), e.begin(), e.end());
  return w;
}

TEST(StubProtocol, CleanStreamDecodesExactlyWithBlankFrames) {
  auto data = random_bytes(10 * 1024 + 6, 1);
  std::fill(data.begin() + 4096, data.begin() + 8192, 0xff);
  auto w = stream(data, 0x82000000, 4096);
  std::string junk = "go a0400050 82000000 2806\r\n## Starting application at 0xA0400050 ...\r\n";
  StubStreamDecoder d(0x82000000, static_cast<uint32_t>(data.size()), 4096);
  d.feed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(junk.data()), junk.size()));
  for (size_t i = 0; i < w.size(); i += 1000)
    d.feed(std::span<const uint8_t>(w.data() + i, std::min<size_t>(1000, w.size() - i)));
  EXPECT_TRUE(d.hello_seen());
  EXPECT_FALSE(d.hello_mismatch());
  ASSERT_TRUE(d.complete());
  EXPECT_EQ(d.blank_frames(), 1u);
  EXPECT_EQ(d.bad_packets(), 0u);
  EXPECT_EQ(*d.end_crc(), crc32(data));
  EXPECT_EQ(d.data(), data);
  // Wire cost: data + 11 bytes per frame, 11 for a blank one.
  EXPECT_EQ(w.size(), 23u + (4096 + 11) + 11 + (2048 + 6 + 11) + 15);
}

TEST(StubProtocol, DamagedFramesAreMissingAndOthersSurvive) {
  auto data = random_bytes(size_t{8} * 4096, 2);
  auto w = stream(data, 0x1000, 4096);
  // Frame 2: flip a byte in its data. Frame 5: drop a byte. Insert junk before frame 6.
  const size_t f0 = 23, fl = 4096 + 11;
  w[f0 + 2 * fl + 100] ^= 0x10;
  w.erase(w.begin() + static_cast<std::ptrdiff_t>(f0 + 5 * fl + 50));
  w.insert(w.begin() + static_cast<std::ptrdiff_t>(f0 + 6 * fl - 1), {0xa5, 0x5a, 'D', 0, 0});
  StubStreamDecoder d(0x1000, static_cast<uint32_t>(data.size()), 4096);
  d.feed(w);
  d.idle();
  EXPECT_TRUE(d.end_crc().has_value());
  EXPECT_EQ(d.missing(), (std::vector<uint32_t>{2, 5}));
  EXPECT_FALSE(d.complete());
  // Re-sent frames complete it.
  for (uint32_t s : {2u, 5u})
    d.feed(encode_frame(s, std::span<const uint8_t>(data.data() + size_t{s} * 4096, 4096), true));
  EXPECT_TRUE(d.complete());
  EXPECT_EQ(d.data(), data);
}

TEST(StubProtocol, IdleDropsAnIncompletePacketSoLaterOnesParse) {
  auto data = random_bytes(4096, 3);
  auto f = encode_frame(0, data, true);
  f.resize(f.size() - 30);  // truncated: waits for bytes that never come
  StubStreamDecoder d(0, 4096, 4096);
  d.feed(f);
  auto blank_end = encode_end(crc32(data), 4096);
  d.feed(blank_end);  // swallowed by the waiting frame
  EXPECT_FALSE(d.end_crc());
  d.idle();
  EXPECT_TRUE(d.end_crc());  // found again inside the held bytes
  EXPECT_FALSE(d.have(0));
}

TEST(StubProtocol, HelloWithOtherParametersIsFlagged) {
  StubStreamDecoder d(0x100, 64, 16);
  d.feed(encode_hello(0x200, 64, 16));
  EXPECT_TRUE(d.hello_seen());
  EXPECT_TRUE(d.hello_mismatch());
}

TEST(StubProtocol, CommandsCarryTheirCrc) {
  auto c = encode_command('R', 0x01020304);
  EXPECT_EQ(c[0], 0x5a);
  EXPECT_EQ(c[1], 0xa5);
  EXPECT_EQ(c[2], 'R');
  EXPECT_EQ(c[3], 0x04);
  EXPECT_EQ(c[6], 0x01);
  uint32_t crc = uint32_t{c[7]} | uint32_t{c[8]} << 8 | uint32_t{c[9]} << 16 | uint32_t{c[10]} << 24;
  EXPECT_EQ(crc, crc32(std::span<const uint8_t>(c.data() + 2, 5)));
}

TEST(StubParams, UartFieldsFor16550AndPl011) {
  cdstub_params p = default_params();
  fill_uart_params(find_soc("malta")->uart, p);
  EXPECT_EQ(p.uart_base, 0xb80003f8u);
  EXPECT_EQ(p.reg_width, 1u);
  EXPECT_EQ(p.status_off, 5u);
  EXPECT_EQ(p.tx_mask, 0x20u);
  EXPECT_EQ(p.tx_ready_set, 1u);
  EXPECT_EQ(p.rx_mask, 1u);
  fill_uart_params(find_soc("t31")->uart, p);
  EXPECT_EQ(p.uart_base, 0xb0031000u);
  EXPECT_EQ(p.status_off, 0x14u);  // LSR at 5 * stride 4
  EXPECT_EQ(p.reg_width, 1u);      // 8-bit registers (Ingenic base.h / device trees)
  EXPECT_EQ(p.reg_stride, 4u);
  EXPECT_EQ(p.uart_kind, CDSTUB_UART_16550);
  fill_uart_params(find_soc("qemu-virt")->uart, p);
  EXPECT_EQ(p.uart_base, 0x09000000u);
  EXPECT_EQ(p.status_off, 0x18u);
  EXPECT_EQ(p.tx_mask, 0x20u);
  EXPECT_EQ(p.tx_ready_set, 0u);  // PL011: wait while TXFF is set
  EXPECT_EQ(p.rx_mask, 0x10u);
  EXPECT_EQ(p.rx_ready_set, 0u);
  EXPECT_EQ(p.uart_kind, CDSTUB_UART_PL011);
  EXPECT_GT(p.tx_polls, 0u);  // every wait in the stub is bounded (issue 13 item 4)
  EXPECT_GT(p.sync_polls, 0u);
  auto w = params_words(p);
  EXPECT_EQ(w[0], CDSTUB_MAGIC);
  EXPECT_EQ(w[2], 0x09000000u);
  EXPECT_EQ(w[12], 4096u);
}

TEST(StubImages, EmbeddedImagesCarryTheParameterBlockAndEntry) {
  for (const stub::StubImage* img : {&stub::mips32el_stub(), &stub::armv7_stub()}) {
    if (!img->available()) GTEST_SKIP() << "built without cross compilers";
    ASSERT_GE(img->bytes.size(), 200u);
    // Small, because mw.l uploads it at U-Boot's rate (~24 console characters per word): the
    // receive mode (issue 14) took MIPS from 3.2 to 4.3 KiB, about 2.3 s at 115200.
    EXPECT_LE(img->bytes.size(), 4608u) << img->arch;
    uint32_t magic;
    std::memcpy(&magic, img->bytes.data() + img->params_offset, 4);
    EXPECT_EQ(magic, CDSTUB_MAGIC) << img->arch;
    EXPECT_GT(img->entry_offset, img->params_offset);
    EXPECT_LT(img->entry_offset, img->bytes.size());
    EXPECT_EQ(img->entry_offset % 4, 0u);
  }
  EXPECT_EQ(stub::mips32el_stub().load_addr >> 29, 5u);  // KSEG1: uncached
}

TEST(SocTable, NamesAliasesAndUartOverride) {
  EXPECT_TRUE(find_soc("T31"));
  EXPECT_TRUE(find_soc("ingenic-t20"));
  EXPECT_TRUE(find_soc("maltael"));
  EXPECT_FALSE(find_soc("t99"));
  EXPECT_EQ(find_soc("t31:uart0")->uart.base, 0xb0030000u);
  EXPECT_EQ(find_soc("t31:uart2")->uart.base, 0xb0032000u);
  EXPECT_EQ(find_soc("t31:uart3")->uart.base, 0xb0033000u);
  EXPECT_FALSE(find_soc("t31:uart4"));  // the T31 has UART0-3
  EXPECT_FALSE(find_soc("malta:uart1"));
  for (const auto& e : soc_table()) EXPECT_NE(std::string(e.source), "") << e.name;
  EXPECT_TRUE(find_soc("malta")->qemu_verified);
  EXPECT_FALSE(find_soc("t31")->qemu_verified);
}

TEST(SocTable, DetectsFromWhatUbootPrinted) {
  DeviceInfo arm;
  arm.prompt = "=> ";
  arm.console_uart = "pl011@9000000";
  arm.console_uart_base = 0x9000000;
  auto g = detect_soc(arm);
  ASSERT_TRUE(g.soc);
  EXPECT_STREQ(g.soc->name, "qemu-virt");
  EXPECT_NE(g.reason.find("pl011@9000000"), std::string::npos);

  DeviceInfo malta;
  malta.prompt = "maltael # ";
  g = detect_soc(malta);
  ASSERT_TRUE(g.soc);
  EXPECT_STREQ(g.soc->name, "malta");

  DeviceInfo t31;
  t31.prompt = "isvp_t31# ";
  t31.soc = "T31X";
  g = detect_soc(t31);
  ASSERT_TRUE(g.soc);
  EXPECT_STREQ(g.soc->name, "t31");
  EXPECT_EQ(g.soc->uart.base, 0xb0031000u);
  t31.console_uart = "serial@10030000";
  t31.console_uart_base = 0x10030000;
  g = detect_soc(t31);
  EXPECT_EQ(g.soc->uart.base, 0xb0030000u);

  DeviceInfo unknown;
  unknown.prompt = "OpenIPC # ";
  g = detect_soc(unknown);
  EXPECT_FALSE(g.soc);
  EXPECT_NE(g.reason.find("--soc"), std::string::npos);
}

// Issue 13 item 6: every UART each SoC has, per Ingenic's base.h and the thingino device trees.
TEST(SocTable, EveryIngenicUartTheSocHas) {
  const std::pair<const char*, unsigned> counts[] = {{"t10", 5}, {"t20", 5}, {"t21", 4}, {"t23", 4}, {"t30", 5},
                                                     {"t31", 4}, {"t40", 4}, {"t41", 6}, {"a1", 3}};
  for (auto [name, n] : counts) {
    auto e = find_soc(name);
    ASSERT_TRUE(e) << name;
    EXPECT_EQ(e->uarts, n) << name;
    EXPECT_TRUE(e->sources_checked) << name;
    EXPECT_FALSE(e->qemu_verified) << name;        // untested on hardware, no QEMU model
    EXPECT_EQ(e->uart.base, 0xb0031000u) << name;  // console UART1 on the reference boards
    EXPECT_EQ(e->uart.stride, 4u) << name;
    EXPECT_EQ(e->uart.reg_width, 1u) << name;
    EXPECT_EQ(e->uart.clock_hz, 24000000u) << name;
    for (unsigned u = 0; u < 10; u++) {
      auto x = find_soc(std::string(name) + ":uart" + std::to_string(u));
      EXPECT_EQ(x.has_value(), u < n) << name << " uart" << u;
      if (x) {
        EXPECT_EQ(x->uart.base, 0xb0030000u + 0x1000u * u) << name << " uart" << u;
      }
    }
  }
  EXPECT_EQ(find_soc("t41:uart5")->uart.base, 0xb0035000u);
  EXPECT_EQ(find_soc("A1:UART2")->uart.base, 0xb0032000u);
  EXPECT_NE(std::string(find_soc("t31")->source).find("base.h"), std::string::npos);
}

TEST(SocTable, DetectsA1AndAst2500AndUartFromBootLog) {
  DeviceInfo a1;
  a1.soc = "A1N";
  auto g = detect_soc(a1);
  ASSERT_TRUE(g.soc);
  EXPECT_STREQ(g.soc->name, "a1");
  DeviceInfo t41;
  t41.soc = "T41";
  t41.console_uart = "serial@10034000";
  t41.console_uart_base = 0x10034000;
  g = detect_soc(t41);
  ASSERT_TRUE(g.soc);
  EXPECT_EQ(g.soc->uart.base, 0xb0034000u);  // UART4 exists on the T41
  DeviceInfo ast;
  ast.prompt = "=> ";
  ast.console_uart = "serial@1e784000";
  ast.console_uart_base = 0x1e784000;
  g = detect_soc(ast);
  ASSERT_TRUE(g.soc);
  EXPECT_STREQ(g.soc->name, "ast2500");
  EXPECT_EQ(g.soc->arch, CpuArch::Armv7);
  EXPECT_EQ(g.soc->uart.stride, 4u);
}

// Issue 18: the divisors of the rate ladder and which rates each UART makes exactly.
TEST(SocTable, ExactDivisorsOfTheRateLadder) {
  const auto t31 = find_soc("t31")->uart;
  EXPECT_EQ(uart_divisor(t31, 1500000), 1u);
  EXPECT_EQ(uart_divisor(t31, 750000), 2u);
  EXPECT_EQ(uart_divisor(t31, 500000), 3u);
  EXPECT_EQ(uart_divisor(t31, 115200), 13u);  // U-Boot's own, 0.16 % off
  EXPECT_FALSE(uart_divisor(t31, 921600));    // 24 MHz / 16 / 921600 = 1.63: no exact divisor
  EXPECT_EQ(exact_fast_rates(t31), "1500000 750000 500000");
  const auto virt = find_soc("qemu-virt")->uart;  // PL011, 24 MHz: IBRD + FBRD/64
  EXPECT_EQ(uart_divisor(virt, 1500000), 1u);
  EXPECT_EQ(uart_divisor(virt, 115200), 13u | 1u << 16);  // IBRD 13, FBRD 1 (U-Boot's pl01x values)
  EXPECT_NEAR(uart_rate(virt, *uart_divisor(virt, 921600)), 921600, 921600 * 0.01);
  EXPECT_EQ(exact_fast_rates(find_soc("malta")->uart), "none");    // 1.8432 MHz: 115200 is divisor 1
  EXPECT_EQ(exact_fast_rates(find_soc("ast2500")->uart), "none");  // 24 MHz / 13
  EXPECT_EQ(uart_divisor(find_soc("ast2500")->uart, 115200), 1u);
}

}  // namespace
}  // namespace camdump::uboot
