// SPDX-License-Identifier: MIT
// Deterministic Thingino-like (or stock-Ingenic-like) flash image built in memory
// (see synth.hpp). Layout facts: docs/reference/image-formats.md (#uimage, #jffs2, #env, #ingenic-spl)
// and docs/reference/mtd-and-layouts.md#thingino (Thingino layouts).
#include "image/synth.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include <zlib.h>

#include <fmt/format.h>

#include "core/crc32.hpp"
#include "core/error.hpp"
#include "image/inspect_checks.hpp"
#include "image/squashfs_build.hpp"

namespace camdump::image {
namespace {

using namespace std::literals;

constexpr uint32_t kTime = 1764288000;  // 2025-11-28 00:00:00 UTC: fixed, images are deterministic

// splitmix64: small, fast, deterministic.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  void fill(uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; i += 8) {
      uint64_t v = next();
      std::memcpy(p + i, &v, std::min<size_t>(8, n - i));
    }
  }
  std::vector<uint8_t> bytes(size_t n) {
    std::vector<uint8_t> v(n);
    fill(v.data(), n);
    return v;
  }
  // Text-like, compressible bytes: words from a small vocabulary.
  std::vector<uint8_t> text(size_t n) {
    static const char* const kWords[] = {"sensor ",     "isp ",    "frame ", "gpio ",   "i2c ",    "mips ",
                                         "ingenic ",    "stream ", "rtsp ",  "motion ", "buffer ", "init ",
                                         "0x80010000 ", "\n",      "= ",     "; "};
    std::vector<uint8_t> v;
    v.reserve(n + 16);
    while (v.size() < n) {
      const char* w = kWords[next() & 15];
      v.insert(v.end(), w, w + std::strlen(w));
    }
    v.resize(n);
    return v;
  }
};

// A gzip member (RFC 1952, zlib deflate level 1) of `in`: a kernel payload inspect can decode to
// its end and check by the gzip CRC-32. High-entropy input comes out about as large as it went in,
// so the image keeps the size and shape of a real kernel; cheap enough for every sim start.
std::vector<uint8_t> gzip_member(const std::vector<uint8_t>& in) {
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    fail(ErrorKind::Io, "zlib: cannot start the encoder");
  std::vector<uint8_t> out(deflateBound(&z, uLong(in.size())) + 64);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = uInt(in.size());
  z.next_out = out.data();
  z.avail_out = uInt(out.size());
  const int r = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (r != Z_STREAM_END) fail(ErrorKind::Io, "zlib: encoding the synthetic kernel failed");
  return out;
}

void be32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}
void le32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
  p[2] = uint8_t(v >> 16);
  p[3] = uint8_t(v >> 24);
}
void le16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}
void put_str(std::vector<uint8_t>& img, size_t at, std::string_view s) {
  std::memcpy(img.data() + at, s.data(), s.size());
}

// Legacy uImage (include/image.h, big-endian) at `at` with `payload`; returns total length.
size_t put_uimage(std::vector<uint8_t>& img, size_t at, const std::vector<uint8_t>& payload, uint8_t os, uint8_t type,
                  uint8_t comp, uint32_t load, uint32_t ep, std::string_view name) {
  uint8_t* h = img.data() + at;
  std::memset(h, 0, 64);
  be32(h, 0x27051956);
  be32(h + 8, kTime);
  be32(h + 12, uint32_t(payload.size()));
  be32(h + 16, load);
  be32(h + 20, ep);
  be32(h + 24, crc32(payload));
  h[28] = os;
  h[29] = 5;  // MIPS
  h[30] = type;
  h[31] = comp;
  std::memcpy(h + 32, name.data(), std::min<size_t>(32, name.size()));
  be32(h + 4, crc32({h, 64}));  // header CRC with ih_hcrc = 0
  std::memcpy(h + 64, payload.data(), payload.size());
  return 64 + payload.size();
}

