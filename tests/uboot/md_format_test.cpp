// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <vector>

#include "uboot/md_format.hpp"

using namespace camdump::uboot;

TEST(MdRender, ModernBytesMatchUbootTestSuite) {
  // test/cmd/mem_search.c in U-Boot asserts this exact line.
  std::vector<uint8_t> d(16, 0);
  d[1] = 0x12;
  std::string out;
  MdRenderOptions opt;
  opt.crlf = false;
  render_md(out, d, 0x30, opt);
  EXPECT_EQ(out, "00000030: 00 12 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................\n");
}

TEST(MdRender, WordsAreCpuEndian) {
  std::vector<uint8_t> d = {'V', 'C', 'A', 'M', '-', 'F', 'L', 'A', 'S', 'H', '-', 'I', 'M', 'A', 'G', 'E'};
  std::string out;
  MdRenderOptions opt;
  opt.width = 4;
  opt.crlf = false;
  render_md(out, d, 0x04000000, opt);
  // Captured from Debian's qemu_arm U-Boot 2023.01 (docs: docs/reference/qemu-test-cameras.md#boot).
  EXPECT_EQ(out, "04000000: 4d414356 414c462d 492d4853 4547414d  VCAM-FLASH-IMAGE\n");
  opt.width = 2;
  out.clear();
  render_md(out, d, 0x04000000, opt);
  EXPECT_EQ(out, "04000000: 4356 4d41 462d 414c 4853 492d 414d 4547  VCAM-FLASH-IMAGE\n");
}

TEST(MdRender, OldDialectHasFourSpacesAndPadsShortLines) {
  std::vector<uint8_t> d = {0x06, 0x05, 0x04, 0x03};
  std::string out;
  MdRenderOptions opt;
  opt.dialect = MdDialect::Old;
  render_md(out, d, 0x82000000, opt);
  EXPECT_EQ(out, "82000000: 06 05 04 03" + std::string(size_t{12} * 3, ' ') + "    ....\r\n");
  EXPECT_EQ(md_wire_chars(16, 1, MdDialect::Old), 79u);
  EXPECT_EQ(md_wire_chars(16, 4, MdDialect::Old), 67u);
  EXPECT_EQ(md_wire_chars(16, 4, MdDialect::Modern), 65u);
}

TEST(MdParse, RoundTripsEveryWidthAndDialect) {
  std::vector<uint8_t> d(40);
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i * 37 + 5);
  for (unsigned w : {1u, 2u, 4u})
    for (auto dia : {MdDialect::Old, MdDialect::Modern})
      for (bool pad : {true, false}) {
        std::string out;
        MdRenderOptions opt{w, dia, Endian::Little, pad, true};
        render_md(out, d, 0x80600000, opt);
        std::vector<uint8_t> back;
        size_t pos = 0;
        while (pos < out.size()) {
          size_t nl = out.find('\n', pos);
          MdLine l;
          ASSERT_EQ(parse_md_line(std::string_view(out).substr(pos, nl - pos), Endian::Little, l), MdParse::Ok)
              << out.substr(pos, nl - pos);
          EXPECT_EQ(l.addr, 0x80600000u + back.size());
          back.insert(back.end(), l.bytes.begin(), l.bytes.begin() + l.count);
          pos = nl + 1;
        }
        EXPECT_EQ(back, d) << "width " << w;
      }
}

TEST(MdParse, AsciiColumnCatchesAGarbledHexDigit) {
  MdLine l;
  EXPECT_EQ(
      parse_md_line("04000000: 56 43 41 4d 2d 46 4c 41 53 48 2d 49 4d 41 47 45  VCAM-FLASH-IMAGE", Endian::Little, l),
      MdParse::Ok);
  EXPECT_EQ(
      parse_md_line("04000000: 56 43 41 4d 2d 46 4c 41 53 48 2d 49 4d 41 47 44  VCAM-FLASH-IMAGE", Endian::Little, l),
      MdParse::Corrupt);
  EXPECT_EQ(l.addr, 0x04000000u);
  EXPECT_EQ(
      parse_md_line("04000000: 56 43 41 4d 2d 46 4c 41 5g 48 2d 49 4d 41 47 45  VCAM-FLASH-IMAGE", Endian::Little, l),
      MdParse::Corrupt);
  EXPECT_EQ(parse_md_line("=> md.b 0x04000000 0x40", Endian::Little, l), MdParse::NotMd);
  EXPECT_EQ(parse_md_line("crc32 for 04000000 ... 04ffffff ==> eeaead43", Endian::Little, l), MdParse::NotMd);
}
