// SPDX-License-Identifier: MIT
// Internal to the virtual camera: what its two TFTP clients (`tftpboot`, `tftpput`) share, as
// U-Boot's net/net.c prepares any transfer: the server from "[serverIP:]file" or `serverip`, our
// `ipaddr`, the default file name from our address (net/tftp.c: "%02X%02X%02X%02X.img"), the
// server port `tftpdstp` (default 69) and `tftptimeout` (ms, at least 1000, default 5000); then a
// UDP socket on 127.0.0.1 (the only address the sim ever contacts).
#pragma once
#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/sim_job.hpp"
#include "tftp/packet.hpp"

namespace camdump::sim {

class Machine;

struct TftpSetup {
  std::string server, ip, file, prefix;  ///< prefix: the Thingino fork's "TFTP:  " on its lines
  uint16_t port = 69;
  int timeout_ms = 5000;
  bool reachable = false;  ///< serverip is 127.0.0.1: anything else times out
  bool thingino = false;
};

/// From the command's "[serverIP:]file" (may be empty). Prints U-Boot's error and returns
/// nullopt when `serverip` or `ipaddr` is unset, or the sim has no network (net=0).
std::optional<TftpSetup> tftp_setup(Machine& m, std::string file_arg);
/// "Using ... device", "TFTP {verb} server ...; our IP address is ..." and "Filename '...'.".
std::string tftp_banner(const TftpSetup& t, const char* verb);

/// The UDP side both TFTP jobs share, kept as net/tftp.c keeps it: a socket on 127.0.0.1, the
/// server's address (its listening port until an answer names the transfer's TID), and the last
/// packet sent, repeated after each timeout with U-Boot's "T ".
class TftpLink {
 public:
  static constexpr int kMaxTries = 10;  ///< net/tftp.c TIMEOUT_COUNT: timeouts in a row

  explicit TftpLink(const TftpSetup& t) : port_(t.port), reachable_(t.reachable), timeout_ms_(t.timeout_ms) {}
  ~TftpLink();
  TftpLink(const TftpLink&) = delete;
  TftpLink& operator=(const TftpLink&) = delete;

  bool is_open() const { return fd_ >= 0; }
  /// A socket bound to 127.0.0.1; false after printing "*** ERROR: network unavailable".
  bool open(Machine& m);
  /// Sends `pkt` (nowhere when serverip is not 127.0.0.1) and keeps it as the one to repeat.
  bool send(std::vector<uint8_t> pkt);
  /// Sends `pkt` once (an ACK repeated for a duplicate block); the packet to repeat stays.
  bool send_once(const std::vector<uint8_t>& pkt) const;
  const std::vector<uint8_t>& last() const { return last_; }
  /// A transfer that starts again does so from a new socket, so from a new port, back to the
  /// server's listening port: net/tftp.c tftp_start() picks a new tftp_our_port on every start, so
  /// a late packet of the old transfer cannot be taken for the new one. The new socket is bound
  /// before the old one is closed, so the port always changes. False as open() fails.
  bool reopen(Machine& m);
  /// The next packet from the server: an ERROR from any port, anything else only from the TID,
  /// which the first such answer sets. Repeats the last packet after each timeout; nullopt once
  /// kMaxTries timeouts came in a row since the last send().
  std::optional<tftp::Packet> next(Machine& m);

 private:
  void forget_tid();

  uint16_t port_;
  bool reachable_;
  int timeout_ms_;
  int fd_ = -1;
  sockaddr_in server_{};
  bool tid_known_ = false;
  int timeouts_ = 0;
  std::vector<uint8_t> last_;
};

/// What both TFTP jobs do around their protocol steps: open the link and send the request on the
/// first step, then handle up to 128 answers per step (so the hash marks stream out), and at the
/// end net/tftp.c's summary: the rate and "Bytes transferred = N (hex hex)". Also what both steps
/// share: the request's options, the block size an OACK agrees on, and the hash marks.
class TftpJob : public Job {
 public:
  explicit TftpJob(const TftpSetup& t) : link_(t), file_(t.file), thingino_(t.thingino) {}
  bool step(Machine& m, size_t want) final;

 protected:
  /// Prints "Loading: " or "Saving: " and sends the request; false = failed (message printed).
  virtual bool begin(Machine& m) = 0;
  /// Waits for one answer and acts on it; false = failed (message printed). Sets done_ at the end.
  virtual bool advance(Machine& m) = 0;
  /// Bytes moved, for the summary.
  virtual uint64_t bytes() const = 0;
  /// After the summary of a transfer that succeeded (tftpboot sets `filesize`).
  virtual void succeeded(Machine&) {}

  /// net/tftp.c's request options: `timeout 5`, `blksize 1468`.
  static std::vector<tftp::Option> request_options();
  /// The block size an OACK agreed on, when it names one.
  void take_oack(const tftp::Oack& o);
  /// show_block_marker() after block `block` (1-based): a '#' per 10 blocks, a new line every 650.
  static void show_block_marker(Machine& m, uint32_t block);
  /// net/tftp.c's line for an ERROR packet from the server: "TFTP error: 'MESSAGE' (CODE)".
  static void show_error(Machine& m, const tftp::ErrorPacket& e);

  TftpLink link_;
  const std::string file_;  ///< the request's file name
  bool done_ = false;
  uint32_t blksize_ = 512;  ///< RFC 1350's until an OACK says otherwise
  uint32_t block_ = 0;      ///< DATA blocks moved so far (the last one's number, before wrapping)

 private:
  bool finish(Machine& m, bool ok);
  bool thingino_;
  std::chrono::steady_clock::time_point start_time_;
};

}  // namespace camdump::sim
