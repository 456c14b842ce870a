// SPDX-License-Identifier: MIT
// PORT argument parsing and transport construction.
#include "io/open_port.hpp"

#include <charconv>

#include "core/error.hpp"
#include "io/exec_transport.hpp"
#include "io/logging_transport.hpp"
#include "io/port_list.hpp"
#include "io/pty_device_transport.hpp"
#include "io/serial_transport.hpp"
#include "io/tcp_transport.hpp"
#include "io/telnet_transport.hpp"
#include "io/word_split.hpp"

namespace camdump::io {

const char* port_forms_help() {
  return "PORT is /dev/ttyUSB0 (serial), auto (the one USB serial adapter present), tcp:HOST:PORT, rfc2217:HOST:PORT, "
         "telnet:HOST[:PORT], "
         "exec:'COMMAND ARGS...' or sim:[IMAGE][,option=value...]";
}

HostPort parse_host_port(std::string_view text, std::string_view form, uint16_t default_port) {
  auto bad = [&](const std::string& why) -> void {
    fail(ErrorKind::Usage, std::string(form) + ": " + why + " in '" + std::string(text) + "'",
         std::string("write it as ") + std::string(form) + ":HOST:PORT, e.g. " + std::string(form) +
             ":192.168.1.10:4000");
  };
  HostPort hp;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {  // [IPv6]:PORT
    size_t close = text.find(']');
    if (close == std::string_view::npos) bad("missing ']'");
    hp.host = std::string(text.substr(1, close - 1));
    rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') bad("expected ':' after ']'");
  } else {
    size_t colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) bad("IPv6 addresses need [brackets]");
    hp.host = std::string(text.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : text.substr(colon);
  }
  if (hp.host.empty()) bad("missing host");
  if (rest.empty()) {
    if (default_port == 0) bad("missing :PORT");
    hp.port = default_port;
    return hp;
  }
  rest.remove_prefix(1);
  unsigned v = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
  if (rest.empty() || ec != std::errc{} || p != rest.data() + rest.size() || v == 0 || v > 65535)
    bad("bad port number '" + std::string(rest) + "'");
  hp.port = static_cast<uint16_t>(v);
  return hp;
}

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::unique_ptr<Transport> open_raw(std::string_view port, const PortOptions& opts, const SimFactory& sim) {
  if (starts_with(port, "sim:") || port == "sim") {
    if (!sim)
      fail(ErrorKind::Unsupported, "sim: ports are not available here",
           "the virtual camera is provided by the camdump command line");
    return sim(port.size() > 4 ? port.substr(4) : std::string_view{});
  }
  if (starts_with(port, "tcp:")) {
    HostPort hp = parse_host_port(port.substr(4), "tcp");
    return std::make_unique<TcpTransport>(hp.host, hp.port);
  }
  if (starts_with(port, "rfc2217:")) {
    HostPort hp = parse_host_port(port.substr(8), "rfc2217");
    return std::make_unique<TelnetTransport>(TelnetTransport::Mode::ComPort, hp.host, hp.port, opts.baud);
  }
  if (starts_with(port, "telnet:")) {
    HostPort hp = parse_host_port(port.substr(7), "telnet", 23);
    return std::make_unique<TelnetTransport>(TelnetTransport::Mode::Shell, hp.host, hp.port);
  }
  if (starts_with(port, "exec:")) return std::make_unique<ExecTransport>(split_words(port.substr(5)));
  if (port == "auto") {
    std::string dev = auto_port().path;
    return std::make_unique<SerialTransport>(dev, opts.baud);
  }
  if (starts_with(port, "/")) {
    std::string dev(port);
    // libserialport refuses pty slaves (no /sys/class/tty entry): QEMU -serial pty, socat ptys.
    if (is_pty_device(dev)) return std::make_unique<PtyDeviceTransport>(dev, opts.baud);
    return std::make_unique<SerialTransport>(dev, opts.baud);
  }
  if (starts_with(port, "tty")) {
    fail(ErrorKind::Usage, "unknown PORT '" + std::string(port) + "'",
         "give the full device path, e.g. /dev/" + std::string(port));
  }
  fail(ErrorKind::Usage, "unknown PORT '" + std::string(port) + "'", port_forms_help());
}

}  // namespace

std::unique_ptr<Transport> open_port(std::string_view port, const PortOptions& opts, const SimFactory& sim) {
  if (port.empty()) fail(ErrorKind::Usage, "no PORT given", port_forms_help());
  auto t = open_raw(port, opts, sim);
  if (!opts.log.empty()) t = std::make_unique<LoggingTransport>(std::move(t), opts.log);
  return t;
}

}  // namespace camdump::io
