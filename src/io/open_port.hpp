// SPDX-License-Identifier: MIT
// Turns a PORT argument into a Transport. The forms:
//   /dev/ttyUSB0 (any device path)   local serial port via libserialport, at PortOptions::baud
//                                    (a pty such as /dev/pts/3 is opened with termios instead);
//                                    taken exclusively (io/port_lock.hpp)
//   auto                             the one USB serial adapter present (io/port_list.hpp)
//   tcp:HOST:PORT                    raw TCP (ser2net raw accepter, console servers)
//   rfc2217:HOST:PORT                telnet + RFC 2217 COM-port control (remote baud changes)
//   telnet:HOST[:PORT]               a camera's telnet shell (port 23 by default)
//   exec:COMMAND ARGS...             a program on a pseudo-terminal (words split like a shell)
//   sim: / sim:SPEC                  the built-in virtual camera (made by the caller's SimFactory)
// HOST may be a name, an IPv4 address or [IPv6]. With PortOptions::log set, the transport is
// wrapped in a LoggingTransport.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "io/transport.hpp"

namespace camdump::io {

struct PortOptions {
  uint32_t baud = 115200;  ///< serial: the line rate; rfc2217: set remotely at connect (0 = leave)
  std::string log;         ///< transcript file (--log); empty = none
};

/// Makes the sim: transport; gets the text after "sim:" (possibly empty). Lives in a higher layer.
using SimFactory = std::function<std::unique_ptr<Transport>(std::string_view spec)>;

/// Throws Error(Usage) for an unknown form or a malformed HOST:PORT (the hint lists the forms),
/// Error(Unsupported) for sim: without a factory, and the transports' own errors.
std::unique_ptr<Transport> open_port(std::string_view port, const PortOptions& opts = {}, const SimFactory& sim = {});

/// One line listing the PORT forms, for hints and --help.
const char* port_forms_help();

struct HostPort {
  std::string host;
  uint16_t port = 0;
};
/// Parses "HOST:PORT" / "[V6]:PORT" (`default_port` used when ":PORT" is absent and nonzero).
/// Throws Error(Usage) naming `form`.
HostPort parse_host_port(std::string_view text, std::string_view form, uint16_t default_port = 0);

}  // namespace camdump::io
