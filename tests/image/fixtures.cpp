// SPDX-License-Identifier: MIT
// Builds the inspector fixtures with the real tools (see fixtures.hpp).
#include "fixtures.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "core/crc32.hpp"
#include "support/process.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"

namespace fs = std::filesystem;

namespace camdump::test {
namespace {

const fs::path kRoot = fs::path(camdump::test::binary_dir()) / "tests" / "image-fixtures-v4";

void run(const std::vector<std::string>& argv, const fs::path& cwd) { run_tool(argv, cwd); }

}  // namespace

void run_tool(const std::vector<std::string>& argv, const fs::path& cwd) {
  auto p = Process::spawn(
      argv,
      {.stdout_file = (cwd / "tool.log").string(), .stderr_file = (cwd / "tool.err").string(), .cwd = cwd.string()});
  auto st = p.wait_exit(60s);
  if (!st || !WIFEXITED(*st) || WEXITSTATUS(*st) != 0)
    throw std::runtime_error(fmt::format("fixture tool failed: {} ({})", argv[0], test::read_file(cwd / "tool.err")));
}

uint8_t test_crc7(const uint8_t* p, size_t n) {
  uint8_t c = 0;  // the 7-bit CRC kept shifted left by one (poly 0x09 << 1 = 0x12)
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int b = 0; b < 8; ++b) c = (c & 0x80) ? uint8_t((c << 1) ^ 0x12) : uint8_t(c << 1);
  }
  return c >> 1;
}

namespace {

// write_bytes/write_file into a directory created on the way.
void spit(const fs::path& p, std::span<const uint8_t> d) {
  fs::create_directories(p.parent_path());
  write_bytes(p, d);
}
void spit(const fs::path& p, std::string_view s) {
  fs::create_directories(p.parent_path());
  write_file(p, s);
}

// Deterministic bytes: random-looking (like machine code) or text-like (compressible).
std::vector<uint8_t> noise(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : v) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = uint8_t(x);
  }
  return v;
}
std::string words(size_t n, uint32_t seed) {
  static const char* const w[] = {"gpio ", "sensor ", "isp ", "stream=1 ", "rtsp ", "motion ", "\n", "0x8001 "};
  std::string s;
  uint32_t x = seed | 1;
  while (s.size() < n) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s += w[x & 7];
  }
  s.resize(n);
  return s;
}

void make_tree(const fs::path& root, uint32_t seed) {
  fs::create_directories(root);
  // "aaa.log" sorts first: its compressible 300 KiB are the first data blocks after the superblock.
  spit(root / "aaa.log", words(size_t{300} * 1024, seed));
  for (const char* d : {"bin", "etc/init.d", "lib", "usr/share", "dev", "proc", "tmp"})
    fs::create_directories(root / d);
  spit(root / "bin/busybox", words(size_t{200} * 1024, seed + 1));
  spit(root / "lib/libimp.so", words(size_t{90} * 1024, seed + 2));
  spit(root / "etc/hostname", "camera\n");
  spit(root / "etc/os-release", "NAME=Thingino\nID=thingino\n");
  spit(root / "etc/init.d/rcS", "#!/bin/sh\nmount -a\n");
  spit(root / "usr/share/version", fmt::format("fixture {}\n", seed));
  fs::create_symlink("busybox", root / "bin/sh");
}

void put(std::vector<uint8_t>& img, uint64_t at, const std::vector<uint8_t>& d) {
  if (at + d.size() > img.size()) throw std::runtime_error(fmt::format("fixture part at {:#x} too large", at));
  std::memcpy(img.data() + at, d.data(), d.size());
}

uint32_t be32(const uint8_t* p) { return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]; }

struct Spec {
  std::string name;
  uint64_t size;
  bool stock;
  std::string comp;  // mksquashfs -comp
  uint32_t erase;    // JFFS2 erase block
  bool redundant_env;
};