// U-Boot environment block: crc (LE) + data, padded with 0x00 as saveenv does.
void put_env(std::vector<uint8_t>& img, size_t at, size_t size, const std::map<std::string, std::string>& vars) {
  std::vector<uint8_t> data(size - 4, 0);
  size_t pos = 0;
  for (const auto& [k, v] : vars) {  // std::map: sorted like hexport_r
    const std::string kv = fmt::format("{}={}", k, v);
    if (pos + kv.size() + 2 > data.size()) fail(ErrorKind::Unsupported, "synthetic env too large");
    std::memcpy(data.data() + pos, kv.data(), kv.size());
    pos += kv.size() + 1;
  }
  le32(img.data() + at, crc32(data));
  std::memcpy(img.data() + at + 4, data.data(), data.size());
}

// JFFS2 nodes (include/uapi/linux/jffs2.h, little-endian; CRCs are crc32_le seed 0).
struct Jffs2Writer {
  std::vector<uint8_t>& img;
  size_t pos;
  uint32_t version = 1;
  uint8_t* header(uint16_t type, uint32_t totlen) {
    uint8_t* n = img.data() + pos;
    std::memset(n, 0, totlen);
    le16(n, 0x1985);
    le16(n + 2, type);
    le32(n + 4, totlen);
    le32(n + 8, crc32_jffs2({n, 8}));
    pos += (totlen + 3) & ~3u;
    return n;
  }
  void cleanmarker() { header(0x2003, 12); }
  void dirent(uint32_t pino, uint32_t ino, std::string_view name, uint8_t dtype) {
    uint8_t* n = header(0xe001, uint32_t(40 + name.size()));
    le32(n + 12, pino);
    le32(n + 16, version++);
    le32(n + 20, ino);
    le32(n + 24, kTime);
    n[28] = uint8_t(name.size());
    n[29] = dtype;
    std::memcpy(n + 40, name.data(), name.size());
    le32(n + 32, crc32_jffs2({n, 32}));
    le32(n + 36, crc32_jffs2({n + 40, name.size()}));
  }
  void inode(uint32_t ino, uint32_t mode, const std::vector<uint8_t>& data) {
    uint8_t* n = header(0xe002, uint32_t(68 + data.size()));
    le32(n + 12, ino);
    le32(n + 16, version++);
    le32(n + 20, mode);
    le32(n + 28, uint32_t(data.size()));  // isize
    le32(n + 32, kTime);
    le32(n + 36, kTime);
    le32(n + 40, kTime);
    le32(n + 48, uint32_t(data.size()));                               // csize
    le32(n + 52, uint32_t(data.size()));                               // dsize; compr (56) 0 = none
    if (!data.empty()) std::memcpy(n + 68, data.data(), data.size());  // an empty file's data() may be null
    le32(n + 60, crc32_jffs2(data));
    le32(n + 64, crc32_jffs2({n, 60}));
  }
};

std::vector<uint8_t> to_bytes(std::string_view s) { return {s.begin(), s.end()}; }

// Where the parts go (KiB unless named _off/_size, which are bytes).
struct Plan {
  uint32_t boot_k, env_off, env_size, env_part_k, backup_k, kernel_off, kernel_k, rootfs_k, data_k;
  std::string mtd_all;  // text of the whole-chip part
  uint32_t rootfs_off() const { return kernel_off + kernel_k * 1024; }
  uint32_t data_off() const { return rootfs_off() + rootfs_k * 1024; }
};

Plan plan_layout(uint32_t total_k, bool stock) {
  Plan p{};
  if (stock) {  // vendor: 256k boot, 16 KiB env at 0x40000 in a 64k area, overlapping all
    p = {.boot_k = 256,
         .env_off = 0x40000,
         .env_size = 0x4000,
         .env_part_k = 64,
         .backup_k = 0,
         .kernel_off = 0x50000,
         .kernel_k = 1984,
         .rootfs_k = total_k == 8192    ? 3072u
                     : total_k == 16384 ? 4096u
                                        : 6144u,
         .data_k = 0,
         .mtd_all = fmt::format("{}M@0(all)", total_k / 1024)};
  } else {  // Thingino since e08b02942
    p = {.boot_k = 320,
         .env_off = 0x50000,
         .env_size = 0x10000,
         .env_part_k = 64,
         .backup_k = 64,
         .kernel_off = 0x70000,
         .kernel_k = 1600,
         .rootfs_k = total_k == 8192    ? 3584u
                     : total_k == 16384 ? 5120u
                                        : 8192u,
         .data_k = 0,
         .mtd_all = fmt::format("{}k@0(all)", total_k)};
  }
  p.data_k = total_k - p.rootfs_off() / 1024 - p.rootfs_k;
  return p;
}

