// SPDX-License-Identifier: MIT
// Exact command outputs of the virtual camera in both dialects, compared with the real outputs
// quoted in docs/reference/qemu-test-cameras.md#boot and docs/reference/uboot-console.md.
#include <fmt/core.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/crc32.hpp"
#include "core/error.hpp"
#include "sim_test_util.hpp"
#include "support/param_name.hpp"

using namespace camdump;
using camdump::sim::testing::Cam;

namespace {

// The first 0x40 bytes of docs/reference/qemu-test-cameras.md cam16.bin, padded with 0xff.
// Made once per process and removed at exit.
struct TempImage {
  std::filesystem::path path;
  TempImage() {
    static const uint8_t head[64] = {0x56, 0x43, 0x41, 0x4d, 0x2d, 0x46, 0x4c, 0x41, 0x53, 0x48, 0x2d, 0x49, 0x4d,
                                     0x41, 0x47, 0x45, 0x20, 0x31, 0x36, 0x4d, 0x69, 0x42, 0x20, 0x74, 0x65, 0x73,
                                     0x74, 0x20, 0x70, 0x61, 0x74, 0x74, 0x65, 0x72, 0x6e, 0x00, 0xbd, 0xb5, 0x97,
                                     0xce, 0xd9, 0xdd, 0x0c, 0x95, 0xd4, 0xeb, 0xf0, 0x08, 0x92, 0x95, 0xeb, 0xab,
                                     0x5c, 0x2d, 0x6e, 0xb1, 0xc6, 0xf9, 0x7c, 0x15, 0xed, 0x2f, 0x32, 0x19};
    path = std::filesystem::temp_directory_path() / ("sim_qemu_" + std::to_string(::getpid()) + ".bin");
    std::vector<uint8_t> img(1 << 20, 0xff);
    std::copy(std::begin(head), std::end(head), img.begin());
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(img.data()), std::streamsize(img.size()));
  }
  ~TempImage() { std::filesystem::remove(path); }
};

// The first 0x40 bytes of docs/reference/qemu-test-cameras.md cam16.bin, padded with 0xff.
std::string qemu_image() {
  static TempImage img;
  return img.path.string();
}

}  // namespace

TEST(SimCommands, ModernMdMatchesQemuOutput) {
  Cam c("sim:" + qemu_image() + ",dialect=modern,mapped=0x04000000,state=uboot");
  c.t->write("\x03");
  EXPECT_EQ(c.until("=> "), "<INTERRUPT>\r\n=> ");
  EXPECT_EQ(c.cmd("md.b 0x04000000 0x40"),
            "04000000: 56 43 41 4d 2d 46 4c 41 53 48 2d 49 4d 41 47 45  VCAM-FLASH-IMAGE\r\n"
            "04000010: 20 31 36 4d 69 42 20 74 65 73 74 20 70 61 74 74   16MiB test patt\r\n"
            "04000020: 65 72 6e 00 bd b5 97 ce d9 dd 0c 95 d4 eb f0 08  ern.............\r\n"
            "04000030: 92 95 eb ab 5c 2d 6e b1 c6 f9 7c 15 ed 2f 32 19  ....\\-n...|../2.\r\n");
  EXPECT_EQ(c.cmd("md.w 0x04000000 0x10"),
            "04000000: 4356 4d41 462d 414c 4853 492d 414d 4547  VCAM-FLASH-IMAGE\r\n"
            "04000010: 3120 4d36 4269 7420 7365 2074 6170 7474   16MiB test patt\r\n");
  EXPECT_EQ(c.cmd("md.l 0x04000000 0x8"),
            "04000000: 4d414356 414c462d 492d4853 4547414d  VCAM-FLASH-IMAGE\r\n"
            "04000010: 4d363120 74204269 20747365 74746170   16MiB test patt\r\n");
  // Default size .l and the count remembered from the last md (dp_last_length).
  EXPECT_EQ(c.cmd("md 0x04000000"),
            "04000000: 4d414356 414c462d 492d4853 4547414d  VCAM-FLASH-IMAGE\r\n"
            "04000010: 4d363120 74204269 20747365 74746170   16MiB test patt\r\n");
  // md.q prints nothing on a 32-bit build.
  EXPECT_EQ(c.cmd("md.q 0x04000000 1"), "");
}