FixtureImage build(const fs::path& dir, const Spec& s, uint32_t seed) {
  const fs::path w = dir / s.name;
  fs::create_directories(w);
  const uint32_t total_k = uint32_t(s.size >> 10);
  // Layout (docs/reference/mtd-and-layouts.md#thingino current Thingino; stock: 256k boot, env 0x40000, kernel 0x50000).
  const uint64_t env_off = s.stock ? 0x40000 : 0x50000;
  const uint64_t kernel_off = s.stock ? 0x50000 : 0x70000;
  const uint64_t kernel_k = s.stock ? 1984 : 1600;
  const uint64_t rootfs_off = kernel_off + kernel_k * 1024;
  const uint64_t rootfs_k = total_k == 8192 ? 3072 : 5120;
  const uint64_t data_off = rootfs_off + rootfs_k * 1024;
  const uint64_t data_k = total_k - data_off / 1024;
  // Stock layouts put the whole-chip part in the same mtddef: "...,16M@0(all)" style.
  const std::string mtdparts =
      s.stock ? fmt::format("jz_sfc:256k(boot),64k(tag),{}k(kernel),{}k(rootfs),{}k(appfs),{}M@0(all)", kernel_k,
                            rootfs_k, data_k, total_k / 1024)
              : fmt::format("jz_sfc:320k(boot),64k(env),64k(backup),1600k(kernel),{}k(rootfs),{}k(data),{}k@0(all)",
                            rootfs_k, data_k, total_k);

  // Kernel: lzma payload in a uImage.
  spit(w / "vmlinux.bin", noise(size_t{600} * 1024, seed));
  run({"lzma", "-kf", "vmlinux.bin"}, w);
  run({"mkimage", "-A", "mips", "-O", "linux", "-T", "kernel", "-C", "lzma", "-a", "0x80010000", "-e", "0x80400330",
       "-n", "Linux-3.10.14__isvp_swan_1.0__", "-d", "vmlinux.bin.lzma", "uImage"},
      w);
  // U-Boot: lzop'ed and uImage-wrapped after the SPL at 0x6800 (uboot-ingenic Makefile u-boot-lzo.img).
  auto ub = noise(size_t{60} * 1024, seed + 7);
  const std::string wtext = words(size_t{60} * 1024, seed + 8);
  ub.insert(ub.end(), wtext.begin(), wtext.end());
  const std::string ver = "U-Boot 2013.07 (Nov 28 2025 - 00:00:00) Ingenic T31";
  std::memcpy(ub.data() + 0x100, ver.c_str(), ver.size() + 1);
  spit(w / "u-boot.bin", ub);
  run({"lzop", "-f", "-o", "u-boot-lzo.bin", "u-boot.bin"}, w);
  run({"mkimage", "-A", "mips", "-O", "u-boot", "-T", "firmware", "-C", "lzo", "-a", "0x80100000", "-e", "0x80100000",
       "-n", "u-boot-lzo.img", "-d", "u-boot-lzo.bin", "u-boot.img"},
      w);
  // Root filesystem.
  make_tree(w / "root", seed);
  run({"mksquashfs", "root", "rootfs.sqfs", "-comp", s.comp, "-noappend", "-all-root", "-quiet"}, w);
  // Data: JFFS2 overlay.
  fs::create_directories(w / "overlay/upper/etc");
  spit(w / "overlay/upper/etc/hostname", "camdump-test\n");
  spit(w / "overlay/upper/etc/motion.conf", words(6000, seed + 3));
  fs::create_directories(w / "overlay/work");
  run({"mkfs.jffs2", "-l", "-e", fmt::format("{:#x}", s.erase), "-p", "-d", "overlay", "-o", "data.jffs2"}, w);
  // Environment.
  std::string env = fmt::format(
      "baudrate=115200\nbootargs=console=ttyS1,115200n8 mem=64M@0x0 rmem=64M@0x4000000 init=/init "
      "rootfstype=squashfs root=/dev/mtdblock{} rw mtdparts={}\n"
      "bootcmd=sf probe;sf read 0x80600000 {:#x} {:#x};bootm 0x80600000\nbootdelay=1\n"
      "ethaddr=02:00:00:12:34:{:02x}\nsoc=t31\nwlanssid=lab\nwlanpass=topsecret99\n",
      s.stock ? 3 : 4, mtdparts, kernel_off, kernel_k * 1024, seed & 0xff);
  spit(w / "env.txt", env);
  const uint64_t env_size = s.stock ? 0x4000 : s.redundant_env ? 0x8000 : 0x10000;
  std::vector<std::string> args = {"mkenvimage", "-s", fmt::format("{:#x}", env_size), "-o", "env.bin"};
  if (s.redundant_env) args.insert(args.begin() + 1, "-r");
  args.push_back("env.txt");
  run(args, w);

  std::vector<uint8_t> img(s.size, 0xff);
  static const uint8_t kSpl[] = {0x06, 0x05, 0x04, 0x03, 0x02, 0x55, 0xaa, 0x55, 0xaa, 0x3c, 0, 0, 0x00, 0x5c, 0, 0};
  std::vector<uint8_t> spl(0x5c00, 0);
  std::memcpy(spl.data(), kSpl, sizeof kSpl);
  auto body = noise(0x5c00 - 2048, seed + 9);
  std::memcpy(spl.data() + 2048, body.data(), body.size());
  const std::string splver = "U-Boot SPL 2013.07 (Nov 28 2025 - 00:00:00)";
  std::memcpy(spl.data() + 0x4000, splver.c_str(), splver.size() + 1);
  spl[9] = test_crc7(spl.data() + 2048, spl.size() - 2048);  // what spi_checksum writes
  put(img, 0, spl);
  put(img, 0x6800, slurp(w / "u-boot.img"));
  FixtureImage f;
  f.uboot = 0x6800;
  f.spl_length = uint32_t(spl.size());
  f.env = env_off;
  put(img, env_off, slurp(w / "env.bin"));
  if (s.redundant_env) {  // second copy, flags 0 (obsolete), valid CRC
    auto e2 = slurp(w / "env.bin");
    e2[4] = 0;
    put(img, env_off + env_size, e2);
  }
  auto k = slurp(w / "uImage");
  f.kernel = kernel_off;
  f.kernel_size = be32(k.data() + 12);
  put(img, kernel_off, k);
  f.rootfs = rootfs_off;
  put(img, rootfs_off, slurp(w / "rootfs.sqfs"));
  f.data_part = data_off;
  put(img, data_off, slurp(w / "data.jffs2"));
  f.path = dir / (s.name + ".bin");
  spit(f.path, img);
  f.data = std::move(img);
  return f;
}