// Boot: Ingenic SPL header (docs/reference/image-formats.md#ingenic-spl), SPL body, U-Boot uImage at 0x6800.
void put_boot(std::vector<uint8_t>& img, Rng& rng, bool stock) {
  const uint32_t spl_len = 0x5c00;
  static const uint8_t kSpl[] = {0x06, 0x05, 0x04, 0x03, 0x02, 0x55, 0xaa, 0x55, 0xaa};
  std::memcpy(img.data(), kSpl, sizeof kSpl);
  (void)rng.next();  // (was the CRC7 slot's filler; kept so the later bytes stay as they were)
  img[10] = img[11] = 0;
  le32(img.data() + 12, spl_len);
  std::fill(img.begin() + 16, img.begin() + 2048, 0);
  rng.fill(img.data() + 2048, spl_len - 2048);
  put_str(img, 0x4000, "U-Boot SPL 2013.07 (Thingino) (Nov 28 2025 - 00:00:00)\0Ingenic T31\0"sv);
  img[9] = detail::ingenic_crc7({img.data() + 2048, spl_len - 2048});  // what the boot ROM checks
  {
    auto ub = rng.bytes(stock ? 0x26000 : 0x2c000);
    const std::string s =
        "\0U-Boot 2013.07 (Nov 28 2025 - 00:00:00 +0000) Thingino\0"
        "Ingenic T31 (xburst)\0jz_sfc\0sf probe\0bootm\0"s;
    std::memcpy(ub.data() + 0x1000, s.data(), s.size());
    put_uimage(img, 0x6800, ub, 17 /*U-Boot*/, 5 /*firmware*/, 0, 0x80100000, 0x80100000,
               stock ? "U-Boot 2013.07" : "U-Boot 2013.07 Thingino");
  }
}

// The U-Boot environment, with mtdparts and the kernel's command line.
std::map<std::string, std::string> make_env(const Plan& p, const SynthOptions& opt, bool stock) {
  const uint64_t size = opt.flash_size;
  const char* soc = "t31";
  std::string mtdparts;
  if (stock)
    mtdparts = fmt::format("jz_sfc:256k(boot),64k(env),1984k(kernel),{}k(rootfs),{}k(appfs),{}", p.rootfs_k, p.data_k,
                           p.mtd_all);
  else
    mtdparts = fmt::format("jz_sfc:320k(boot),64k(env),64k(backup),1600k(kernel),{}k(rootfs),{}k(data),{}", p.rootfs_k,
                           p.data_k, p.mtd_all);
  const std::string mac =
      fmt::format("02:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", opt.seed & 0xff, (opt.seed >> 8) & 0xff, 0x31, 0x4a, 0x7c);
  std::map<std::string, std::string> env = {
      {"baudrate", "115200"},
      {"bootargs", fmt::format("console=ttyS1,115200n8 mem=64M@0x0 rmem=64M@0x4000000 init=/init "
                               "rootfstype=squashfs root=/dev/mtdblock{} rw mtdparts={}",
                               stock ? 3 : 4, mtdparts)},
      {"bootcmd",
       fmt::format("sf probe;sf read 0x80600000 0x{:x} 0x{:x};bootm 0x80600000", p.kernel_off, p.kernel_k * 1024)},
      {"bootdelay", "1"},
      {"ethaddr", mac},
      {"soc", soc},
      {"mtdparts", mtdparts},
  };
  if (!stock) {
    env["kern_addr"] = fmt::format("0x{:x}", p.kernel_off);
    env["kern_size"] = fmt::format("0x{:x}", p.kernel_k * 1024);
    env["flash_len"] = fmt::format("0x{:x}", size);
    env["wlanssid"] = "camdump-lab";
    env["wlanpass"] = "hunter2-secret";
  }
  return env;
}