TEST(SimCommands, IngenicMdHasFourSpacesAndShortLinePadding) {
  Cam c("sim:" + qemu_image() + ",mapped=0x04000000,state=uboot");
  EXPECT_EQ(c.cmd("md.b 0x04000000 0x14"),
            "04000000: 56 43 41 4d 2d 46 4c 41 53 48 2d 49 4d 41 47 45    VCAM-FLASH-IMAGE\r\n"
            "04000010: 20 31 36 4d                                         16M\r\n");
  EXPECT_EQ(c.cmd("md.l 0x04000000 4"), "04000000: 4d414356 414c462d 492d4853 4547414d    VCAM-FLASH-IMAGE\r\n");
}

TEST(SimCommands, Crc32BothDialectsAndStore) {
  std::string img = qemu_image();
  std::ifstream f(img, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), {});
  uint32_t want = crc32(bytes);
  Cam m("sim:" + img + ",dialect=modern,mapped=0x04000000,state=uboot");
  EXPECT_EQ(m.cmd("crc32 0x04000000 0x100000"), fmt::format("crc32 for 04000000 ... 040fffff ==> {:08x}\r\n", want));
  // Modern stores the digest big-endian (docs/reference/qemu-test-cameras.md: "720dda9c" for 9cda0d72).
  m.cmd("mw.l 0x80000000 0 4");
  EXPECT_EQ(m.cmd("crc32 0x04000000 0x100000 0x80000000"),
            fmt::format("crc32 for 04000000 ... 040fffff ==> {:08x}\r\n", want));
  auto r = m.cam().ram(0x80000000, 4);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0], want >> 24);
  Cam i("sim:" + img + ",mapped=0x04000000,state=uboot");
  EXPECT_EQ(i.cmd("crc32 0x04000000 0x100000"), fmt::format("CRC32 for 04000000 ... 040fffff ==> {:08x}\r\n", want));
}

struct SfCase {
  std::string spec, probe, read, read0;
};

class SimSf : public ::testing::TestWithParam<SfCase> {};

TEST_P(SimSf, ProbeAndReadPrintWhatTheDialectPrints) {
  const SfCase& k = GetParam();
  Cam c("sim:state=uboot," + k.spec);
  EXPECT_EQ(c.cmd("sf read 0x80600000 0x40000 0x1c0000"), "No SPI flash selected. Please run `sf probe'\r\n");
  EXPECT_EQ(c.cmd("sf probe 0"), k.probe);
  EXPECT_EQ(c.cmd("sf read 0x80600000 0x40000 0x1c0000"), k.read);
  auto ram = c.cam().ram(0x80600000, 0x1c0000);
  auto fl = c.cam().flash().subspan(0x40000, 0x1c0000);
  EXPECT_TRUE(std::equal(ram.begin(), ram.end(), fl.begin()));
  EXPECT_EQ(c.cmd("sf read 0x80600000 0 0x10"), k.read0);
}

INSTANTIATE_TEST_SUITE_P(
    Dialects, SimSf,
    ::testing::Values(SfCase{"sf=vendor",
                             "the manufacturer 20\r\nSF: Detected XM25QH128C\r\n\r\n--->probe spend 4 ms\r\n",
                             "SF: 1835008 bytes @ 0x40000 Read: OK\r\n--->read spend 591 ms\r\n",
                             "SF: 16 bytes @ 0x0 Read: OK\r\n--->read spend 0 ms\r\n"},
                      SfCase{"sf=thingino",
                             "JZSFC: Flash chip ID: 204018\r\nSF:    Detected XM25QH128C (20 40 18 20 00)\r\nSF:    "
                             "probe command completed "
                             "in 4 ms\r\n",
                             "SF:    1835008 bytes @ 0x40000 Read: OK\r\nSF:    read command completed in 591 ms\r\n",
                             "SF:    16 bytes @ 0x0 Read: OK\r\nSF:    read command completed in 0 ms\r\n"},
                      SfCase{"sf=upstream", "SF: Detected XM25QH128C with page size 64 KiB, total 16 MiB\r\n",
                             "SF: 1835008 bytes @ 0x40000 Read: OK\r\n", "SF: 16 bytes @ 0x0 Read: OK\r\n"},
                      SfCase{"dialect=modern",
                             "SF: Detected xm25qh128c with page size 256 Bytes, erase size 4 KiB, total 16 MiB\r\n",
                             "SF: 1835008 bytes @ 0x40000 Read: OK\r\n", "SF: 16 bytes @ 0x0 Read: OK\r\n"}),
    [](const ::testing::TestParamInfo<SfCase>& i) { return test::param_name(i.param.spec); });