// SPI-NAND Thingino-like image (protocols: thingino sfcnand.config `1024k(boot),-(ubi)`).
FixtureImage build_nand(const fs::path& dir, uint32_t seed) {
  const fs::path w = dir / "nand16";
  fs::create_directories(w);
  // Kernel (static volume), rootfs (squashfs), overlay (UBIFS), env (mkenvimage).
  spit(w / "vmlinux.bin", noise(size_t{300} * 1024, seed));
  run({"lzma", "-kf", "vmlinux.bin"}, w);
  run({"mkimage", "-A", "mips", "-O", "linux", "-T", "kernel", "-C", "lzma", "-a", "0x80010000", "-e", "0x80400330",
       "-n", "Linux-4.4.94", "-d", "vmlinux.bin.lzma", "uImage"},
      w);
  make_tree(w / "root", seed);
  run({"mksquashfs", "root", "rootfs.sqfs", "-comp", "xz", "-noappend", "-all-root", "-quiet"}, w);
  fs::create_directories(w / "overlay/etc");
  spit(w / "overlay/etc/hostname", "nand-camera\n");
  spit(w / "overlay/etc/motion.conf", words(20000, seed + 3));
  run({"mkfs.ubifs", "-m", "2048", "-e", "126976", "-c", "64", "-x", "lzo", "-r", "overlay", "-o", "overlay.ubifs"}, w);
  spit(w / "env.txt", std::string("baudrate=115200\nbootargs=console=ttyS1,115200n8 ubi.mtd=1 root=ubi0:rootfs "
                                  "rootfstype=squashfs mtdparts=sfc_nand:1024k(boot),-(ubi)\n"
                                  "bootcmd=ubi part ubi; ubi read 0x80600000 kernel; bootm 0x80600000\n"
                                  "soc=t40\nwlanpass=nandsecret\n"));
  run({"mkenvimage", "-s", "0x10000", "-o", "env.bin", "env.txt"}, w);
  spit(w / "ubinize.cfg",
       std::string(
           "[uboot-env]\nmode=ubi\nimage=env.bin\nvol_id=0\nvol_type=dynamic\nvol_size=126976\nvol_name=uboot-env\n"
           "[kernel]\nmode=ubi\nimage=uImage\nvol_id=1\nvol_type=static\nvol_name=kernel\n"
           "[rootfs]\nmode=ubi\nimage=rootfs.sqfs\nvol_id=2\nvol_type=dynamic\nvol_name=rootfs\n"
           "[overlay]\nmode=ubi\nimage=overlay.ubifs\nvol_id=3\nvol_type=dynamic\nvol_name=overlay\n"));
  run({"ubinize", "-o", "ubi.img", "-p", "128KiB", "-m", "2048", "-Q", "1234", "ubinize.cfg"}, w);
  // Boot: NAND-flavour SPL (byte 8 = 0, 64 pages/block / 32, 2048-byte pages / 1024), raw U-Boot at 0x8000.
  std::vector<uint8_t> img(16u << 20, 0xff);
  std::vector<uint8_t> spl(0x5c00, 0);
  static const uint8_t kSpl[] = {0x06, 0x05, 0x04, 0x03, 0x02, 0x55, 0xaa, 0x55, 0x00, 0x00, 2, 2, 0x00, 0x5c, 0, 0};
  std::memcpy(spl.data(), kSpl, sizeof kSpl);
  auto body = noise(0x5c00 - 2048, seed + 9);
  std::memcpy(spl.data() + 2048, body.data(), body.size());
  spl[9] = test_crc7(spl.data() + 2048, spl.size() - 2048);
  put(img, 0, spl);
  auto ub = noise(size_t{200} * 1024, seed + 7);
  const std::string ver = "U-Boot 2023.10-thingino (Nov 28 2025 - 00:00:00 +0000)";
  std::memcpy(ub.data() + 0x2000, ver.c_str(), ver.size() + 1);
  put(img, 0x8000, ub);
  const auto ubi = slurp(w / "ubi.img");
  put(img, 0x100000, ubi);
  FixtureImage f;
  f.env = f.kernel = f.rootfs = f.data_part = 0x100000;
  f.kernel_size = uint32_t(ubi.size());
  f.path = dir / "nand16.bin";
  spit(f.path, img);
  f.data = std::move(img);
  return f;
}