// Kernel uImage: a real gzip payload (inspect decodes it to its end) of high-entropy bytes
// (machine-code-like), as large as the kernels of the real layouts.
void put_kernel(std::vector<uint8_t>& img, Rng& rng, const Plan& p) {
  const auto k = gzip_member(rng.bytes(p.kernel_k * 1024 - 0x30000));
  put_uimage(img, p.kernel_off, k, 5 /*Linux*/, 2 /*kernel*/, 1 /*gzip*/, 0x80010000, 0x80400330,
             "Linux-3.10.14__isvp_swan_1.0__");
}

// Rootfs: a real squashfs.
void put_rootfs(std::vector<uint8_t>& img, Rng& rng, const Plan& p, const SynthOptions& opt, bool stock) {
  std::vector<SquashEntry> fs;
  for (const char* d : {"dev", "proc", "sys", "tmp", "overlay", "root", "etc/init.d"})
    fs.push_back({d, {}, true, 0755});
  fs.push_back({"bin/busybox", rng.bytes(size_t{300} * 1024), false, 0755});
  fs.push_back({"lib/libimp.so", rng.text(size_t{260} * 1024), false, 0755});
  fs.push_back({"etc/hostname", to_bytes("ing-t31-camera\n")});
  fs.push_back({"etc/os-release",
                to_bytes(fmt::format("NAME=\"{}\"\nID={}\nVERSION_ID=2025.11\nBUILD_ID=synthetic-seed-{}\n",
                                     stock ? "Ingenic" : "Thingino", stock ? "ingenic" : "thingino", opt.seed))});
  fs.push_back({"etc/passwd", to_bytes("root:x:0:0:root:/root:/bin/sh\n")});
  fs.push_back({"etc/shadow", to_bytes("root:$1$camdump$Yc0Ts9xlwFJ0pBQBaBVOC1:20000:0:99999:7:::\n"), false, 0600});
  fs.push_back(
      {"etc/init.d/rcS", to_bytes("#!/bin/sh\nmount -a\nfor s in /etc/init.d/S*; do $s start; done\n"), false, 0755});
  auto sq = build_squashfs(fs, kTime, 1);
  if (sq.size() > size_t{p.rootfs_k} * 1024) fail(ErrorKind::Unsupported, "synthetic squashfs too large");
  std::memcpy(img.data() + p.rootfs_off(), sq.data(), sq.size());
}

// Data: a JFFS2 overlay with a few nodes in the first erase block, the rest erased.
void put_overlay(std::vector<uint8_t>& img, Rng& rng, uint32_t data_off) {
  Jffs2Writer j{img, data_off};
  j.cleanmarker();
  j.dirent(1, 2, "upper", 4);
  j.inode(2, 040755, {});
  j.dirent(2, 3, "etc", 4);
  j.inode(3, 040755, {});
  j.dirent(3, 4, "hostname", 8);
  j.inode(4, 0100644, to_bytes("camdump-demo\n"));
  j.dirent(3, 5, "motion.conf", 8);
  j.inode(5, 0100644, rng.text(1500));
  j.dirent(1, 6, "work", 4);
  j.inode(6, 040755, {});
}

}  // namespace

std::vector<uint8_t> make_thingino_image(const SynthOptions& opt) {
  const uint64_t size = opt.flash_size;
  if (size != (8u << 20) && size != (16u << 20) && size != (32u << 20))
    fail(ErrorKind::Usage, "synthetic image size must be 8, 16 or 32 MiB");
  const bool stock = opt.layout == SynthOptions::Layout::StockIngenic;
  const Plan p = plan_layout(uint32_t(size >> 10), stock);
  Rng rng{0x6a09e667f3bcc908ull ^ opt.seed};
  std::vector<uint8_t> img(size, 0xff);
  put_boot(img, rng, stock);
  put_env(img, p.env_off, p.env_size, make_env(p, opt, stock));
  put_kernel(img, rng, p);
  put_rootfs(img, rng, p, opt, stock);
  put_overlay(img, rng, p.data_off());
  return img;
}

}  // namespace camdump::image
