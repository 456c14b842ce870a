// SPDX-License-Identifier: MIT
#include "dump/shell_dump.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "core/hash.hpp"
#include "core/size.hpp"
#include "shell/text_decode.hpp"

namespace camdump::dump {

struct ShellDumper::Tools {
  std::string encoder;  ///< base64, uuencode, hexdump, od
  std::string hasher;   ///< md5sum, sha256sum, or empty
};

namespace {

using std::chrono::seconds;

std::string local_hash(std::span<const uint8_t> d, const std::string& hasher) {
  return hasher == "sha256sum" ? sha256_hex(d) : md5_hex(d);
}

/// dd block size that divides both the chunk and the partition, so every read is whole blocks.
uint64_t block_for(uint64_t chunk, uint64_t part_size) {
  for (uint64_t bs : {4096ull, 512ull, 1ull})
    if (chunk % bs == 0 && part_size % bs == 0) return bs;
  return 1;
}

std::string encoder_pipe(const std::string& enc) {
  if (enc == "base64") return "base64";
  if (enc == "uuencode") return "uuencode -m x";
  if (enc == "hexdump") return "hexdump -v -e '16/1 \"%02x\" \"\\n\"'";
  return "od -An -v -tx1";
}

std::string first_word(const std::string& s) { return s.substr(0, s.find_first_of(" \t")); }

}  // namespace

ShellDumper::ShellDumper(shell::ShellSession& sh, Reporter& rep, const CancelFlag* cancel)
    : sh_(sh), rep_(rep), cancel_(cancel) {}

MtdLayout ShellDumper::read_layout() {
  auto mtd = sh_.run("cat /proc/mtd");
  std::string text;
  for (auto& l : mtd.lines) text += l + "\n";
  if (mtd.status != 0)
    fail(ErrorKind::NotFound, "the camera has no /proc/mtd", "this route needs a Linux with MTD flash partitions");
  MtdLayout layout = parse_proc_mtd(text);
  auto cmdline = sh_.run("cat /proc/cmdline");
  std::string cl;
  for (auto& l : cmdline.lines) cl += l + " ";
  if (auto mp = find_mtdparts(cl)) {
    // Offsets come only from mtdparts (/proc/mtd has none); match parts by name.
    MtdLayout parts = parse_mtdparts(*mp);
    if (auto w = parts.whole_chip()) parts.resolve_fill(parts.parts[*w].size);
    for (auto& p : layout.parts)
      if (const MtdPart* q = parts.find(p.name); q && q->offset) p.offset = q->offset;
  }
  layout.assign_offsets();
  return layout;
}

std::string ShellDumper::device_hash(const std::string& path, const Tools& tools, std::string* algo) {
  *algo = tools.hasher.empty() ? "double-read" : tools.hasher == "md5sum" ? "md5" : "sha256";
  if (tools.hasher.empty()) return {};
  auto r = sh_.run(fmt::format("{} {}", tools.hasher, path), seconds(120));
  if (r.status != 0 || r.lines.empty())
    fail(ErrorKind::Io, fmt::format("{} {} failed on the camera", tools.hasher, path));
  return first_word(r.lines.back());
}

std::vector<uint8_t> ShellDumper::fetch_chunk(const MtdPart& p, uint64_t off, uint64_t len, const Tools& tools) {
  uint64_t bs = block_for(len, off);
  std::string cmd = fmt::format("dd if=/dev/mtd{} bs={} skip={} count={} 2>/dev/null | {}", p.index, bs, off / bs,
                                len / bs, encoder_pipe(tools.encoder));
  std::vector<uint8_t> out;
  out.reserve(len);
  bool bad = false;
  const bool b64 = tools.encoder == "base64" || tools.encoder == "uuencode";
  sh_.run_stream(
      cmd,
      [&](std::string_view line) {
        if (tools.encoder == "uuencode" && (line.rfind("begin-base64", 0) == 0 || line == "====")) return;
        if (line.empty()) return;
        bool ok = b64 ? shell::decode_base64_line(line, out) : shell::decode_hex_line(line, out);
        if (!ok) bad = true;  // kernel messages or noise in the stream: the hash decides
      },
      seconds(30));
  if (bad) rep_.log(LogLevel::Debug, fmt::format("mtd{} +{}: undecodable line in the stream", p.index, hex(off)));
  return out;
}

// The camera's hash of each chunk of the partition, all in one loop on the camera (one command,
// one line per chunk) rather than a command per chunk.
std::vector<std::string> ShellDumper::chunk_hashes(const MtdPart& p, uint64_t chunk, uint64_t n, const Tools& tools) {
  std::vector<std::string> hashes;
  const uint64_t bs = block_for(chunk, p.size);
  const std::string cmd = fmt::format(
      "i=0; while [ $i -lt {} ]; do dd if=/dev/mtd{} bs={} skip=$((i*{})) count={} 2>/dev/null | {}; i=$((i+1)); "
      "done",
      n, p.index, bs, chunk / bs, chunk / bs, tools.hasher);
  sh_.run_stream(
      cmd,
      [&](std::string_view l) {
        if (!l.empty()) hashes.push_back(first_word(std::string(l)));
      },
      seconds(60));
  if (hashes.size() != n)
    fail(ErrorKind::Protocol,
         fmt::format("mtd{}: expected {} chunk hashes from the camera, got {}", p.index, n, hashes.size()));
  return hashes;
}

// One chunk over the console until it verifies: against the camera's hash `want`, or without a
// hash tool (want == nullptr) when two reads agree. Fails after the retries.
std::vector<uint8_t> ShellDumper::verified_chunk(const MtdPart& p, uint64_t off, uint64_t len, const std::string* want,
                                                 const ShellDumpOptions& opt, const Tools& tools,
                                                 ShellDumpResult& res) {
  std::vector<uint8_t> previous;
  for (unsigned attempt = 0; attempt <= opt.retries + (want ? 0 : 1); ++attempt) {
    if (attempt > 0) ++res.retries;
    std::vector<uint8_t> got = fetch_chunk(p, p.size == 0 ? 0 : off, len, tools);
    if (got.size() != len) continue;
    if (want ? local_hash(got, tools.hasher) == *want : previous == got) return got;
    previous = std::move(got);
  }
  fail(ErrorKind::VerifyMismatch,
       fmt::format("mtd{} ({}): the chunk at +{} never verified after {} reads", p.index, p.name, hex(off),
                   opt.retries + 1),
       "the console is too noisy: check wiring and ground, or use --via tftp / --via sd");
}

std::vector<uint8_t> ShellDumper::read_console(const MtdPart& p, const ShellDumpOptions& opt, const Tools& tools,
                                               ShellDumpResult& res, uint64_t done_before, uint64_t total) {
  const uint64_t chunk = std::min<uint64_t>(opt.chunk, p.size);
  const uint64_t n = (p.size + chunk - 1) / chunk;
  const std::vector<std::string> hashes =
      tools.hasher.empty() ? std::vector<std::string>{} : chunk_hashes(p, chunk, n, tools);
  std::vector<uint8_t> data(p.size, 0xff);
  // The hash of erased flash, worked out once per chunk length (every chunk but the last is full).
  std::string blank_hash;
  uint64_t blank_len = 0;
  auto is_blank = [&](uint64_t len, const std::string& hash) {
    if (len != blank_len) {
      blank_hash = local_hash(std::vector<uint8_t>(len, 0xff), tools.hasher);
      blank_len = len;
    }
    return hash == blank_hash;
  };
  Progress pr{fmt::format("reading mtd{} ({})", p.index, p.name), done_before, total};
  for (uint64_t i = 0; i < n; ++i) {
    check_cancel(cancel_);
    const uint64_t off = i * chunk, len = std::min(chunk, p.size - off);
    const auto at = data.begin() + static_cast<std::ptrdiff_t>(off);
    if (!hashes.empty() && opt.skip_blank && is_blank(len, hashes[i])) {
      res.blank_bytes += len;  // erased flash: the 0xff the buffer already holds
      pr.done += len;
      pr.skipped = res.blank_bytes;
      pr.wire_bytes = sh_.transport().rx_bytes();
      rep_.progress(pr);
      continue;
    }
    if (!hashes.empty() && opt.saved) {
      // A previous run's bytes for this chunk, if the camera's hash says they are right.
      std::vector<uint8_t> had = opt.saved(p, off, len);
      if (had.size() == len && local_hash(had, tools.hasher) == hashes[i]) {
        std::copy(had.begin(), had.end(), at);
        res.resumed_bytes += len;
        pr.done += len;
        rep_.progress(pr);
        continue;
      }
    }
    const std::vector<uint8_t> got =
        verified_chunk(p, off, len, hashes.empty() ? nullptr : &hashes[i], opt, tools, res);
    std::copy(got.begin(), got.end(), at);
    if (opt.on_verified) opt.on_verified(p, off, got);
    pr.done += len;
    pr.retries = res.retries;
    pr.wire_bytes = sh_.transport().rx_bytes();
    rep_.progress(pr);
  }
  return data;
}

// The camera's hash tool (md5sum, sha256sum; none = two reads) and, over the console, its encoder.
ShellDumper::Tools ShellDumper::find_tools(ShellVia via) {
  Tools tools;
  for (const char* h : {"md5sum", "sha256sum"})
    if (sh_.run(fmt::format("echo x | {} >/dev/null 2>&1", h)).status == 0) {
      tools.hasher = h;
      break;
    }
  if (via != ShellVia::Console) return tools;
  for (const char* e : {"base64", "uuencode", "hexdump", "od"})
    if (sh_.run(fmt::format("echo x | {} >/dev/null 2>&1", encoder_pipe(e))).status == 0) {
      tools.encoder = e;
      break;
    }
  if (tools.encoder.empty())
    fail(ErrorKind::Unsupported, "the camera shell has none of base64, uuencode, hexdump, od",
         "use --via tftp or --via sd");
  rep_.log(LogLevel::Info, fmt::format("shell: moving data with {}, verifying with {}", tools.encoder,
                                       tools.hasher.empty() ? "two reads" : tools.hasher));
  return tools;
}

// The whole-chip partition when it covers the others, else the partitions that tile the flash.
std::vector<size_t> ShellDumper::pick_parts(ShellDumpResult& res) {
  std::vector<size_t> pick;
  if (auto w = res.layout.whole_chip(); w && res.layout.parts[*w].size >= res.layout.span()) {
    pick = {*w};
    res.whole_chip_used = true;
  } else {
    pick = res.layout.tiling();
  }
  if (pick.empty()) fail(ErrorKind::Corrupt, "/proc/mtd lists no partitions");
  res.flash_size = res.whole_chip_used ? res.layout.parts[pick[0]].size : res.layout.span();
  rep_.log(LogLevel::Info, fmt::format("shell: {} partition(s), {} in all{}", pick.size(), format_size(res.flash_size),
                                       res.whole_chip_used ? " (whole-chip partition)" : ""));
  return pick;
}

// --via sd: the card's mount point (--sd-path, or the first /dev/mmcblk* mount), checked writable.
std::string ShellDumper::sd_directory(const ShellDumpOptions& opt) {
  std::string sd_dir = opt.sd_path;
  if (sd_dir.empty()) {
    auto m = sh_.run("grep '^/dev/mmcblk' /proc/mounts");
    if (m.status != 0 || m.lines.empty())
      fail(ErrorKind::NotFound, "no SD card is mounted on the camera (nothing from /dev/mmcblk* in /proc/mounts)",
           "insert a FAT-formatted card, or give its mount point with --sd-path");
    std::string l = m.lines.front();
    auto a = l.find(' ');
    auto b = l.find(' ', a + 1);
    sd_dir = l.substr(a + 1, b - a - 1);
  }
  auto w = sh_.run(fmt::format("touch {0}/.camdump-w && rm {0}/.camdump-w", sd_dir));
  if (w.status != 0)
    fail(ErrorKind::Permission, fmt::format("the card at {} on the camera is not writable", sd_dir),
         "check that it is mounted read-write and not full");
  return sd_dir;
}

// busybox `tftp -p` of the whole partition to our server, unless a previous run's copy has the
// camera's hash. True when the copy was just transferred (kept through on_verified once verified).
bool ShellDumper::copy_tftp(PartitionCopy& c, const ShellDumpOptions& opt, const Tools& tools, ShellDumpResult& res) {
  const MtdPart& p = c.part;
  if (!opt.tftp_receive) fail(ErrorKind::Usage, "--via tftp needs the built-in TFTP server");
  const std::string dev = fmt::format("/dev/mtd{}", p.index);
  const std::string name = fmt::format("{}mtd{}.bin", opt.name_prefix, p.index);
  auto upload = [&] {
    rep_.log(LogLevel::Info,
             fmt::format("shell: mtd{} ({}) -> tftp {}:{} {}", p.index, p.name, opt.server_ip, opt.server_port, name));
    // Through a pipe: busybox tftp then sends no tsize (a char device's st_size is 0).
    auto r = sh_.run(fmt::format("dd if={} bs=65536 2>/dev/null | tftp -p -l - -r {} {} {}", dev, name, opt.server_ip,
                                 opt.server_port),
                     seconds(600));
    if (r.status != 0)
      fail(ErrorKind::Io,
           fmt::format("tftp on the camera failed (status {}): {}", r.status, r.lines.empty() ? "" : r.lines.back()),
           "check --server-ip is an address the camera can reach and that UDP is not filtered");
    return opt.tftp_receive(name);
  };
  c.device_hash = device_hash(dev, tools, &c.hash_algo);
  if (!tools.hasher.empty() && opt.saved) {
    // A previous run's copy of the whole partition, if the camera's hash agrees with it.
    std::vector<uint8_t> had = opt.saved(p, 0, p.size);
    if (had.size() == p.size && local_hash(had, tools.hasher) == c.device_hash) {
      c.data = std::move(had);
      res.resumed_bytes += p.size;
      rep_.log(LogLevel::Info,
               fmt::format("shell: mtd{} ({}) taken from the previous run ({} agrees)", p.index, p.name, tools.hasher));
      return false;
    }
  }
  c.data = upload();
  if (tools.hasher.empty() && upload() != c.data)  // no hash on the camera: two uploads must agree
    fail(ErrorKind::VerifyMismatch, fmt::format("mtd{}: two uploads differ", p.index));
  return true;
}

// `dd` of the partition to the card on the camera; the copy's hash must equal the partition's.
void ShellDumper::copy_sd(PartitionCopy& c, const std::string& sd_dir, const ShellDumpOptions& opt,
                          const Tools& tools) {
  const std::string dev = fmt::format("/dev/mtd{}", c.part.index);
  c.card_file = fmt::format("{}/{}mtd{}.bin", sd_dir, opt.name_prefix, c.part.index);
  auto r = sh_.run(fmt::format("dd if={} of={} bs=65536 2>/dev/null && sync", dev, c.card_file), seconds(600));
  if (r.status != 0) fail(ErrorKind::Io, fmt::format("copying {} to {} failed on the camera", dev, c.card_file));
  c.device_hash = device_hash(dev, tools, &c.hash_algo);
  std::string algo;
  std::string copy_hash = device_hash(c.card_file, tools, &algo);
  if (!tools.hasher.empty() && copy_hash != c.device_hash)
    fail(ErrorKind::VerifyMismatch, fmt::format("the copy {} on the card differs from {}", c.card_file, dev),
         "the card may be failing; try another card");
}

// One partition by the chosen way, checked against the camera's hash.
PartitionCopy ShellDumper::copy_partition(const MtdPart& p, const ShellDumpOptions& opt, const Tools& tools,
                                          const std::string& sd_dir, ShellDumpResult& res, uint64_t done) {
  PartitionCopy c;
  c.part = p;
  bool keep_when_verified = false;  // a whole partition just transferred (tftp)
  switch (opt.via) {
    case ShellVia::Console:
      c.data = read_console(p, opt, tools, res, done, res.flash_size);
      c.device_hash = device_hash(fmt::format("/dev/mtd{}", p.index), tools, &c.hash_algo);
      break;
    case ShellVia::Tftp: keep_when_verified = copy_tftp(c, opt, tools, res); break;
    case ShellVia::Sd: copy_sd(c, sd_dir, opt, tools); break;
  }
  if (!c.data.empty() && !tools.hasher.empty() && local_hash(c.data, tools.hasher) != c.device_hash)
    fail(ErrorKind::VerifyMismatch,
         fmt::format("mtd{} ({}): {} of the received copy differs from the camera's", p.index, p.name, tools.hasher));
  if (keep_when_verified && opt.on_verified) opt.on_verified(p, 0, c.data);  // (console: per chunk)
  return c;
}

ShellDumpResult ShellDumper::run(const ShellDumpOptions& opt) {
  ShellDumpResult res;
  res.layout = read_layout();
  const Tools tools = find_tools(opt.via);
  res.encoder = tools.encoder;
  const std::vector<size_t> pick = pick_parts(res);
  const std::string sd_dir = opt.via == ShellVia::Sd ? sd_directory(opt) : opt.sd_path;
  uint64_t done = 0;
  for (size_t idx : pick) {
    const MtdPart& p = res.layout.parts[idx];
    res.copies.push_back(copy_partition(p, opt, tools, sd_dir, res, done));
    done += p.size;
  }
  return res;
}

std::vector<uint8_t> assemble_image(const ShellDumpResult& r) {
  if (r.copies.empty()) return {};
  if (r.whole_chip_used) return r.copies.front().data;
  std::vector<uint8_t> img(r.flash_size, 0xff);
  for (const auto& c : r.copies) {
    uint64_t off = c.part.offset.value_or(0);
    if (off + c.data.size() > img.size()) img.resize(off + c.data.size(), 0xff);
    std::copy(c.data.begin(), c.data.end(), img.begin() + static_cast<std::ptrdiff_t>(off));
  }
  return img;
}

}  // namespace camdump::dump
