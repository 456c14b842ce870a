// SPDX-License-Identifier: MIT
// Internal to the virtual camera: what its two TFTP clients (`tftpboot`, `tftpput`) share, as
// U-Boot's net/net.c prepares any transfer: the server from "[serverIP:]file" or `serverip`, our
// `ipaddr`, the default file name from our address (net/tftp.c: "%02X%02X%02X%02X.img"), the
// server port `tftpdstp` (default 69) and `tftptimeout` (ms, at least 1000, default 5000); then a
// UDP socket on 127.0.0.1 (the only address the sim ever contacts).
#pragma once
#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string>

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

/// A UDP socket bound to 127.0.0.1 and the server's address (port `port`); -1 after printing
/// "*** ERROR: network unavailable" when there is none.
int open_tftp_socket(Machine& m, uint16_t port, sockaddr_in& server);

}  // namespace camdump::sim