const std::vector<Spec> kSpecs = {
    {"thingino8", 8u << 20, false, "xz", 0x8000, true},
    {"thingino16", 16u << 20, false, "gzip", 0x10000, false},
    {"thingino32", 32u << 20, false, "xz", 0x10000, false},
    {"stock16", 16u << 20, true, "gzip", 0x10000, false},
};

FixtureImage load(const fs::path& dir, const std::string& name) {
  FixtureImage f;
  f.path = dir / (name + ".bin");
  f.data = slurp(f.path);
  std::ifstream meta(dir / (name + ".meta"));
  meta >> f.env >> f.kernel >> f.rootfs >> f.data_part >> f.kernel_size;
  return f;
}

Fixtures make_or_load() {
  fs::create_directories(kRoot.parent_path());
  const int lock = ::open((kRoot.string() + ".lock").c_str(), O_CREAT | O_RDWR, 0644);
  if (lock >= 0) ::flock(lock, LOCK_EX);
  if (!fs::exists(kRoot / "done")) {
    const fs::path tmp = kRoot.string() + ".tmp";
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    uint32_t seed = 11;
    for (const auto& s : kSpecs) {
      FixtureImage f = build(tmp, s, seed++);
      std::ofstream(tmp / (s.name + ".meta"))
          << f.env << ' ' << f.kernel << ' ' << f.rootfs << ' ' << f.data_part << ' ' << f.kernel_size << '\n';
    }
    FixtureImage n = build_nand(tmp, seed++);
    std::ofstream(tmp / "nand16.meta") << n.env << ' ' << n.kernel << ' ' << n.rootfs << ' ' << n.data_part << ' '
                                       << n.kernel_size << '\n';
    std::ofstream(tmp / "done") << "ok\n";
    fs::remove_all(kRoot);
    fs::rename(tmp, kRoot);
  }
  if (lock >= 0) ::close(lock);
  Fixtures x;
  x.thingino8 = load(kRoot, "thingino8");
  x.thingino16 = load(kRoot, "thingino16");
  x.thingino32 = load(kRoot, "thingino32");
  x.stock16 = load(kRoot, "stock16");
  x.nand16 = load(kRoot, "nand16");
  for (FixtureImage* f : {&x.thingino8, &x.thingino16, &x.thingino32, &x.stock16}) {
    f->uboot = 0x6800;
    f->spl_length = 0x5c00;
  }
  x.nand16.uboot = 0x8000;
  x.nand16.spl_length = 0x5c00;
  x.dir = kRoot;
  return x;
}

}  // namespace

const Fixtures& fixtures() {
  static const Fixtures f = make_or_load();
  return f;
}

uint64_t find_leb(const std::vector<uint8_t>& img, uint64_t ubi_off, uint32_t vol_id, uint32_t lnum) {
  for (uint64_t peb = ubi_off; peb + 0x1000 <= img.size(); peb += 0x20000) {
    const uint8_t* p = img.data() + peb;
    if (be32(p) != 0x55424923u) continue;
    const uint8_t* v = p + be32(p + 16);
    if (be32(v) == 0x55424921u && be32(v + 8) == vol_id && be32(v + 12) == lnum) return peb + be32(p + 20);
  }
  return 0;
}

uint64_t first_jffs2_inode(const std::vector<uint8_t>& img, uint64_t from) {
  for (uint64_t p = from; p + 12 <= img.size(); p += 4)
    if (img[p] == 0x85 && img[p + 1] == 0x19 && img[p + 2] == 0x02 && img[p + 3] == 0xe0 &&
        (img[p + 4] | img[p + 5] << 8) > 68 + 8)  // a file inode with data, not a directory
      return p;
  throw std::runtime_error("no JFFS2 inode node in fixture");
}

}  // namespace camdump::test
