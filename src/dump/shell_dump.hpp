// SPDX-License-Identifier: MIT
// The Linux-shell route: read /proc/mtd (and mtdparts from /proc/cmdline for offsets), pick the
// partitions that cover the chip once (an overlapping whole-chip "@0(all)" part alone when it is
// present and complete), move each by the best means the camera has, and verify each against a
// hash computed on the camera. Blank (0xff) chunks are proven by their hash and not moved.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/mtd_layout.hpp"
#include "core/report.hpp"
#include "shell/shell_session.hpp"

namespace camdump::dump {

enum class ShellVia {
  Console,  ///< base64 / uuencode -m / hexdump / od over the console itself
  Tftp,     ///< busybox `tftp -p` to camdump's own TFTP server
  Sd,       ///< copy to the mounted SD card; the user brings the card
};

/// Receives uploads for the Tftp mode: called with the remote file name the camera will put;
/// must return the received bytes once the upload is complete (or throw).
using TftpReceiver = std::function<std::vector<uint8_t>(const std::string& remote_name)>;

struct ShellDumpOptions {
  ShellVia via = ShellVia::Console;
  uint64_t chunk = uint64_t{64} * 1024;  ///< transfer and verification granularity on the console
  unsigned retries = 3;                  ///< re-reads of a chunk whose hash disagrees
  bool skip_blank = true;
  std::string server_ip;                 ///< Tftp: address the camera sends to
  uint16_t server_port = 69;             ///< Tftp: port the camera sends to
  TftpReceiver tftp_receive;             ///< Tftp: how uploads are collected
  std::string sd_path;                   ///< Sd: mount point on the camera; empty = find /dev/mmcblk* in /proc/mounts
  std::string name_prefix = "camdump-";  ///< file names used on the card / server
  /// Resume: what a previous run saved for [off, off+len) of partition `p` (may be short, stale or
  /// empty). Used only where the camera's hash of that chunk (console) or partition (tftp) agrees;
  /// without a hash tool on the camera nothing saved is used.
  std::function<std::vector<uint8_t>(const MtdPart& p, uint64_t off, uint64_t len)> saved;
  /// Called with every chunk (console) or partition (tftp) as soon as it is verified, so that an
  /// interrupted run can be resumed from what it had.
  std::function<void(const MtdPart& p, uint64_t off, std::span<const uint8_t> bytes)> on_verified;
};

struct PartitionCopy {
  MtdPart part;
  std::vector<uint8_t> data;  ///< empty in Sd mode (the data is on the card)
  std::string device_hash;    ///< md5 or sha256 from the camera; empty when it has neither
  std::string hash_algo;      ///< "md5", "sha256" or "double-read"
  std::string card_file;      ///< Sd mode: path of the copy on the card
};

struct ShellDumpResult {
  MtdLayout layout;                   ///< /proc/mtd with offsets
  std::vector<PartitionCopy> copies;  ///< what was transferred, in offset order
  bool whole_chip_used = false;       ///< the "all" partition was read alone
  uint64_t flash_size = 0;
  uint64_t blank_bytes = 0;  ///< proven blank by hash, not transferred
  uint64_t retries = 0;
  uint64_t resumed_bytes = 0;  ///< taken from `saved` after the camera's hash agreed
  std::string encoder;         ///< console mode: "base64", "uuencode", "hexdump", "od"
};

class ShellDumper {
 public:
  ShellDumper(shell::ShellSession& sh, Reporter& rep, const CancelFlag* cancel = nullptr);
  ShellDumpResult run(const ShellDumpOptions& opt);

 private:
  struct Tools;
  MtdLayout read_layout();
  std::vector<uint8_t> read_console(const MtdPart& p, const ShellDumpOptions& opt, const Tools& tools,
                                    ShellDumpResult& res, uint64_t done_before, uint64_t total);
  std::vector<uint8_t> fetch_chunk(const MtdPart& p, uint64_t off, uint64_t len, const Tools& tools);
  std::vector<std::string> chunk_hashes(const MtdPart& p, uint64_t chunk, uint64_t n, const Tools& tools);
  std::vector<uint8_t> verified_chunk(const MtdPart& p, uint64_t off, uint64_t len, const std::string* want,
                                      const ShellDumpOptions& opt, const Tools& tools, ShellDumpResult& res);
  std::string device_hash(const std::string& path, const Tools& tools, std::string* algo);
  Tools find_tools(ShellVia via);
  std::vector<size_t> pick_parts(ShellDumpResult& res);
  std::string sd_directory(const ShellDumpOptions& opt);
  PartitionCopy copy_partition(const MtdPart& p, const ShellDumpOptions& opt, const Tools& tools,
                               const std::string& sd_dir, ShellDumpResult& res, uint64_t done);
  bool copy_tftp(PartitionCopy& c, const ShellDumpOptions& opt, const Tools& tools, ShellDumpResult& res);
  void copy_sd(PartitionCopy& c, const std::string& sd_dir, const ShellDumpOptions& opt, const Tools& tools);

  shell::ShellSession& sh_;
  Reporter& rep_;
  const CancelFlag* cancel_;
};

/// The chip image from the copies: a whole-chip copy as is, else the parts at their offsets.
std::vector<uint8_t> assemble_image(const ShellDumpResult& r);

}  // namespace camdump::dump