TEST(SimCommands, SfReadPastTheFlashIsRefused) {
  Cam m("sim:state=uboot,dialect=modern");
  m.cmd("sf probe");
  EXPECT_EQ(m.cmd("sf read 0x80600000 0xff0000 0x20000"), "ERROR: attempting read past flash size (0x1000000)\r\n");
}

TEST(SimCommands, BannerVersionConinfoBdinfoRevealSocAndUart) {
  Cam i("sim:dialect=ingenic2013");
  std::string boot = i.until("autoboot:  1 ");
  EXPECT_NE(boot.find("U-Boot SPL 2013.07"), std::string::npos);
  EXPECT_NE(boot.find("Ingenic T31"), std::string::npos);
  i.to_prompt();
  EXPECT_EQ(i.cmd("coninfo"), "List of available devices:\r\nserial   80000003 SIO stdin stdout stderr \r\n");
  EXPECT_EQ(i.cmd("version").substr(0, 47), "\r\nU-Boot 2013.07 (Jul 01 2026 - 12:00:00)\r\nmips");
  EXPECT_NE(i.cmd("bdinfo").find("memstart    = 0x80000000\r\nmemsize     = 0x04000000\r\n"), std::string::npos);
  EXPECT_EQ(i.cmd("watchdog 0"), "watchdog close!\r\n");

  Cam m("sim:dialect=modern");
  boot = m.until("autoboot");
  EXPECT_NE(boot.find("In:    serial@10031000\r\n"), std::string::npos) << boot;
  m.to_prompt();
  EXPECT_NE(m.cmd("coninfo").find("|-- serial@10031000 (IO)\r\n|   |-- stdin\r\n"), std::string::npos);
  EXPECT_EQ(m.cmd("watchdog 0"), "Unknown command 'watchdog' - try 'help'\r\n");
}

TEST(SimCommands, HelpUnknownEchoAndEnv) {
  Cam i("sim:state=uboot");
  std::string h = i.cmd("help");
  EXPECT_NE(h.find("md      - memory display\r\n"), std::string::npos);
  EXPECT_NE(h.find("printenv- print environment variables\r\n"), std::string::npos);
  EXPECT_EQ(h.find("tftpput"), std::string::npos);  // stock Ingenic: no tftpput
  EXPECT_EQ(i.cmd("frobnicate 1"), "Unknown command 'frobnicate' - try 'help'\r\n");
  EXPECT_EQ(i.cmd("echo hello  world"), "hello world\r\n");
  EXPECT_EQ(i.cmd("setenv foo bar baz; printenv foo"), "foo=bar baz\r\n");
  EXPECT_EQ(i.cmd("echo ${foo}"), "bar baz\r\n");
  EXPECT_EQ(i.cmd("printenv nope"), "## Error: \"nope\" not defined\r\n");
  EXPECT_NE(i.cmd("printenv").find("\r\nEnvironment size: "), std::string::npos);
  EXPECT_EQ(i.cmd("saveenv").find("Saving Environment"), 0u);
  EXPECT_EQ(i.cam().stats().saveenv, 1u);
  Cam m("sim:state=uboot,dialect=modern");
  EXPECT_NE(m.cmd("help").find("md        - memory display\r\n"), std::string::npos);
  // Echo, backspace editing and abbreviations, as readline does them.
  m.t->write("verx\bsion\r");
  std::string got = m.until("=> ");
  EXPECT_EQ(got.substr(0, 18), "verx\b \bsion\r\nU-Boo");
}

TEST(SimCommands, MemoryWriteCopyCompare) {
  Cam c("sim:state=uboot");
  EXPECT_EQ(c.cmd("mw.l 0x80600000 0x56190527 4"), "");
  EXPECT_EQ(c.cmd("md.b 0x80600000 8"), "80600000: 27 05 19 56 27 05 19 56                            '..V'..V\r\n");
  EXPECT_EQ(c.cmd("cp.b 0x80600000 0xa0700000 0x10"), "");  // kseg1 alias of 0x80700000
  EXPECT_EQ(c.cmd("cmp.b 0x80600000 0x80700000 0x10"), "Total of 16 byte(s) were the same\r\n");
  c.cmd("mw.b 0x80700003 0x11");
  EXPECT_EQ(
      c.cmd("cmp.l 0x80600000 0x80700000 4"),
      "word at 0x80600000 (0x56190527) != word at 0x80700000 (0x11190527)\r\nTotal of 0 word(s) were the same\r\n");
}

TEST(SimCommands, MmcWritesIntoTheSdImageBothDialects) {
  auto sd = std::filesystem::temp_directory_path() / ("sim_sd_" + std::to_string(::getpid()) + ".img");
  { std::ofstream(sd, std::ios::binary).write(std::string(1 << 20, '\0').data(), 1 << 20); }
  Cam none("sim:state=uboot");
  EXPECT_EQ(none.cmd("mmc dev 0"), "Card did not respond to voltage select!\r\n");
  Cam i("sim:state=uboot,sd=" + sd.string());
  i.cmd("mw.l 0x80600000 0x12345678 0x400");
  EXPECT_EQ(i.cmd("mmc dev 0"), "mmc0 is current device\r\n");
  EXPECT_EQ(i.cmd("mmc erase 0x10 8"), "\r\nMMC erase: dev # 0, block # 16, count 8 ... 8 blocks erase: OK\r\n");
  EXPECT_EQ(i.cmd("mmc write 0x80600000 0x10 8"),
            "\r\nMMC write: dev # 0, block # 16, count 8 ... 8 blocks write: OK\r\n");
  std::ifstream f(sd, std::ios::binary);
  std::vector<uint8_t> disk((std::istreambuf_iterator<char>(f)), {});
  ASSERT_EQ(disk.size(), 1u << 20);
  EXPECT_EQ(disk[size_t{16} * 512], 0x78);
  EXPECT_EQ(disk[16 * 512 + 4095], 0x12);
  EXPECT_EQ(disk[16 * 512 + 4096], 0x00);
  Cam m("sim:state=uboot,dialect=modern,sd=" + sd.string());
  EXPECT_EQ(m.cmd("mmc dev 0"), "switch to partitions #0, OK\r\nmmc0 is current device\r\n");
  EXPECT_EQ(m.cmd("mmc read 0x80000000 0x10 8"), "MMC read: dev # 0, block # 16, count 8 ... 8 blocks read: OK\r\n");
  EXPECT_EQ(m.cmd("mmc write 0x80000000 0x800 1"),
            "MMC write: dev # 0, block # 2048, count 1 ... 0 blocks written: ERROR\r\n");
  EXPECT_EQ(m.cmd("md.l 0x80000000 1"), "80000000: 12345678" + std::string(27, ' ') + "  xV4.\r\n");
  std::filesystem::remove(sd);
}

class SimBadOption : public ::testing::TestWithParam<const char*> {};

TEST_P(SimBadOption, IsAUsageError) {
  try {
    sim::parse_sim_spec(GetParam());
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}

INSTANTIATE_TEST_SUITE_P(Specs, SimBadOption,
                         ::testing::Values("bogus=1", "dialect=vxworks", "noise=lots", "stall=500", "flash=3M",
                                           "baud=230400", "fw.bin,extra", "state=off"),
                         [](const ::testing::TestParamInfo<const char*>& i) { return test::param_name(i.param); });

TEST(SimOptions, GoodOptionsAreRead) {
  auto o = sim::parse_sim_spec("fw.bin,bauds=9600,115200,230400,baud=230400,noise=1e-4,stall=300@4K");
  EXPECT_EQ(o.image_path, "fw.bin");
  EXPECT_EQ(o.baud_table(), (std::vector<uint32_t>{9600, 115200, 230400}));
  EXPECT_EQ(o.baud, 230400u);
  EXPECT_DOUBLE_EQ(o.noise, 1e-4);
  EXPECT_EQ(o.stall_every, 4096u);
  EXPECT_EQ(sim::parse_sim_spec("dialect=modern").prompt_text(), "=> ");
}

// net=0: the network commands fail at once (the console fuzz target must not wait seconds of real
// UDP timeouts on a fuzzed `tftpboot`).
TEST(SimCommands, NetOffMakesTftpFailAtOnce) {
  Cam c("sim:state=uboot,net=0,tftpput=1");
  c.cmd("setenv ipaddr 10.0.0.2; setenv serverip 127.0.0.1");
  EXPECT_NE(c.cmd("tftpboot 0x80600000 fw.bin").find("*** ERROR: network unavailable"), std::string::npos);
  EXPECT_NE(c.cmd("tftpput 0x80600000 0x100 fw.bin").find("*** ERROR: network unavailable"), std::string::npos);
}
